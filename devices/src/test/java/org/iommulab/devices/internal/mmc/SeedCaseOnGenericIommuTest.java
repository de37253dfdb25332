package org.iommulab.devices.internal.mmc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.devices.SgLayout;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.DriverKind;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.iommulab.iommu.dma.internal.dma.IommuDmaBackend;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.junit.jupiter.api.Test;

/**
 * The seed case on the real thing: iommu-dma over the generic IOMMU merges the MMC request into
 * one IOVA segment, the correct driver passes and the buggy one is caught by the checker and the
 * data check. Every other workload passes there too.
 */
class SeedCaseOnGenericIommuTest {
    private final DriverHarness h = new DriverHarness().withStandardBackends().withAllDevices();

    SeedCaseOnGenericIommuTest() {
        GenericIommuModel hw = new GenericIommuModel(GenericIommuDriver.NAME, 48, 48, 16, 256, 64, false);
        h.backend(IommuDmaBackend.of(new GenericIommuDriver(hw), false, () -> h.pool));
    }

    @Test
    void theBuggyDriverIsCaughtAndTheCorrectOnePasses() {
        assertTrue(h.platform.checkerEnabled(), "the platform's checker is on by default");
        WorkloadReport good = h.run(DriverKind.MMC, "generic", new WorkloadParams(4, 0, 9));
        assertTrue(good.merged() && good.clean(), good.toString());
        assertEquals(0, h.stat("mmc0", Stat.CHECKER_FINDINGS));

        WorkloadReport bad = h.run(DriverKind.MMC_BUGGY, "generic", new WorkloadParams(4, 0, 9));
        assertTrue(bad.merged());
        assertTrue(bad.dataErrors() > 0, bad.toString());
        assertTrue(h.stat("mmc1", Stat.CHECKER_FINDINGS) > 0);
        assertTrue(h.platform.findings().stream().anyMatch(f -> f.device().equals("mmc1")
                && f.kind() == FindingKind.CPU_ACCESS_UNALLOCATED), h.platform.findings().toString());
    }

    /**
     * The picture's record of the seed case. The default request is 64 KiB in 16 scattered 4 KiB
     * pages; the IOMMU merges them into one 64 KiB segment (the device's max segment size). The
     * DMA engine moves the first 4 KiB of it, the driver moves the other 60 KiB = 61440 bytes by
     * PIO and puts them right after entry 0, where none of them belongs (the pages are scattered
     * with spacers, so entry 1 never follows entry 0): all 61440 are misplaced. On direct every
     * entry is its own segment, the pairing holds and nothing is moved by PIO.
     */
    @Test
    void theBuggyDriverRecordsItsPairingAndTheBytesItMisplaced() {
        SgLayout merged = h.run(DriverKind.MMC_BUGGY, "generic", new WorkloadParams(1, 0, 9)).sgLayout();
        assertEquals(16, merged.entries());
        assertEquals(1, merged.segments());
        assertEquals(64 * 1024, merged.dmaLength(0));
        assertEquals(List.of(new SgLayout.Pair(0, 0, 61440, 61440)), merged.pairs());
        assertArrayEquals(new int[] {0, 15}, merged.covered(0));

        SgLayout direct = h.run(DriverKind.MMC_BUGGY, "direct", new WorkloadParams(1, 0, 9)).sgLayout();
        assertEquals(16, direct.segments());
        assertEquals(16, direct.pairs().size());
        for (SgLayout.Pair p : direct.pairs()) {
            assertEquals(p.segment(), p.entry());
            assertEquals(0, p.pioBytes());
            assertArrayEquals(new int[] {p.segment(), p.segment()}, direct.covered(p.segment()));
        }

        SgLayout correct = h.run(DriverKind.MMC, "generic", new WorkloadParams(1, 0, 9)).sgLayout();
        assertEquals(1, correct.segments());
        assertTrue(correct.pairs().isEmpty(), "the SgMiter driver pairs nothing");
    }

    @Test
    void everyCorrectWorkloadPassesBehindTheIommu() {
        for (DriverKind kind : DriverKind.values()) {
            if (kind == DriverKind.MMC_BUGGY) {
                continue;
            }
            WorkloadReport r = h.run(kind, "generic", new WorkloadParams(3, 0, 4));
            assertTrue(r.clean(), r.toString());
            assertEquals(0, r.skipped(), "an IOMMU gives the camera its one segment: " + r.notes());
            assertEquals(0, h.stat(kind.device(), Stat.CHECKER_FINDINGS), kind + ": " + h.platform.findings());
        }
    }
}
