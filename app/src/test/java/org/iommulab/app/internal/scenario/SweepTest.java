package org.iommulab.app.internal.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SweepTest {
    private static Sweep sweep(String text) throws IOException {
        return Sweep.parse("s", new StringReader(text));
    }

    private static String error(String text) {
        return assertThrows(ScenarioException.class, () -> sweep(text)).getMessage();
    }

    @Test
    void aFileWithoutListsIsOnePoint() throws IOException {
        Sweep s = sweep("workload mmc rounds=8\ndevice mmc1 maxseg=4K\n");
        assertFalse(s.swept());
        assertEquals(1, s.points().size());
        assertEquals(Map.of(), s.points().get(0).settings());
        assertEquals(8, s.points().get(0).scenario().workloads().get(0).rounds());
    }

    /** Two axes of 2 and 3 values: 6 points, the first axis in the file varying slowest. */
    @Test
    void theCrossProductInFileOrder() throws IOException {
        Sweep s = sweep("workload mmc rounds=8,64   # a comment, kept out\nconfig org.iommulab.iommu.dma mode=strict,lazy,strict2 x=1\n");
        assertEquals(List.of(new Sweep.Axis(1, "workload mmc rounds", List.of("8", "64")),
                new Sweep.Axis(2, "config org.iommulab.iommu.dma mode", List.of("strict", "lazy", "strict2"))), s.axes());
        assertEquals(6, s.points().size());
        String[][] expected = {{"8", "strict"}, {"8", "lazy"}, {"8", "strict2"}, {"64", "strict"}, {"64", "lazy"}, {"64", "strict2"}};
        for (int p = 0; p < 6; p++) {
            Sweep.Point point = s.points().get(p);
            assertEquals(p, point.index());
            assertEquals(Integer.valueOf(expected[p][0]), point.scenario().workloads().get(0).rounds());
            Scenario.ConfigLine c = point.scenario().configs().get(0);
            assertEquals("org.iommulab.iommu.dma", c.pid());
            assertEquals(Map.of("mode", expected[p][1], "x", "1"), c.settings());
            assertEquals(Map.of("workload mmc rounds", expected[p][0], "config org.iommulab.iommu.dma mode", expected[p][1]),
                    point.settings());
        }
    }

    @Test
    void anEscapedCommaIsPartOfAConfigValue() throws IOException {
        Sweep s = sweep("config org.iommulab.iommu.dma backendModes=generic=lazy\\,smmu-v3=strict,generic=strict\n");
        assertEquals(2, s.points().size());
        assertEquals("generic=lazy,smmu-v3=strict", s.points().get(0).scenario().configs().get(0).settings().get("backendModes"));
        assertEquals("generic=strict", s.points().get(1).scenario().configs().get(0).settings().get("backendModes"));
    }

    @Test
    void badListsNameTheirLine() {
        assertEquals("scenario s:2: 'maxseg=4K,' has an empty value in its list", error("\ndevice mmc1 maxseg=4K,\n"));
        assertEquals("scenario s:1: 'rounds=8,8' lists a value twice", error("workload mmc rounds=8,8\n"));
        assertEquals("scenario s:1: rounds must be 1..1000000, got 0", error("workload mmc rounds=8,0\n"));
        assertEquals("scenario s:1: 'config' needs a configuration PID and at least one KEY=VALUE, e.g. 'config"
                + " org.iommulab.iommu.dma mode=lazy'", error("config mode=lazy\n"));
        assertTrue(error("workload a seed=1,2,3,4,5,6,7,8,9,10\nworkload b seed=1,2,3,4,5,6,7,8,9,10\n"
                + "workload c seed=1,2,3,4,5,6,7,8,9,10\nworkload d seed=1,2,3,4,5,6,7,8,9,10,11\n")
                .startsWith("scenario s:4: the sweep has more than 10000 points"));
    }
}
