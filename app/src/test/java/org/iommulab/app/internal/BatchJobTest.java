package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;

import org.iommulab.api.admin.Stat;
import org.iommulab.app.internal.scenario.Scenario;
import org.iommulab.app.internal.scenario.ScenarioParser;
import org.iommulab.testkit.RecordingBackend;
import org.iommulab.testkit.SkewedWritesPort;
import org.iommulab.testkit.WrappingBackend;
import org.junit.jupiter.api.Test;

class BatchJobTest {
    private final AppHarness h = new AppHarness();

    private static Scenario scenario(String text) throws IOException {
        return ScenarioParser.parse("test.scenario", new StringReader(text));
    }

    private String row(String backend, String workload) {
        return h.text().lines().filter(l -> l.startsWith(backend + " ") && l.contains(" " + workload + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + backend + "/" + workload + " in\n" + h.text()));
    }

    @Test
    void everyWorkloadOnEveryBackendAsExpectedWithTheSeededBugCaughtWhereMerged() throws IOException {
        h.directAndSwiotlb().generic().allDevices();
        assertEquals(0, h.run(scenario("rounds 2\n")), h.text());
        List<String> workloads = List.of("loopback", "nic", "nic-ext", "nvme", "camera", "mmc", "mmc-buggy");
        for (String b : List.of("direct", "swiotlb", "generic")) {
            for (String w : workloads) {
                row(b, w);
            }
        }
        assertTrue(row("generic", "mmc-buggy").endsWith("caught   caught (expected)"), row("generic", "mmc-buggy"));
        assertTrue(row("direct", "mmc-buggy").endsWith("clean    ok (not merged)"), row("direct", "mmc-buggy"));
        assertTrue(row("generic", "mmc").endsWith("clean    ok"), row("generic", "mmc"));
        assertTrue(row("direct", "camera").contains("ok, 2 skipped"), row("direct", "camera"));
        assertTrue(row("generic", "camera").endsWith("clean    ok"), row("generic", "camera"));
        assertTrue(h.text().contains("direct/camera: cam0: a 16-page USERPTR buffer mapped to 16 DMA segments on direct"), h.text());
        assertTrue(h.text().contains("generic/mmc-buggy: mmc1: read back of card bytes"), h.text());
        assertTrue(h.text().contains("iommulab: [3/3] generic: 7 workload(s)"), h.text());
        assertTrue(h.text().contains("every workload as expected (21 runs; the seeded bug was caught on 1 merging backend(s))"),
                h.text());
    }

    /**
     * Same input, same configuration: the same output, byte for byte, apart from the figures the
     * table names as the host's wall time (its "wall ms" column and the progress lines' "s wall
     * time"). Everything simulated, the flush-queue timer of the lazy backend included, reads the
     * simulated clock.
     */
    @Test
    void twoRunsOfTheMainJobGiveTheSameOutputApartFromWallTime() throws IOException {
        String first = wallTimeMasked(runMainJobOnce());
        String second = wallTimeMasked(runMainJobOnce());
        assertEquals(first, second);
        assertTrue(first.contains("generic-lazy"), first);
        assertTrue(first.contains("sim ms"), first);
    }

    private static String runMainJobOnce() throws IOException {
        AppHarness one = new AppHarness();
        one.directAndSwiotlb().generic().genericLazy().allDevices();
        assertEquals(0, one.run(scenario("rounds 2\n")), one.text());
        return one.text();
    }

    /** The output with the wall-time figures (and only those) replaced by "#". */
    static String wallTimeMasked(String text) {
        StringBuilder b = new StringBuilder();
        boolean table = false;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("backend ") && line.contains("wall ms")) {
                table = true;
            } else if (table && line.matches("^\\S+ +\\S+ +\\S+ +\\d+ .*")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^((?:\\S+ +){12})(\\S+)").matcher(line);
                if (m.find()) {
                    line = m.group(1).stripTrailing() + " #" + line.substring(m.end());
                }
            }
            b.append(line.replaceAll("in [0-9.]+ s wall time", "in # s wall time")).append('\n');
        }
        return b.toString();
    }

    @Test
    void aCorrectWorkloadThatBreaksFailsTheJob() throws IOException {
        // Device writes land one byte further than mapped: every correct workload's data check must fail.
        h.backend(WrappingBackend.port("skewed", h.direct, SkewedWritesPort::new)).allDevices();
        assertEquals(1, h.run(scenario("rounds 1\nworkload loopback\n")), h.text());
        assertTrue(row("skewed", "loopback").endsWith("FAILED"), h.text());
        assertTrue(h.text().contains("iommulab: FAILED: 1 of 1 runs not as expected"), h.text());
    }

    @Test
    void aScenarioPicksBackendsAndWorkloadsInItsOrder() throws IOException {
        h.directAndSwiotlb().generic().allDevices();
        assertEquals(0, h.run(scenario("backends generic direct\nworkload mmc-buggy rounds=1\nworkload mmc size=8K\n")), h.text());
        List<String> rows = h.text().lines().filter(l -> l.matches("^(direct|generic|swiotlb) .*")).toList();
        assertEquals(4, rows.size(), h.text());
        assertTrue(rows.get(0).startsWith("generic   mmc-buggy"), rows.get(0));
        assertTrue(rows.get(1).startsWith("generic   mmc "), rows.get(1));
        assertTrue(rows.get(2).startsWith("direct    mmc-buggy"), rows.get(2));
    }

    @Test
    void aSmallMaxSegmentStopsTheMergeAndTheBuggyDriverThenPassesAndTheDeviceIsRestored() throws IOException {
        h.generic().allDevices();
        assertEquals(0, h.run(scenario("workload mmc-buggy rounds=2\ndevice mmc1 maxseg=4K\n")), h.text());
        assertTrue(row("generic", "mmc-buggy").endsWith("ok (not merged)"), h.text());
        assertEquals(64 * 1024, h.platform.device("mmc1").descriptor().maxSegmentSize(), "restored after the run");
    }

    @Test
    void aScenarioThatDoesNotFitTheRunningPlatformChangesNothingAndExitsTwo() throws IOException {
        h.directAndSwiotlb().allDevices();
        long maps = h.platform.stats("mmc0").get(Stat.SG_MAPS);
        assertEquals(2, h.run(scenario("workload mmc\n\nbackends direct smmu-v9\n")));
        assertTrue(h.text().contains("scenario test.scenario:3: backend 'smmu-v9' is not present; present: direct, swiotlb"),
                h.text());
        assertEquals(2, h.run(scenario("# sizes\nworkload nic size=64K\n")));
        assertTrue(h.text().contains("scenario test.scenario:2: workload nic: nic size is the largest payload"), h.text());
        assertEquals(2, h.run(scenario("device mmc0 mask=65\nworkload mmc\n")));
        assertTrue(h.text().contains("scenario test.scenario:1: mask is a width in bits, 1..64"), h.text());
        assertEquals(maps, h.platform.stats("mmc0").get(Stat.SG_MAPS), "nothing ran");
        assertFalse(h.text().contains("ops"), "no table was printed");
    }

    @Test
    void aRefusingBackendIsShownAsRefusedNotAsAFailure() throws IOException {
        RecordingBackend picky = new RecordingBackend("picky");
        picky.accepts = device -> false;
        picky.attachFailure = "picky takes no device";
        h.backend(h.direct).backend(picky).allDevices();
        assertEquals(0, h.run(scenario("rounds 1\nworkload nic\n")), h.text());
        assertTrue(row("picky", "nic").endsWith("refused"), h.text());
        assertTrue(h.text().contains("picky/nic: not run: backend picky does not accept device nic0"), h.text());
    }

    @Test
    void noBackendMeansNothingToRunAndAFailure() {
        h.allDevices();
        assertEquals(1, h.run(Scenario.defaults()));
        assertTrue(h.text().contains("nothing to run"));
    }
}
