package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.CheckerFixture.PAGE;
import static org.iommulab.platform.internal.dma.CheckerFixture.assertFinding;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.testkit.FakeDriver;
import org.iommulab.testkit.RecordingBackend;
import org.junit.jupiter.api.Test;

/**
 * Leaks at release (dma_debug_device_change): the mappings a driver still holds when it is
 * released are one LEAK finding on the backend they leaked on, as dma-debug prints one error:
 * "device driver has pending DMA allocations while released from device [count=N]" and "One of
 * leaked entries details: ...". Every one is counted and reclaimed.
 */
class CheckerLeakTest {
    @Test
    void theLeaksAreOneFindingWithTheirCountAndOneExampleOnTheOldBackend() {
        CheckerFixture f = new CheckerFixture();
        f.drivers.leak = true;
        f.platform.bind("dev0", "fake"); // pin; the running driver does not leak yet
        RecordingBackend other = new RecordingBackend("other");
        f.platform.addBackend(other, props(other, -1));
        f.platform.bind("dev0", "other");
        FakeDriver leaky = f.drivers.running("dev0");
        long dma = leaky.map(f.page(), 3 * PAGE, DmaDirection.BIDIRECTIONAL);
        SgTable sg = SgTable.of(new long[] {f.page()}, new int[] {512});
        leaky.mapSg(sg, DmaDirection.TO_DEVICE);
        CoherentAllocation c = leaky.alloc(PAGE);
        f.platform.bind("dev0", "fake");

        List<Finding> leaks = f.heard;
        assertEquals(1, leaks.size(), "one error, as dma-debug prints it: " + leaks);
        Finding x = leaks.get(0);
        assertEquals(FindingKind.LEAK, x.kind());
        assertEquals("other", x.backend());
        assertNull(x.calledAt(), "a leak has no offending call");
        assertTrue(x.message().startsWith("DMA-API: dev0: device driver has pending DMA allocations while released from device "
                + "[count=3]\nOne of leaked entries details: [device address="), x.message());
        // The example is one of the three, described as dma-debug's four fields describe it.
        String detail;
        if (x.dmaAddress() == dma) {
            detail = "[size=12288 bytes] [mapped with DMA_BIDIRECTIONAL] [mapped as single]";
        } else if (x.dmaAddress() == c.dmaHandle()) {
            detail = "[size=4096 bytes] [mapped with DMA_BIDIRECTIONAL] [mapped as coherent]";
        } else {
            assertEquals(sg.dmaAddressField(0), x.dmaAddress());
            detail = "[size=512 bytes] [mapped with DMA_TO_DEVICE] [mapped as scatter-gather]";
        }
        assertTrue(x.message().endsWith(detail), x.message());
        assertEquals(1, f.platform.allStats().stream().filter(s -> s.backend().equals("other")).findFirst().orElseThrow()
                .get(Stat.CHECKER_FINDINGS), "counted on the backend the mappings leaked on");
        assertEquals(3, f.platform.allStats().stream().filter(s -> s.backend().equals("other")).findFirst().orElseThrow()
                .get(Stat.LEAKS_RECLAIMED), "every leaked mapping reclaimed and counted");
        List<String> log = f.platform.log("dev0");
        assertEquals(1, log.stream().filter(l -> l.contains("[count=3]")).count(), "the error once: " + log);
        assertEquals(0, f.platform.liveMappings("dev0"), "reclaimed");
    }

    @Test
    void aLeakUnderOneCachelineIsForgottenWithTheMapping() {
        CheckerFixture f = new CheckerFixture();
        f.drivers.leak = true;
        f.platform.bind("dev0", "fake");
        RecordingBackend other = new RecordingBackend("other");
        f.platform.addBackend(other, props(other, -1));
        f.platform.bind("dev0", "other");
        long buf = f.page();
        f.drivers.running("dev0").map(buf, 64, DmaDirection.FROM_DEVICE);
        f.platform.bind("dev0", "fake");
        assertEquals(FindingKind.LEAK, f.only(FindingKind.LEAK).kind());
        // The reclaimed mapping left the cacheline tracker and the CPU index: a new mapping of the
        // same line raises no overlap, and once it is unmapped a CPU read is clean.
        org.iommulab.api.dma.DmaApi now = f.drivers.api("dev0");
        long dma = now.mapPhys(buf, 64, DmaDirection.FROM_DEVICE, 0);
        now.mappingError(dma);
        f.none();
        now.unmapPhys(dma, 64, DmaDirection.FROM_DEVICE, 0);
        now.cpu().readLong(buf);
        f.none();
    }

    @Test
    void withTheCheckerOffLeaksAreStillLoggedAndReclaimedButNoFinding() {
        CheckerFixture f = new CheckerFixture(CheckerSettings.OFF, CheckerFixture.device().build(), false);
        f.drivers.leak = true;
        f.platform.bind("dev0", "fake");
        RecordingBackend other = new RecordingBackend("other");
        f.platform.addBackend(other, props(other, -1));
        f.platform.bind("dev0", "other");
        f.drivers.running("dev0").map(f.page(), PAGE, DmaDirection.TO_DEVICE);
        f.platform.bind("dev0", "fake");
        assertTrue(f.platform.log("dev0").stream().anyMatch(l -> l.startsWith(
                "dev0: DMA-API: device driver has pending DMA allocations while released from device [count=1]\n"
                        + "One of leaked entries details: ")), f.platform.log("dev0").toString());
        assertTrue(f.platform.findings().isEmpty());
        assertEquals(0, f.platform.liveMappings("dev0"));
    }
}
