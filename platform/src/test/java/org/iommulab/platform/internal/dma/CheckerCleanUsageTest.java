package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.CheckerFixture.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.dma.SgMiter;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.MemoryAccess;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.junit.jupiter.api.Test;

/**
 * What a correct driver does raises nothing: a clean map/sync/unmap cycle of every kind, in
 * every direction, with the CPU touching its buffers only when it owns them. And with the
 * checker off, nothing at all is found while the API's contract (exceptions for misuse) stays.
 */
class CheckerCleanUsageTest {
    private static final DmaDirection TO = DmaDirection.TO_DEVICE;
    private static final DmaDirection FROM = DmaDirection.FROM_DEVICE;
    private static final DmaDirection BIDI = DmaDirection.BIDIRECTIONAL;

    /** Every pattern a correct driver uses, on {@code f}. */
    private static void correctDriver(CheckerFixture f) {
        DmaApi api = f.api;
        MemoryAccess cpu = api.cpu();
        // Transmit: fill, map, (device reads), unmap.
        long tx = f.page();
        cpu.fill(tx, PAGE, (byte) 0x42);
        long d = api.mapPage(tx, 0, PAGE, TO, 0);
        assertFalse(api.mappingError(d));
        cpu.readLong(tx);
        api.unmapPage(d, PAGE, TO, 0);
        // Receive: map, (device writes), sync for cpu, read, give back, sync for cpu, unmap.
        long rx = f.kmalloc(1536);
        d = api.mapPhys(rx, 1536, FROM, 0);
        assertFalse(api.mappingError(d));
        api.syncSingleForCpu(d, 1536, FROM);
        cpu.read(rx, new byte[1536], 0, 1536);
        api.syncSingleForDevice(d, 1536, FROM);
        api.syncSingleRangeForCpu(d, 0, 64, FROM);
        cpu.readInt(rx + 60);
        api.unmapPhys(d, 1536, FROM, 0);
        cpu.readInt(rx + 1000);
        // Bidirectional, synced in either direction (Linux skips the direction check for it).
        long bi = f.page();
        d = api.mapPhys(bi, PAGE, BIDI, 0);
        assertFalse(api.mappingError(d));
        api.syncSingleForCpu(d, PAGE, FROM);
        cpu.writeLong(bi, 1);
        api.syncSingleForDevice(d, PAGE, TO);
        api.syncSingleForCpu(d, PAGE, BIDI);
        cpu.readLong(bi);
        api.unmapPhys(d, PAGE, BIDI, 0);
        // Resource (MMIO).
        d = api.mapResource(0x7000_0000L, PAGE, BIDI, 0);
        assertFalse(api.mappingError(d));
        api.unmapResource(d, PAGE, BIDI, 0);
        // Scatter-gather, merged or not, walked through the CPU view after sync_for_cpu.
        for (boolean merge : new boolean[] {false, true}) {
            f.backend.mergeSg = merge;
            SgTable sg = SgTable.of(new long[] {f.page(), f.page(), f.page()}, new int[] {4096, 4096, 1000});
            assertEquals(0, api.mapSgtable(sg, FROM, 0));
            api.syncSgtableForCpu(sg, FROM);
            SgMiter m = new SgMiter(sg);
            byte[] chunk = new byte[512];
            while (m.next()) {
                cpu.read(m.phys(), chunk, 0, Math.min(chunk.length, m.length()));
            }
            api.syncSgtableForDevice(sg, FROM);
            api.unmapSgtable(sg, FROM, 0);
            SgTable out = SgTable.of(new long[] {f.page(), f.page()}, new int[] {2048, 2048});
            cpu.fill(out.cpuPhys(0), 2048, (byte) 1);
            int n = api.mapSg(out, 2, TO, 0);
            assertTrue(n > 0);
            api.syncSgForDevice(out, 2, TO);
            api.unmapSg(out, 2, TO, 0);
        }
        // Coherent: the CPU touches it any time.
        CoherentAllocation c = api.allocCoherent(3 * PAGE);
        cpu.writeLong(c.cpuAddress() + 8, 5);
        cpu.readLong(c.cpuAddress() + 8);
        api.freeCoherent(c);
        assertTrue(api.mappingError(DmaMasks.MAPPING_ERROR));
    }

    @Test
    void aCorrectDriverRaisesNothing() {
        CheckerFixture f = new CheckerFixture();
        correctDriver(f);
        f.none();
        assertEquals(0, f.platform.liveMappings("dev0"));
    }

    @Test
    void aCorrectDriverOnAnIsolatingBackendWithPageBuffersRaisesNothing() {
        CheckerFixture f = new CheckerFixture(CheckerSettings.DEFAULT, CheckerFixture.device().build(), true);
        long p = f.page();
        long d = f.map(p, PAGE, TO);
        f.api.unmapPhys(d, PAGE, TO, 0);
        f.none();
    }

    @Test
    void withTheCheckerOffNothingIsFoundAndTheCpuViewIsRawMemory() {
        CheckerFixture f = new CheckerFixture(CheckerSettings.OFF, CheckerFixture.device().build(), true);
        DmaApi api = f.api;
        assertFalse(f.platform.checkerEnabled());
        assertSame(f.platform.memory(), api.cpu(), "raw memory");
        correctDriver(f);
        // Misuse is still refused with dma-debug's words, logged, and changes nothing.
        long buf = f.kmalloc(64);
        f.kmalloc(64);
        long d = api.mapPhys(buf, 64, FROM, 0);
        DmaUsageException e = assertThrows(DmaUsageException.class, () -> api.unmapPhys(d, 32, FROM, 0));
        assertTrue(e.getMessage().startsWith("DMA-API: device driver frees DMA memory with different size"));
        assertTrue(f.platform.log("dev0").contains("dev0: " + e.getMessage()));
        assertThrows(DmaUsageException.class, () -> api.syncSingleForDevice(d, 64, TO));
        api.cpu().readLong(buf);
        api.mapPhys(buf, 64, FROM, 0);
        api.unmapPhys(d, 64, FROM, 0);
        assertTrue(f.platform.findings().isEmpty(), f.platform.findings().toString());
        assertTrue(f.heard.isEmpty());
        assertEquals(0, f.platform.stats("dev0").get(Stat.CHECKER_FINDINGS));
        assertEquals(0, f.platform.stats("dev0").get(Stat.EXPOSED_BYTES));
    }

    @Test
    void mapSitesAreRecordedOnlyWhenAskedFor() {
        CheckerFixture off = new CheckerFixture();
        long d = off.api.mapPhys(off.page(), 64, TO, 0);
        off.api.unmapPhys(d, 64, TO, 0);
        assertEquals(null, off.only(org.iommulab.api.checker.FindingKind.MAP_ERROR_NOT_CHECKED).mappedAt());

        CheckerFixture on = new CheckerFixture(new CheckerSettings(true, true), CheckerFixture.device().build(), false);
        long d2 = on.api.mapPhys(on.page(), 64, TO, 0);
        on.api.unmapPhys(d2, 64, TO, 0);
        String mappedAt = on.only(org.iommulab.api.checker.FindingKind.MAP_ERROR_NOT_CHECKED).mappedAt();
        assertTrue(mappedAt != null && mappedAt.startsWith(
                "org.iommulab.platform.internal.dma.CheckerCleanUsageTest.mapSitesAreRecordedOnlyWhenAskedFor(CheckerCleanUsageTest.java:"),
                mappedAt);
        assertFalse(new CheckerSettings(false, true).recordMapSites(), "nothing is recorded with the checker off");
    }
}
