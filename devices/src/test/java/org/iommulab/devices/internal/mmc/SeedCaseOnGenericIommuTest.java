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

    /**
     * The buggy driver's damage does not depend on what ran before it, once the allocator's
     * per-CPU lists are drained (as the main job does before every measured run, after binding): one 64 KiB
     * request on a fresh platform, and the same after other workloads churned and dirtied
     * memory, give the same data errors and the same first finding.
     *
     * <p>The count from first principles: drained, the request's 32 entries and their spacers
     * are taken first fit, entry k at A + 2k pages, spacer k at A + (2k+1) pages. The IOMMU merges
     * each 16-entry list into one 64 KiB segment; the DMA engine moves its first 4 KiB. The write
     * request's PIO reads the 15 pages after write entry 0 (spacer 0, entry 1, spacer 1, ...,
     * entry 7, spacer 7) and sends them as card bytes 4-64 KiB; the read request's PIO writes
     * them to the 15 pages after read entry 0, so read entry j (1..7) gets page 2j of them, which
     * is write entry j: right. Read entries 8..15 receive nothing and keep the poison 0x5a, so
     * every byte of data[32 KiB, 64 KiB) that is not 0x5a is wrong.
     */
    @Test
    void theBuggyDriversDamageDoesNotDependOnWhatRanBefore() {
        WorkloadParams one = new WorkloadParams(1, 0, 9);
        h.platform.bind(DriverKind.MMC.device(), "generic"); // as in the other platform: same live allocations
        WorkloadReport fresh = runDrained(h, one);
        String freshFinding = firstFindingOf("mmc1", 0);

        DriverHarness other = new DriverHarness().withStandardBackends().withAllDevices();
        GenericIommuModel hw = new GenericIommuModel(GenericIommuDriver.NAME, 48, 48, 16, 256, 64, false);
        other.backend(IommuDmaBackend.of(new GenericIommuDriver(hw), false, () -> other.pool));
        other.run(DriverKind.MMC, "generic", new WorkloadParams(3, 0, 5));
        other.run(DriverKind.MMC_BUGGY, "generic", new WorkloadParams(2, 0, 7));
        int before = other.platform.findings().size();
        WorkloadReport after = runDrained(other, one);

        java.util.Random rnd = new java.util.Random(9);
        rnd.nextInt((MmcHost.CARD_BYTES - 65536) / MmcHost.BLOCK + 1); // the card offset, drawn first
        byte[] data = org.iommulab.devices.internal.core.DataCheck.random(rnd, 65536);
        long wrong = 0;
        for (int i = 32768; i < data.length; i++) {
            wrong += data[i] != MmcDriver.POISON ? 1 : 0;
        }
        assertEquals(wrong, fresh.dataErrors(), fresh.toString());
        assertEquals(wrong, after.dataErrors(), after.toString());
        assertEquals(freshFinding, firstFindingOfIn(other, "mmc1", before));
    }

    /** As the main job runs it: bound (the driver probed), the allocator drained, then run. */
    private static WorkloadReport runDrained(DriverHarness harness, WorkloadParams params) {
        harness.platform.bind(DriverKind.MMC_BUGGY.device(), "generic");
        harness.allocator.drainAllPages();
        return harness.workload(DriverKind.MMC_BUGGY.workload()).run(params);
    }

    private String firstFindingOf(String device, int from) {
        return firstFindingOfIn(h, device, from);
    }

    private static String firstFindingOfIn(DriverHarness harness, String device, int from) {
        return harness.platform.findings().stream().skip(from).filter(f -> f.device().equals(device)).findFirst()
                .orElseThrow().message();
    }
}
