package org.iommulab.devices.internal.mmc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.DriverKind;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.iommulab.devices.internal.testing.MergingBackend;
import org.junit.jupiter.api.Test;

/**
 * The 2015 seed case on a backend that merges scatterlists: the correct MMC driver passes, the
 * driver that pairs DMA segment N with CPU entry N is caught by the end-to-end data check and,
 * where the platform's checker is on, by a finding for its CPU access outside the request.
 */
class MmcSeedCaseTest {
    private final DriverHarness h = new DriverHarness().withStandardBackends().withAllDevices();

    MmcSeedCaseTest() {
        h.backend(MergingBackend.over("merge", h.direct));
    }

    @Test
    void theCorrectDriverPassesWhereTheListIsMerged() {
        WorkloadReport r = h.run(DriverKind.MMC, "merge", new WorkloadParams(6, 0, 3));
        assertTrue(r.merged(), "the test backend must merge: " + r);
        assertEquals(6 * 2, r.sgLists());
        assertEquals(6 * 2 * 16, r.cpuEntries());
        assertEquals(6 * 2, r.dmaSegments(), "16 pages of 4 KiB merge into one 64 KiB segment");
        assertNull(r.firstError(), r.toString());
        assertTrue(r.clean());
        assertEquals(6 * 2 * 64 * 1024, r.bytes());
        assertEquals(0, h.stat("mmc0", Stat.CHECKER_FINDINGS));
    }

    @Test
    void theBuggyDriverIsCaughtWhereTheListIsMerged() {
        long before = h.stat("mmc1", Stat.CHECKER_FINDINGS);
        WorkloadReport r = h.run(DriverKind.MMC_BUGGY, "merge", new WorkloadParams(6, 0, 3));
        assertTrue(r.merged());
        assertTrue(r.dataErrors() > 0, "the data check must catch the buggy driver: " + r);
        assertNotNull(r.firstError());
        assertTrue(r.firstError().contains("read back"), r.firstError());
        assertEquals(0, r.faults(), "the bug corrupts silently: the device itself never faults");
        if (h.platform.checkerEnabled()) {
            assertTrue(h.stat("mmc1", Stat.CHECKER_FINDINGS) > before, "the checker must see the CPU write outside the request");
            List<Finding> findings = h.platform.findings();
            assertTrue(findings.stream().anyMatch(f -> f.device().equals("mmc1")
                    && (f.kind() == FindingKind.CPU_ACCESS_UNALLOCATED || f.kind() == FindingKind.CPU_ACCESS_DEVICE_OWNED)),
                    "findings: " + findings);
        }
    }

    @Test
    void bothDriversPassWhereTheListIsNotMerged() {
        for (String backend : new String[] {"direct", "swiotlb"}) {
            for (DriverKind kind : new DriverKind[] {DriverKind.MMC, DriverKind.MMC_BUGGY}) {
                WorkloadReport r = h.run(kind, backend, new WorkloadParams(3, 0, 5));
                assertFalse(r.merged(), r.toString());
                assertEquals(r.cpuEntries(), r.dmaSegments());
                assertTrue(r.clean(), r.toString());
            }
        }
    }

    @Test
    void aRequestThatIsNotWholePagesStillPassesForTheCorrectDriver() {
        // 5 KiB + 512: two entries, the second 1.5 KiB; merged into one segment, 1.5 KiB of it by PIO.
        WorkloadReport r = h.run(DriverKind.MMC, "merge", new WorkloadParams(4, 5 * 1024 + 512, 11));
        assertTrue(r.merged());
        assertTrue(r.clean(), r.toString());
    }

    @Test
    void theCardKeepsItsDataAcrossASwap() {
        // A driver bound to one backend writes; after the swap a new driver instance reads the same card.
        MmcHost host = h.models.model("mmc0", MmcHost.class, MmcHost::new);
        h.run(DriverKind.MMC, "direct", new WorkloadParams(1, 0, 1));
        h.platform.bind("mmc0", "merge");
        assertEquals(host, h.models.model("mmc0", MmcHost.class, MmcHost::new), "the hardware outlives its driver");
        assertTrue(h.workload("mmc").run(new WorkloadParams(1, 0, 1)).clean());
    }
}
