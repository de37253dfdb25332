package org.iommulab.swiotlb.internal.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaErrno;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.DmaRange;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.swiotlb.internal.TestRig;
import org.iommulab.swiotlb.internal.pool.BouncePool;
import org.junit.jupiter.api.Test;

/** The {@code direct} backend: Linux dma-direct with the swiotlb fallback. */
class DirectBackendTest {
    final TestRig rig = new TestRig();
    final BouncePool pool = rig.pool(1 << 20);
    final AtomicReference<SwiotlbPool> poolRef = new AtomicReference<>(pool);
    final DmaDirectBackend direct = new DmaDirectBackend("direct", false, poolRef::get);
    final long high = rig.pages(64, Zone.HIGH);
    final long low = rig.pages(64, Zone.DMA32);

    private DeviceBinding attach(SimDmaDevice dev) {
        assertTrue(direct.accepts(dev));
        return direct.attach(dev);
    }

    @Test
    void identityMappingReturnsThePhysicalAddressAndNeverBounces() {
        SimDmaDevice dev = rig.device("nic", 64);
        DeviceBinding b = attach(dev);
        assertEquals(high + 0x10, b.ops().mapPhys(high + 0x10, 5000, DmaDirection.BIDIRECTIONAL, 0));
        b.ops().unmapPhys(high + 0x10, 5000, DmaDirection.BIDIRECTIONAL, 0);
        assertEquals(0, pool.stats().mappings());
        assertEquals(0, b.counter(BackendCounter.BOUNCED_MAPPINGS));
        assertEquals(-1, b.counter(BackendCounter.IOTLB_HITS));
        assertEquals(-1, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
        assertEquals(high + 0x10, b.port().translate(0, high + 0x10, AccessType.WRITE));
    }

    @Test
    void rangeMapTranslatesBothWays() {
        // All RAM [1 GiB, 8 GiB) appears on the bus at 0.
        SimDmaDevice dev = rig.device(DeviceDescriptor.builder("soc").dmaMask(~0L)
                .dmaRange(new DmaRange(0x4000_0000L, 0, 0x1_C000_0000L)).build());
        DeviceBinding b = attach(dev);
        long dma = b.ops().mapPhys(high + 0x123, 100, DmaDirection.TO_DEVICE, 0);
        assertEquals(high + 0x123 - 0x4000_0000L, dma);
        assertEquals(high + 0x123, b.port().translate(0, dma, AccessType.READ));
        assertEquals(0x1_FFFF_FFFFL, b.ops().requiredMask(), "last page 0x1_ffff_f000 is at bus 0x1_bfff_f000");
        assertEquals(0, pool.stats().mappings());
    }

    @Test
    void addressOutsideTheRangeMapBouncesOrFails() {
        // Only [1 GiB, 4 GiB) has bus addresses; a high buffer has none.
        SimDmaDevice dev = rig.device(DeviceDescriptor.builder("soc").dmaMask(~0L)
                .dmaRange(new DmaRange(0x4000_0000L, 0x1000_0000L, 0xC000_0000L)).build());
        DeviceBinding b = attach(dev);
        long dma = b.ops().mapPhys(high, 100, DmaDirection.TO_DEVICE, 0);
        assertTrue(pool.isBounce(dma - 0x1000_0000L + 0x4000_0000L), "bounced into the pool, seen through the map");
        assertEquals(1, b.counter(BackendCounter.BOUNCED_MAPPINGS));
        poolRef.set(null);
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(high, 100, DmaDirection.TO_DEVICE, 0));
        assertEquals(List.of("soc: DMA addr 0xffffffffffffffff+100 overflow (mask ffffffffffffffff, bus limit 0)."),
                dev.warnings());
    }

    @Test
    void thirtyTwoBitDeviceBouncesABufferAbove4GiB() {
        SimDmaDevice dev = rig.device("dev32", 32);
        DeviceBinding b = attach(dev);
        rig.pattern(high, 8192, 1);
        long dma = b.ops().mapPhys(high, 8192, DmaDirection.FROM_DEVICE, 0);
        assertTrue(dma < 1L << 32 && pool.isBounce(dma));
        // The device writes through its port into the bounce buffer.
        long phys = b.port().translate(0, dma, AccessType.WRITE);
        rig.pattern(phys, 8192, 77);
        assertTrue(rig.hasPattern(high, 8192, 1, 0), "not visible before unmap");
        b.ops().unmapPhys(dma, 8192, DmaDirection.FROM_DEVICE, 0);
        assertTrue(rig.hasPattern(high, 8192, 77, 0));
        assertEquals(1, b.counter(BackendCounter.BOUNCED_MAPPINGS));
        assertEquals(8192, b.counter(BackendCounter.BOUNCED_BYTES_TO_DEVICE), "map always copies in");
        assertEquals(8192, b.counter(BackendCounter.BOUNCED_BYTES_FROM_DEVICE));
        assertEquals(0, pool.stats().usedSlots());
        // A buffer the device reaches is not bounced.
        assertEquals(low, b.ops().mapPhys(low, 8192, DmaDirection.FROM_DEVICE, 0));
    }

    @Test
    void withoutAPoolAnUnreachableBufferFailsWithLinuxWarning() {
        poolRef.set(null);
        SimDmaDevice dev = rig.device("dev32", 32);
        DeviceBinding b = attach(dev);
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(high + 0x10, 4096, DmaDirection.TO_DEVICE, 0));
        assertEquals(List.of(String.format("dev32: DMA addr 0x%016x+4096 overflow (mask ffffffff, bus limit 0).", high + 0x10)),
                dev.warnings());
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(high, 4096, DmaDirection.TO_DEVICE, DmaAttrs.NO_WARN));
        assertEquals(1, dev.warnings().size(), "NO_WARN is quiet");
        // The last byte decides: a buffer ending exactly at 4 GiB is reachable, one byte more is not.
        assertEquals(0xFFFF_F000L, b.ops().mapPhys(0xFFFF_F000L, 4096, DmaDirection.TO_DEVICE, 0));
    }

    @Test
    void busLimitCapsTheMask() {
        SimDmaDevice dev = rig.device(DeviceDescriptor.builder("behind-bridge").dmaMask(~0L)
                .busDmaLimit(DmaMasks.bits(32)).build());
        DeviceBinding b = attach(dev);
        long dma = b.ops().mapPhys(high, 100, DmaDirection.TO_DEVICE, 0);
        assertTrue(pool.isBounce(dma));
        assertEquals(256 * 1024, b.ops().maxMappingSize(), "addressing limited with a pool: swiotlb's limit");
    }

    @Test
    void bounceBufferOutOfReachIsUnmappedWithSwiotlbWarning() {
        // Everything, the pool included, is above 4 GiB on this device's bus.
        SimDmaDevice dev = rig.device(DeviceDescriptor.builder("far").dmaMask(DmaMasks.bits(32))
                .dmaRange(new DmaRange(0x4000_0000L, 0x1_4000_0000L, 0x1_C000_0000L)).build());
        DeviceBinding b = attach(dev);
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(low, 100, DmaDirection.BIDIRECTIONAL, 0));
        assertEquals(1, dev.warnings().size());
        assertTrue(dev.warnings().get(0).matches("far: swiotlb addr 0x00000001[0-9a-f]{8}\\+100 overflow \\(mask ffffffff, bus limit 0\\)\\."),
                dev.warnings().get(0));
        assertEquals(0, pool.stats().usedSlots(), "the bounce buffer was given back");
        assertEquals(0, b.counter(BackendCounter.BOUNCED_MAPPINGS));
        assertEquals(0, b.counter(BackendCounter.BOUNCED_BYTES_TO_DEVICE), "a bounce that was undone is not counted");
    }

    @Test
    void deviceReachesAnyRamAndFaultsOutsideIt() {
        SimDmaDevice dev = rig.device("dev32", 32);
        TranslationPort port = attach(dev).port();
        assertEquals(low + 5, port.translate(3, low + 5, AccessType.READ), "no isolation: unmapped RAM is reachable");
        assertEquals(0x1_8000_0000L, port.translate(0, 0x1_8000_0000L, AccessType.WRITE));
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> port.translate(7, 0x1000, AccessType.WRITE));
        assertEquals(FaultKind.EXTERNAL_ABORT, e.fault().kind());
        assertEquals(0x1000, e.fault().address());
        assertEquals(AccessType.WRITE, e.fault().access());
        assertEquals(7, e.fault().streamId());
        assertEquals("direct", e.fault().backend());
        assertEquals(List.of(e.fault()), dev.faults(), "reported once, before the throw");
        assertThrows(DmaFaultException.class, () -> port.translate(0, 0x2_0000_0000L, AccessType.READ));
        assertEquals(2, dev.faults().size());
    }

    @Test
    void busAddressOutsideEveryRangeFaults() {
        SimDmaDevice dev = rig.device(DeviceDescriptor.builder("soc").dmaMask(~0L)
                .dmaRange(new DmaRange(0x4000_0000L, 0, 0x4000_0000L)).build());
        TranslationPort port = attach(dev).port();
        assertEquals(0x4000_0010L, port.translate(0, 0x10, AccessType.READ));
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> port.translate(0, 0x4000_0000L, AccessType.READ));
        assertEquals(FaultKind.EXTERNAL_ABORT, e.fault().kind());
        assertEquals(1, dev.faults().size());
    }

    @Test
    void oneTranslationHoldsForTheWholeBlock() {
        TranslationPort identity = attach(rig.device("a", 64)).port();
        assertEquals(30, identity.pageShift(), "RAM boundaries at 1, 4 and 8 GiB are 1 GiB aligned");
        SimDmaDevice dev = rig.device(DeviceDescriptor.builder("b").dmaMask(~0L)
                .dmaRange(new DmaRange(0x4000_0000L, 0x20_0000L, 0x1_C000_0000L)).build());
        TranslationPort port = attach(dev).port();
        assertEquals(21, port.pageShift(), "a range at a 2 MiB bus offset gives 2 MiB blocks");
        long block = 1L << port.pageShift();
        for (long bus = 0x20_0000L; bus < 0x1_C020_0000L; bus += 0x1234_5678L) {
            long base = bus & -block;
            long last = base + block - 1;
            long pb = port.translate(0, base, AccessType.READ);
            assertEquals(pb + (bus - base), port.translate(0, bus, AccessType.READ));
            assertEquals(pb + (last - base), port.translate(0, last, AccessType.READ));
        }
    }

    @Test
    void mapSgIsOneToOneAndNeverMerges() {
        SimDmaDevice dev = rig.device("nic", 64);
        DeviceBinding b = attach(dev);
        SgTable sg = SgTable.of(new long[] {high, high + 4096, high + 8192, high + 12288}, new int[] {4096, 4096, 4096, 100});
        assertEquals(4, b.ops().mapSg(sg, 4, DmaDirection.TO_DEVICE, 0));
        assertEquals(4, sg.nents());
        for (int i = 0; i < 4; i++) {
            assertEquals(sg.cpuPhys(i), sg.dmaAddress(i));
            assertEquals(sg.cpuLength(i), sg.dmaLength(i));
        }
        b.ops().unmapSg(sg, 4, DmaDirection.TO_DEVICE, 0);
        assertEquals(0, sg.nents());
    }

    @Test
    void mapSgBouncesEachUnreachableEntryAndCopiesBackOnUnmap() {
        SimDmaDevice dev = rig.device("dev32", 32);
        DeviceBinding b = attach(dev);
        SgTable sg = SgTable.of(new long[] {high, low, high + 8192}, new int[] {3000, 4096, 5000});
        assertEquals(3, b.ops().mapSg(sg, 3, DmaDirection.FROM_DEVICE, 0));
        assertTrue(pool.isBounce(sg.dmaAddress(0)));
        assertEquals(low, sg.dmaAddress(1));
        assertTrue(pool.isBounce(sg.dmaAddress(2)));
        for (int i = 0; i < 3; i++) {
            rig.pattern(b.port().translate(0, sg.dmaAddress(i), AccessType.WRITE), sg.dmaLength(i), 10 * i);
        }
        b.ops().syncSgForCpu(sg, 3, DmaDirection.FROM_DEVICE);
        assertTrue(rig.hasPattern(high, 3000, 0, 0));
        assertTrue(rig.hasPattern(high + 8192, 5000, 20, 0));
        b.ops().unmapSg(sg, 3, DmaDirection.FROM_DEVICE, 0);
        assertEquals(0, pool.stats().usedSlots());
        assertEquals(2, b.counter(BackendCounter.BOUNCED_MAPPINGS));
        assertEquals(2 * 8000, b.counter(BackendCounter.BOUNCED_BYTES_FROM_DEVICE), "sync and unmap each copied back");
    }

    @Test
    void mapSgFailureUnmapsWhatItMappedWithSkipCpuSyncAndInvalidatesTheTable() {
        RecordingPool recording = new RecordingPool(pool);
        poolRef.set(recording);
        SimDmaDevice dev = rig.device("dev32", 32);
        DeviceBinding b = attach(dev);
        // Four whole segments fill the 1 MiB pool; the fifth entry cannot bounce.
        long[] addrs = new long[5];
        int[] lens = new int[5];
        for (int i = 0; i < 5; i++) {
            addrs[i] = high;
            lens[i] = 256 * 1024;
        }
        SgTable sg = SgTable.of(addrs, lens);
        assertEquals(DmaErrno.EIO, b.ops().mapSg(sg, 5, DmaDirection.BIDIRECTIONAL, 0));
        assertEquals(0, sg.nents());
        for (int i = 0; i < 5; i++) {
            assertEquals(DmaMasks.MAPPING_ERROR, sg.dmaAddressField(i));
            assertEquals(0, sg.dmaLengthField(i));
        }
        assertEquals(4, recording.unmapAttrs.size());
        for (int attrs : recording.unmapAttrs) {
            assertTrue(DmaAttrs.has(attrs, DmaAttrs.SKIP_CPU_SYNC));
        }
        assertEquals(0, pool.stats().usedSlots(), "nothing left mapped");
        assertEquals(1, dev.warnings().size(), "the pool-full warning");
        assertTrue(dev.warnings().get(0).startsWith("dev32: swiotlb buffer is full"));
    }

    @Test
    void mapSgFailureWithoutPoolReturnsEio() {
        poolRef.set(null);
        SimDmaDevice dev = rig.device("dev32", 32);
        DeviceBinding b = attach(dev);
        SgTable sg = SgTable.of(new long[] {low, low + 4096, high}, new int[] {4096, 4096, 4096});
        assertEquals(DmaErrno.EIO, b.ops().mapSg(sg, 3, DmaDirection.TO_DEVICE, 0));
        assertFalse(sg.isMapped());
        assertEquals(DmaMasks.MAPPING_ERROR, sg.dmaAddressField(0));
    }

    @Test
    void syncsOfADirectMappingCopyNothing() {
        SimDmaDevice dev = rig.device("nic", 64);
        DeviceBinding b = attach(dev);
        rig.pattern(high, 100, 1);
        long dma = b.ops().mapPhys(high, 100, DmaDirection.BIDIRECTIONAL, 0);
        b.ops().syncSingleForCpu(dma, 100, DmaDirection.BIDIRECTIONAL);
        b.ops().syncSingleForDevice(dma, 100, DmaDirection.BIDIRECTIONAL);
        assertEquals(0, b.counter(BackendCounter.BOUNCED_BYTES_TO_DEVICE));
        assertEquals(0, b.counter(BackendCounter.BOUNCED_BYTES_FROM_DEVICE));
        assertTrue(rig.hasPattern(high, 100, 1, 0));
    }

    @Test
    void mapResourceIsNeverBounced() {
        SimDmaDevice dev = rig.device("dev32", 32);
        DeviceBinding b = attach(dev);
        assertEquals(0x1000_0000L, b.ops().mapResource(0x1000_0000L, 4096, DmaDirection.BIDIRECTIONAL, 0));
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapResource(0x2_1000_0000L, 4096, DmaDirection.BIDIRECTIONAL, 0));
        assertEquals(List.of("dev32: DMA addr 0x0000000210000000+4096 overflow (mask ffffffff, bus limit 0)."), dev.warnings());
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(0x2_1000_0000L, 4096, DmaDirection.BIDIRECTIONAL, DmaAttrs.MMIO));
        assertEquals(0, pool.stats().mappings());
    }

    @Test
    void coherentBuffersComeFromTheZoneTheMaskReachesZeroed() {
        TestRig small = TestRig.small();
        // Dirty all of DMA32 so a buffer that is not zeroed would show it.
        small.memory.fill(0x4000_0000L, 16L << 20, (byte) 0xab);
        DmaDirectBackend be = new DmaDirectBackend("direct", false, () -> null);
        SimDmaDevice dev32 = small.device("dev32", 32);
        DmaOps ops = be.attach(dev32).ops();
        long before = small.allocator.allocatedBytes();
        CoherentAllocation c = ops.allocCoherent(10_000, 0);
        assertTrue(c.cpuAddress() < 1L << 32);
        assertEquals(c.cpuAddress(), c.dmaHandle());
        assertEquals(10_000, c.size());
        assertTrue(small.allBytes(c.cpuAddress(), 10_000, 0));
        assertEquals(before + 3 * 4096, small.allocator.allocatedBytes());
        ops.freeCoherent(c);
        assertEquals(before, small.allocator.allocatedBytes());

        SimDmaDevice dev64 = small.device("dev64", 64);
        CoherentAllocation h = be.attach(dev64).ops().allocCoherent(4096, 0);
        assertTrue(h.cpuAddress() >= 1L << 32, "ZONE_NORMAL: high memory first");

        SimDmaDevice dev30 = small.device("dev30", 30);
        assertNull(be.attach(dev30).ops().allocCoherent(4096, 0), "no RAM below 1 GiB");
        assertEquals(1, dev30.warnings().size());
        assertTrue(dev30.warnings().get(0).startsWith("dev30: dma_direct_alloc: cannot allocate 4096 bytes"));
        assertNull(be.attach(dev30).ops().allocCoherent(4096, DmaAttrs.NO_WARN));
        assertEquals(1, dev30.warnings().size());
        assertEquals(before + 4096, small.allocator.allocatedBytes(), "failed attempts gave their pages back");
    }

    @Test
    void coherentHandleGoesThroughTheRangeMap() {
        SimDmaDevice dev = rig.device(DeviceDescriptor.builder("soc").dmaMask(~0L)
                .dmaRange(new DmaRange(0x4000_0000L, 0, 0x1_C000_0000L)).build());
        dev.setCoherentDmaMask(DmaMasks.bits(32));
        CoherentAllocation c = attach(dev).ops().allocCoherent(8192, 0);
        assertEquals(c.cpuAddress() - 0x4000_0000L, c.dmaHandle());
        assertTrue(c.dmaHandle() + 8192 - 1 <= 0xFFFF_FFFFL);
    }

    @Test
    void masksAndLimitsFollowDmaDirect() {
        SimDmaDevice dev = rig.device("nic", 64);
        DmaOps ops = attach(dev).ops();
        assertTrue(ops.dmaSupported(DmaMasks.bits(32)));
        assertTrue(ops.dmaSupported(DmaMasks.bits(33)));
        assertTrue(ops.dmaSupported(DmaMasks.bits(64)));
        assertFalse(ops.dmaSupported(DmaMasks.bits(31)), "no ZONE_DMA below DMA32 on this platform");
        assertEquals(0x1_FFFF_FFFFL, ops.requiredMask(), "RAM ends at 8 GiB");
        assertEquals(Long.MAX_VALUE, ops.maxMappingSize());
        assertEquals(Long.MAX_VALUE, ops.optMappingSize());
        dev.setDmaMask(DmaMasks.bits(32));
        assertEquals(256 * 1024, ops.maxMappingSize(), "addressing limited: the pool bounds a mapping");
        poolRef.set(null);
        assertEquals(Long.MAX_VALUE, ops.maxMappingSize());
    }

    @Test
    void detachReleasesBounceBuffersLeftBehind() {
        SimDmaDevice dev = rig.device("dev32", 32);
        DeviceBinding b = attach(dev);
        b.ops().mapPhys(high, 100, DmaDirection.TO_DEVICE, 0);
        assertEquals(1, pool.stats().liveMappings());
        b.detach();
        assertEquals(0, pool.stats().usedSlots());
        assertEquals(List.of("dev32: released 1 bounce buffer(s) still mapped at detach"), dev.warnings());
        b.detach();
        assertEquals(1, dev.warnings().size(), "idempotent");
        assertThrows(IllegalStateException.class, () -> b.ops().mapPhys(high, 100, DmaDirection.TO_DEVICE, 0));
    }

    @Test
    void aPoolThatArrivesLaterIsUsedAtOnce() {
        poolRef.set(null);
        SimDmaDevice dev = rig.device("dev32", 32);
        DeviceBinding b = attach(dev);
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(high, 100, DmaDirection.TO_DEVICE, DmaAttrs.NO_WARN));
        poolRef.set(pool);
        assertTrue(pool.isBounce(b.ops().mapPhys(high, 100, DmaDirection.TO_DEVICE, 0)));
        assertSame(pool, poolRef.get());
    }
    /**
     * The pool's service goes (a new configuration re-creates it) while a 32-bit device holds
     * a bounced buffer: the buffer stays usable, unmap copies back from the pool it came from,
     * new buffers come from the new pool, and the old pool's pages go with its last buffer.
     */
    @Test
    void aBouncedBufferOutlivesItsPoolsService() {
        SimDmaDevice dev = rig.device("disk", 32);
        DeviceBinding b = attach(dev);
        rig.memory.fill(high, 4096, (byte) 0x11);
        long dma = b.ops().mapPhys(high, 4096, DmaDirection.BIDIRECTIONAL, 0);
        assertTrue(pool.isBounce(dma));
        BouncePool next = rig.pool(1 << 20);
        poolRef.set(next);
        pool.close();
        long dma2 = b.ops().mapPhys(high + 4096, 100, DmaDirection.TO_DEVICE, 0);
        assertTrue(next.isBounce(dma2), "new buffers come from the pool registered now");
        rig.memory.fill(dma, 4096, (byte) 0x22);
        b.ops().syncSingleForCpu(dma, 4096, DmaDirection.BIDIRECTIONAL);
        assertEquals(0x22, rig.memory.readByte(high + 4095));
        rig.memory.fill(dma, 16, (byte) 0x33);
        b.ops().unmapPhys(dma, 4096, DmaDirection.BIDIRECTIONAL, 0);
        assertEquals(0x33, rig.memory.readByte(high + 15), "unmap copied back from the withdrawn pool");
        assertTrue(pool.isFreed());
        b.detach();
        assertEquals(0, next.stats().liveMappings(), "detach released the buffer left in the new pool");
    }
}
