package org.iommulab.platform.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaErrno;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.junit.jupiter.api.Test;

/** What a correct driver sees: results, sg status conversion, masks and the counters. */
class DeviceDmaApiTest {
    private static final long PAGE = DmaApiFixture.PAGE;

    private final DmaApiFixture f = new DmaApiFixture(0x20_0000_0000L);
    private final DmaApi api = f.api;

    private DeviceStats stats() {
        return f.platform.stats("dev0");
    }

    @Test
    void identityAndPassThroughQueries() {
        assertEquals("dev0", api.device().name());
        assertEquals("fake", api.backendName());
        assertNotSame(f.platform.memory(), api.cpu(), "with the checker on, the CPU view is checked");
        assertSame(api.cpu(), api.cpu(), "one view per API, made once");
        assertEquals(DmaMasks.bits(33), api.requiredMask());
        assertEquals(1 << 20, api.optMappingSize());
        assertEquals(Long.MAX_VALUE, api.maxMappingSize());
        assertEquals(64 * 1024, api.maxSegmentSize());
        assertTrue(api.mappingError(DmaMasks.MAPPING_ERROR));
        assertFalse(api.mappingError(0));
    }

    @Test
    void singleMappingsAreCountedAndReleased() {
        long p = f.page();
        long d1 = api.mapPage(p, 0x10, 100, DmaDirection.TO_DEVICE, DmaAttrs.SKIP_CPU_SYNC);
        assertEquals(p + 0x10 + f.backend.dmaOffset(), d1);
        long d2 = api.mapResource(0x1000_0000L, 256, DmaDirection.BIDIRECTIONAL, 0); // declared MMIO (virt's device region)
        api.syncSingleForCpu(d1, 100, DmaDirection.TO_DEVICE);
        api.unmapPage(d1, 100, DmaDirection.TO_DEVICE, 0);
        api.unmapResource(d2, 256, DmaDirection.BIDIRECTIONAL, 0);

        DeviceStats s = stats();
        assertEquals(2, s.get(Stat.MAPS));
        assertEquals(2, s.get(Stat.UNMAPS));
        assertEquals(356, s.get(Stat.MAPPED_BYTES));
        assertEquals(1, s.get(Stat.SYNCS));
        assertEquals(0, f.platform.liveMappings("dev0"));
    }

    @Test
    void aFailedSingleMappingIsCountedAndRecordsNothing() {
        f.backend.failMaps = true;
        long d = api.mapPhys(f.page(), PAGE, DmaDirection.TO_DEVICE, 0);
        assertTrue(api.mappingError(d));
        assertEquals(1, stats().get(Stat.MAP_FAILURES));
        assertEquals(0, stats().get(Stat.MAPS));
        assertEquals(0, f.platform.liveMappings("dev0"));
    }

    @Test
    void sgMappingKeepsBothCountsAndMergedSegmentsAreCounted() {
        f.backend.mergeSg = true;
        SgTable sg = SgTable.of(new long[] {f.page(), f.page(), f.page(), f.page()}, new int[] {4096, 4096, 4096, 4096});
        assertEquals(1, api.mapSg(sg, 4, DmaDirection.FROM_DEVICE, 0));
        assertEquals(1, sg.nents());
        DeviceStats s = stats();
        assertEquals(1, s.get(Stat.SG_MAPS));
        assertEquals(4, s.get(Stat.SG_ENTRIES));
        assertEquals(1, s.get(Stat.SG_SEGMENTS));
        assertEquals(4 * PAGE, s.get(Stat.MAPPED_BYTES));
        api.syncSgForCpu(sg, 4, DmaDirection.FROM_DEVICE);
        api.unmapSg(sg, 4, DmaDirection.FROM_DEVICE, 0);
        assertEquals(1, stats().get(Stat.SG_UNMAPS));
        assertEquals(0, sg.nents());
        assertTrue(f.backend.calls().contains("unmapSg dev0 4 FROM_DEVICE"), "unmap takes the original count");
    }

    @Test
    void mapSgOfAPrefixOfTheTable() {
        SgTable sg = SgTable.of(new long[] {f.page(), f.page(), f.page()}, new int[] {10, 20, 30});
        assertEquals(2, api.mapSg(sg, 2, DmaDirection.TO_DEVICE, 0));
        assertEquals(30, stats().get(Stat.MAPPED_BYTES));
        api.unmapSg(sg, 2, DmaDirection.TO_DEVICE, 0);
    }

    @Test
    void aFailingMapSgReturnsZeroAndMapSgtableTheErrno() {
        SgTable sg = SgTable.of(new long[] {f.page()}, new int[] {64});
        f.backend.sgStatus = DmaErrno.ENOMEM;
        assertEquals(0, api.mapSg(sg, 1, DmaDirection.TO_DEVICE, 0));
        assertEquals(DmaErrno.ENOMEM, api.mapSgtable(sg, DmaDirection.TO_DEVICE, 0));
        f.backend.sgStatus = DmaErrno.EREMOTEIO;
        assertEquals(DmaErrno.EREMOTEIO, api.mapSgtable(sg, DmaDirection.TO_DEVICE, 0));
        f.backend.sgStatus = DmaErrno.EINVAL;
        assertEquals(DmaErrno.EINVAL, api.mapSgtable(sg, DmaDirection.TO_DEVICE, 0));
        assertEquals(0, sg.nents());
        assertEquals(4, stats().get(Stat.MAP_FAILURES));
        assertEquals(0, stats().get(Stat.SG_MAPS));
        assertEquals(0, f.platform.liveMappings("dev0"));
    }

    @Test
    void aStatusOutsideTheFourBecomesEioWithOneWarning() {
        SgTable sg = SgTable.of(new long[] {f.page()}, new int[] {64});
        f.backend.sgStatus = -7;
        assertEquals(DmaErrno.EIO, api.mapSgtable(sg, DmaDirection.TO_DEVICE, 0));
        assertEquals(0, api.mapSg(sg, 1, DmaDirection.TO_DEVICE, 0));
        f.backend.sgStatus = 0;
        assertEquals(DmaErrno.EIO, api.mapSgtable(sg, DmaDirection.TO_DEVICE, 0));
        long warnings = f.log().stream().filter(l -> l.contains("WARN_ON_ONCE")).count();
        assertEquals(1, warnings, "once: " + f.log());
        assertTrue(f.log().stream().anyMatch(l -> l.contains("map_sg returned -7")));
    }

    @Test
    void mapSgtableSetsNentsAndReturnsZero() {
        SgTable sg = SgTable.of(new long[] {f.page(), f.page()}, new int[] {4096, 512});
        assertEquals(0, api.mapSgtable(sg, DmaDirection.BIDIRECTIONAL, 0));
        assertEquals(2, sg.nents());
        assertEquals(sg.cpuPhys(1) + f.backend.dmaOffset(), sg.dmaAddress(1));
        api.unmapSgtable(sg, DmaDirection.BIDIRECTIONAL, 0);
        assertEquals(0, sg.nents());
    }

    @Test
    void coherentBuffersAreCountedAndFailuresToo() {
        CoherentAllocation c = api.allocCoherent(5000);
        assertNotNull(c);
        assertEquals(1, stats().get(Stat.COHERENT_ALLOCS));
        api.freeCoherent(c);
        assertEquals(1, stats().get(Stat.COHERENT_FREES));
        f.backend.failCoherent = true;
        assertNull(api.allocCoherent(PAGE));
        assertEquals(1, stats().get(Stat.MAP_FAILURES));
        assertEquals(0, f.platform.liveMappings("dev0"));
    }

    @Test
    void setMaskAsksTheBackendAndKeepsTheOldMaskOnEio() {
        f.backend.minSupportedMask = DmaMasks.bits(32);
        assertEquals(DmaErrno.EIO, api.setMask(DmaMasks.bits(24)));
        assertEquals(~0L, api.mask(), "unchanged");
        assertEquals(0, api.setMask(DmaMasks.bits(40)));
        assertEquals(DmaMasks.bits(40), api.mask());
        assertEquals(DmaErrno.EIO, api.setCoherentMask(DmaMasks.bits(16)));
        assertEquals(0, api.setMaskAndCoherent(DmaMasks.bits(36)));
        assertEquals(DmaMasks.bits(36), api.mask());
        assertEquals(DmaMasks.bits(36), api.coherentMask());
        assertEquals(DmaMasks.bits(36), f.platform.dmaMask("dev0"));
    }

    @Test
    void backendCountersAreReadAtSnapshotTime() {
        f.backend.counters.put(BackendCounter.BOUNCED_BYTES_TO_DEVICE, 100L);
        f.backend.counters.put(BackendCounter.IOTLB_MISSES, 3L);
        DeviceStats s = stats();
        assertEquals(100, s.get(Stat.BOUNCED_BYTES), "FROM_DEVICE is -1, read as 0");
        assertEquals(0, s.get(Stat.IOTLB_HITS));
        assertEquals(3, s.get(Stat.IOTLB_MISSES));
        f.backend.counters.put(BackendCounter.BOUNCED_BYTES_FROM_DEVICE, 50L);
        assertEquals(150, stats().get(Stat.BOUNCED_BYTES));
    }

    @Test
    void backendWarningsAreLoggedAndCounted() {
        f.backend.failMaps = true;
        long p = f.page();
        assertTrue(api.mappingError(api.mapPhys(p, 64, DmaDirection.TO_DEVICE, 0)));
        assertEquals(1, stats().get(Stat.WARNINGS));
        assertTrue(f.log().contains(String.format("dev0: DMA addr 0x%x+64 overflow (fake)", p)), f.log().toString());
    }
}
