package org.iommulab.swiotlb.internal.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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
        assertTrue(pool.isFreed());
        assertFalse(pool.isBounce(pool.stats().poolStart()));
        assertEquals(DmaMasks.MAPPING_ERROR, pool.map(dev, buf, 100, 0, DmaDirection.TO_DEVICE, 0));
        assertTrue(dev.warnings().get(dev.warnings().size() - 1).contains("going away"), dev.warnings().toString());
        assertEquals(0, pool.releaseAll(dev), "a late detach finds nothing live");
        pool.close();
        assertEquals(allocated - (1 << 20), rig.allocator.allocatedBytes());
    }

    /**
     * The pool's service goes (its bundle stops) while a device on another backend (an
     * untrusted device behind an IOMMU) holds bounce buffers in it: those stay usable, with
     * their data, until they are unmapped; no new buffer is given out; the pages go back to the
     * allocator with the last buffer.
     */
    @Test
    void aRetiredPoolKeepsItsLiveBuffersUntilTheyAreUnmapped() {
        long allocated = rig.allocator.allocatedBytes();
        rig.memory.fill(buf, 4096, (byte) 0x11);
        long a = pool.map(dev, buf, 512, 0, DmaDirection.BIDIRECTIONAL, 0);
        long b = pool.map(dev, buf + 4096, 512, 0, DmaDirection.FROM_DEVICE, 0);
        pool.close();
        assertFalse(pool.isFreed(), "two buffers are live");
        assertEquals(allocated, rig.allocator.allocatedBytes());
        assertEquals(DmaMasks.MAPPING_ERROR, pool.map(dev, buf, 100, 0, DmaDirection.TO_DEVICE, 0), "no new buffer");
        assertTrue(pool.isBounce(a) && pool.isBounce(b));
        // The device writes through the live buffer; sync and unmap copy back as before.
        rig.memory.fill(a, 512, (byte) 0x22);
        assertEquals(512, pool.syncForCpu(dev, a, 512, DmaDirection.BIDIRECTIONAL));
        assertEquals(0x22, rig.memory.readByte(buf));
        rig.memory.fill(a, 512, (byte) 0x33);
        assertEquals(512, pool.unmap(dev, a, 512, DmaDirection.BIDIRECTIONAL, 0));
        assertEquals(0x33, rig.memory.readByte(buf + 511));
        assertFalse(pool.isFreed(), "one buffer is still live");
        assertEquals(1, pool.releaseAll(dev), "a detach releases the rest");
        assertTrue(pool.isFreed(), "the last buffer took the pages with it");
        assertEquals(allocated - (1 << 20), rig.allocator.allocatedBytes());
        assertFalse(pool.isBounce(a));
        assertThrows(IllegalStateException.class, () -> pool.unmap(dev, b, 512, DmaDirection.FROM_DEVICE, 0));
    }

    /** Maps racing the retirement either succeed (and keep the pages) or fail cleanly; nothing leaks. */
    @Test
    void mapsRacingTheRetirementNeverWriteFreedPages() throws Exception {
        long allocated = rig.allocator.allocatedBytes();
        int threads = 4;
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        List<Future<List<Long>>> done = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            done.add(ex.submit(() -> {
                go.await();
                List<Long> mine = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    long m = pool.map(dev, buf, 64, 0, DmaDirection.TO_DEVICE, DmaAttrs.NO_WARN);
                    if (m != DmaMasks.MAPPING_ERROR) {
                        mine.add(m);
                    }
                    if (mine.size() > 8) {
                        pool.unmap(dev, mine.remove(0), 64, DmaDirection.TO_DEVICE, 0);
                    }
                }
                return mine;
            }));
        }
        go.countDown();
        pool.close();
        for (Future<List<Long>> f : done) {
            for (long m : f.get(10, TimeUnit.SECONDS)) {
                assertTrue(pool.isBounce(m), "a live buffer keeps the pages");
                pool.unmap(dev, m, 64, DmaDirection.TO_DEVICE, 0);
            }
        }
        ex.shutdown();
        assertTrue(pool.isFreed());
        assertEquals(allocated - (1 << 20), rig.allocator.allocatedBytes());
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
