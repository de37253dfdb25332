package org.iommulab.swiotlb.internal.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.swiotlb.internal.TestRig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The pool as a whole: where it lives, pool full, bad input, release, close, concurrency. */
class BouncePoolTest {
    final TestRig rig = new TestRig();
    final BouncePool pool = rig.pool(1 << 20);
    final SimDmaDevice dev = rig.device("dev", 32);
    final long buf = rig.pages(64, Zone.HIGH);

    /** Everything a failed call must leave as it was. */
    private String state() {
        StringBuilder b = new StringBuilder(pool.stats().toString());
        for (int i = 0; i < pool.slots().nslabs(); i++) {
            b.append(',').append(pool.slots().freeRun(i));
        }
        return b.toString();
    }

    @Test
    void poolLivesBelow4GiBAndIsAccountedByTheAllocator() {
        long start = pool.stats().poolStart();
        assertTrue(start >= 0x4000_0000L && start + pool.stats().poolBytes() <= 1L << 32);
        assertEquals(0, start & 0xfff);
        assertEquals(512, pool.stats().totalSlots());
        assertTrue(rig.allocator.isAllocated(start));
        assertTrue(pool.isBounce(start));
        assertTrue(pool.isBounce(start + (1 << 20) - 1));
        assertFalse(pool.isBounce(start + (1 << 20)));
        assertFalse(pool.isBounce(buf));
    }

    @Test
    void fullPoolFailsWithLinuxMessageAndTakesNothing() {
        for (int i = 0; i < 4; i++) {
            assertTrue(pool.isBounce(pool.map(dev, buf, 256 * 1024, 0, DmaDirection.TO_DEVICE, 0)));
        }
        String before = state();
        assertEquals(DmaMasks.MAPPING_ERROR, pool.map(dev, buf, 2048, 0, DmaDirection.TO_DEVICE, 0));
        assertEquals(List.of("dev: swiotlb buffer is full (sz: 2048 bytes), total 512 (slots), used 512 (slots)"),
                dev.warnings());
        assertEquals(1, pool.stats().failures());
        assertEquals(before.replaceFirst("full 0", "full 1"), state());
        assertEquals(512, pool.stats().highWaterSlots());
    }

    @Test
    void noWarnKeepsAFailureQuiet() {
        for (int i = 0; i < 4; i++) {
            pool.map(dev, buf, 256 * 1024, 0, DmaDirection.TO_DEVICE, 0);
        }
        assertEquals(DmaMasks.MAPPING_ERROR, pool.map(dev, buf, 100, 0, DmaDirection.FROM_DEVICE, DmaAttrs.NO_WARN));
        assertTrue(dev.warnings().isEmpty());
        assertEquals(1, pool.stats().failures());
    }

    @Test
    void mappingLargerThanASegmentFailsLikeAFullPool() {
        String before = state();
        assertEquals(DmaMasks.MAPPING_ERROR, pool.map(dev, buf, 256 * 1024 + 1, 0, DmaDirection.TO_DEVICE, 0));
        assertEquals(List.of("dev: swiotlb buffer is full (sz: 262145 bytes), total 512 (slots), used 0 (slots)"),
                dev.warnings());
        assertEquals(before.replaceFirst("full 0", "full 1"), state());
        assertEquals(256 * 1024, pool.maxMappingSize(dev));
    }

    @Test
    void maxMappingSizeLeavesRoomForTheMinAlignOffset() {
        SimDmaDevice nvme = rig.device(DeviceDescriptor.builder("nvme").minAlignMask(0xfff).build());
        SimDmaDevice small = rig.device(DeviceDescriptor.builder("small").minAlignMask(0x3f).build());
        assertEquals(256 * 1024 - 4096, pool.maxMappingSize(nvme));
        assertEquals(256 * 1024 - 2048, pool.maxMappingSize(small));
        // The limit is reachable even at the worst offset.
        long b = pool.map(nvme, buf + 0xfff, pool.maxMappingSize(nvme), 0, DmaDirection.TO_DEVICE, 0);
        assertTrue(pool.isBounce(b));
        assertEquals(0xfff, b & 0xfff);
    }

    @Test
    void badMapInputThrowsAndChangesNothing() {
        pool.map(dev, buf, 5000, 0, DmaDirection.BIDIRECTIONAL, 0);
        String before = state();
        List<Executable> bad = List.of(
                () -> pool.map(dev, buf, 0, 0, DmaDirection.TO_DEVICE, 0),
                () -> pool.map(dev, buf, -4096, 0, DmaDirection.TO_DEVICE, 0),
                () -> pool.map(dev, buf, 100, 0, DmaDirection.NONE, 0),
                () -> pool.map(dev, buf, 100, 0, null, 0),
                () -> pool.map(null, buf, 100, 0, DmaDirection.TO_DEVICE, 0),
                () -> pool.map(dev, buf, 100, 0, DmaDirection.TO_DEVICE, 1 << 20),
                () -> pool.map(dev, buf, 100, 0x1000, DmaDirection.TO_DEVICE, 0),
                () -> pool.map(dev, buf, 100, -1, DmaDirection.TO_DEVICE, 0),
                () -> pool.map(dev, 0x1000, 100, 0, DmaDirection.TO_DEVICE, 0),
                () -> pool.map(dev, Long.MAX_VALUE - 10, 100, 0, DmaDirection.TO_DEVICE, 0),
                () -> pool.map(dev, 0x2_0000_0000L - 50, 100, 0, DmaDirection.TO_DEVICE, 0),
                () -> pool.mapZeroPadded(dev, buf, 0, 0xfff, DmaDirection.TO_DEVICE, 0));
        for (Executable e : bad) {
            assertThrows(IllegalArgumentException.class, e);
            assertEquals(before, state());
        }
        assertTrue(dev.warnings().isEmpty());
    }

    @Test
    void unmapOrSyncOfWhatIsNotALiveBounceBufferThrowsAndChangesNothing() {
        rig.pattern(buf, 5000, 1);
        long b = pool.map(dev, buf, 5000, 0, DmaDirection.FROM_DEVICE, 0);
        rig.pattern(b, 5000, 77);
        long start = pool.stats().poolStart();
        String before = state();
        List<Executable> misuse = List.of(
                () -> pool.unmap(dev, b + 1, 5000, DmaDirection.FROM_DEVICE, 0),
                () -> pool.unmap(dev, b + 2048, 4000, DmaDirection.FROM_DEVICE, 0),
                () -> pool.unmap(dev, start + (100 << 11), 100, DmaDirection.FROM_DEVICE, 0),
                () -> pool.unmap(dev, buf, 5000, DmaDirection.FROM_DEVICE, 0),
                () -> pool.unmap(dev, start - 2048, 100, DmaDirection.FROM_DEVICE, 0),
                () -> pool.syncForCpu(dev, start + (100 << 11), 100, DmaDirection.FROM_DEVICE),
                () -> pool.syncForDevice(dev, start + (300 << 11) + 5, 100, DmaDirection.TO_DEVICE),
                () -> pool.syncForCpu(dev, buf, 100, DmaDirection.FROM_DEVICE));
        for (Executable e : misuse) {
            assertThrows(DmaUsageException.class, e);
            assertEquals(before, state());
        }
        List<Executable> bad = List.of(
                () -> pool.unmap(dev, b, 0, DmaDirection.FROM_DEVICE, 0),
                () -> pool.unmap(dev, b, 5000, DmaDirection.NONE, 0),
                () -> pool.syncForCpu(dev, b, -1, DmaDirection.FROM_DEVICE),
                () -> pool.syncForDevice(null, b, 10, DmaDirection.TO_DEVICE));
        for (Executable e : bad) {
            assertThrows(IllegalArgumentException.class, e);
            assertEquals(before, state());
        }
        assertTrue(rig.hasPattern(buf, 5000, 1, 0), "no refused call copied anything back");
        pool.unmap(dev, b, 5000, DmaDirection.FROM_DEVICE, 0);
        assertTrue(rig.hasPattern(buf, 5000, 77, 0));
        String after = state();
        assertThrows(DmaUsageException.class, () -> pool.unmap(dev, b, 5000, DmaDirection.FROM_DEVICE, 0), "twice");
        assertEquals(after, state());
    }

    @Test
    void syncBeforeTheBounceAddressInsideTheFirstSlotIsRefused() {
        SimDmaDevice nvme = rig.device(DeviceDescriptor.builder("nvme").minAlignMask(0xfff).build());
        long b = pool.map(nvme, buf + 0x100, 1000, 0, DmaDirection.BIDIRECTIONAL, 0);
        assertThrows(DmaUsageException.class, () -> pool.syncForCpu(nvme, b - 1, 10, DmaDirection.BIDIRECTIONAL));
        assertEquals(10, pool.syncForCpu(nvme, b, 10, DmaDirection.BIDIRECTIONAL));
    }

    @Test
    void releaseAllFreesOneDevicesBuffersWithoutCopying() {
        SimDmaDevice other = rig.device("other", 64);
        rig.pattern(buf, 3000, 1);
        long b1 = pool.map(dev, buf, 3000, 0, DmaDirection.FROM_DEVICE, 0);
        pool.map(dev, buf, 100, 0, DmaDirection.FROM_DEVICE, 0);
        long b3 = pool.map(other, buf, 100, 0, DmaDirection.FROM_DEVICE, 0);
        rig.pattern(b1, 3000, 77);
        assertEquals(2, pool.releaseAll(dev));
        assertEquals(1, pool.stats().liveMappings());
        assertEquals(1, pool.stats().usedSlots());
        assertTrue(rig.hasPattern(buf, 3000, 1, 0));
        assertThrows(DmaUsageException.class, () -> pool.unmap(dev, b1, 3000, DmaDirection.FROM_DEVICE, 0));
        pool.unmap(other, b3, 100, DmaDirection.FROM_DEVICE, 0);
        assertEquals(0, pool.stats().usedSlots());
    }

    @Test
    void statsCountSlotsHighWaterAndBytes() {
        long a = pool.map(dev, buf, 5000, 0, DmaDirection.BIDIRECTIONAL, 0); // 3 slots
        long b = pool.map(dev, buf, 100, 0, DmaDirection.TO_DEVICE, 0); // 1 slot
        assertEquals(4, pool.stats().usedSlots());
        pool.syncForCpu(dev, a, 1000, DmaDirection.BIDIRECTIONAL);
        pool.unmap(dev, a, 5000, DmaDirection.BIDIRECTIONAL, 0);
        pool.unmap(dev, b, 100, DmaDirection.TO_DEVICE, 0);
        var s = pool.stats();
        assertEquals(0, s.usedSlots());
        assertEquals(4, s.highWaterSlots());
        assertEquals(2, s.mappings());
        assertEquals(0, s.liveMappings());
        assertEquals(5100, s.bytesToDevice());
        assertEquals(6000, s.bytesFromDevice());
        assertEquals(1, s.areas());
    }

    @Test
    void closeGivesThePagesBackAndStopsThePool() {
        long allocated = rig.allocator.allocatedBytes();
        pool.close();
        assertEquals(allocated - (1 << 20), rig.allocator.allocatedBytes());
        assertFalse(pool.isBounce(pool.stats().poolStart()));
        assertThrows(IllegalStateException.class, () -> pool.map(dev, buf, 100, 0, DmaDirection.TO_DEVICE, 0));
        assertEquals(0, pool.releaseAll(dev), "a late detach finds nothing live");
        pool.close();
        assertEquals(allocated - (1 << 20), rig.allocator.allocatedBytes());
    }

    /**
     * A device behind an IOMMU may still hold bounce buffers when the pool's service goes (the
     * soak stopped swiotlb-bounce under an untrusted NIC): they keep working until unmapped,
     * the copy back included, and the pages go back with the last one, not before.
     */
    @Test
    void closeKeepsLiveBounceBuffersUntilTheLastIsReleased() {
        long allocated = rig.allocator.allocatedBytes();
        long a = pool.map(dev, buf, 100, 0, DmaDirection.FROM_DEVICE, 0);
        long b = pool.map(dev, buf + 4096, 100, 0, DmaDirection.FROM_DEVICE, 0);
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.map(dev, buf, 100, 0, DmaDirection.TO_DEVICE, 0),
                "no new bounce buffer from a closed pool");
        assertTrue(pool.isBounce(a), "a live buffer is still the pool's");
        assertFalse(pool.isFreed());
        assertEquals(allocated, rig.allocator.allocatedBytes(), "the pages stay while a buffer lives");

        rig.memory.writeLong(a, 0x1234_5678L); // the device's write lands in the bounce buffer
        pool.syncForCpu(dev, a, 8, DmaDirection.FROM_DEVICE);
        assertEquals(0x1234_5678L, rig.memory.readLong(buf), "sync for the CPU still copies back");
        rig.memory.writeLong(a + 8, 0x9abc_def0L);
        assertEquals(100, pool.unmap(dev, a, 100, DmaDirection.FROM_DEVICE, 0));
        assertEquals(0x9abc_def0L, rig.memory.readLong(buf + 8), "unmap still copies back");
        assertFalse(pool.isFreed(), "one buffer is left");

        assertEquals(1, pool.releaseAll(dev), "a detach releases the last one");
        assertTrue(pool.isFreed());
        assertFalse(pool.isBounce(b));
        assertEquals(allocated - (1 << 20), rig.allocator.allocatedBytes(), "the pages went back with the last buffer");
        assertThrows(IllegalStateException.class, () -> pool.unmap(dev, b, 100, DmaDirection.FROM_DEVICE, 0));
        assertEquals(0, pool.releaseAll(dev));
    }

    @Test
    void poolThatDoesNotFitBelow4GiBIsRefused() {
        TestRig small = TestRig.small();
        assertThrows(IllegalStateException.class, () -> new BouncePool(small.memory, small.allocator,
                PoolGeometry.of(32L << 20, 1)));
        assertEquals(0, small.allocator.allocatedBytes());
    }

    @Test
    void threadsMappingAtOnceNeverShareSlotsOrLoseBytes() throws Exception {
        BouncePool shared = rig.pool(4 << 20);
        PoolGeometry g = PoolGeometry.of(4 << 20, 4);
        BouncePool areas = new BouncePool(rig.memory, rig.allocator, g);
        for (BouncePool p : List.of(shared, areas)) {
            ExecutorService ex = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> jobs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    final int id = t;
                    final long mine = rig.pages(64, Zone.HIGH);
                    jobs.add(ex.submit(() -> {
                        Random rnd = new Random(id);
                        for (int i = 0; i < 1500; i++) {
                            int len = 1 + rnd.nextInt(40_000);
                            byte[] data = new byte[len];
                            rnd.nextBytes(data);
                            rig.memory.write(mine, data, 0, len);
                            long b = p.map(dev, mine, len, 0, DmaDirection.BIDIRECTIONAL, DmaAttrs.NO_WARN);
                            if (b == DmaMasks.MAPPING_ERROR) {
                                continue;
                            }
                            assertArrayEquals(data, rig.read(b, len));
                            for (int k = 0; k < len; k++) {
                                data[k] = (byte) ~data[k];
                            }
                            rig.memory.write(b, data, 0, len);
                            p.unmap(dev, b, len, DmaDirection.BIDIRECTIONAL, 0);
                            assertArrayEquals(data, rig.read(mine, len));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : jobs) {
                    f.get();
                }
            } finally {
                ex.shutdown();
            }
            assertEquals(0, p.stats().usedSlots());
            assertEquals(0, p.stats().liveMappings());
            for (int i = 0; i < p.slots().nslabs(); i++) {
                assertEquals(SlotAllocator.initialFreeRun(i, p.slots().nslabs()), p.slots().freeRun(i));
            }
        }
    }
}
