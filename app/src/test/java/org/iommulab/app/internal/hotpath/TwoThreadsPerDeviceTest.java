package org.iommulab.app.internal.hotpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.MemoryAccess;
import org.iommulab.api.platform.Zone;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The thread safety {@code DmaApi} and {@code DmaOps} promise, on every built-in backend (the
 * IOMMUs with strict and with lazy domains, whose unmaps go through the per-CPU flush queues): two
 * devices, two driver threads on each, every thread mapping, syncing and unmapping buffers of
 * its own while the others do the same, with a few mappings of its own kept live across
 * rounds so that maps and unmaps of different ages interleave. Each round moves data both
 * ways through the device's bus master and checks every byte. At the end nothing is live, no
 * finding or fault was reported, every map is matched by one unmap in the device's counters,
 * and the bounce pool is back where it was; once the devices are removed (their domains and
 * page tables freed: tables stay until then, as in Linux) the allocator holds exactly what an
 * identical platform holds whose devices came and went without a single call (what a driver
 * keeps past a device, such as a stream table's second level, is the same in both).
 */
class TwoThreadsPerDeviceTest {
    private static final int DEVICES = 2;
    private static final int THREADS_PER_DEVICE = 2;
    private static final int ROUNDS = 1500;
    /** Mappings each thread keeps live at once (a ring), besides the round's own. */
    private static final int KEPT = 8;
    private static final int SIZE = 4096;

    @ParameterizedTest
    @ValueSource(strings = {"direct", "swiotlb", "generic", "smmu-v2", "smmu-v3", "generic-lazy", "smmu-v2-lazy",
        "smmu-v3-lazy"})
    void concurrentMapSyncUnmapOfDistinctBuffers(String backend) throws Exception {
        OneBackendRig rig = new OneBackendRig(backend, DEVICES);
        assertEquals(backend.endsWith(OneBackendRig.LAZY), rig.backend.toString().endsWith("(lazy)"), rig.backend.toString());
        int threads = DEVICES * THREADS_PER_DEVICE;
        // Every thread's buffers come from the allocator before the start, freed after the end.
        long[][] buffers = new long[threads][KEPT + 2];
        for (long[] b : buffers) {
            for (int i = 0; i < b.length; i++) {
                b[i] = rig.allocator.allocPages(1, Zone.NORMAL);
            }
        }
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Long>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                DmaApi api = rig.apis[t % DEVICES];
                long[] mine = buffers[t];
                int id = t;
                results.add(pool.submit(() -> {
                    start.await();
                    return driver(api, id, mine);
                }));
            }
            long pairs = 0;
            for (Future<Long> f : results) {
                pairs += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals((long) threads * ROUNDS * 3, pairs, "every round's maps were made and unmapped");
        } finally {
            pool.shutdownNow();
        }

        assertEquals(List.of(), rig.platform.findings(), backend + ": findings");
        assertEquals(List.of(), rig.platform.faults(), backend + ": faults");
        for (int d = 0; d < DEVICES; d++) {
            String dev = "dev" + d;
            assertEquals(0, rig.platform.liveMappings(dev), dev + " holds no mapping");
            long maps = rig.platform.stats(dev).get(Stat.MAPS);
            // Each of the device's threads: 3 maps a round (TO_DEVICE, FROM_DEVICE, one kept).
            assertEquals((long) THREADS_PER_DEVICE * ROUNDS * 3, maps, dev + ": maps");
            assertEquals(maps, rig.platform.stats(dev).get(Stat.UNMAPS), dev + ": every map unmapped once");
            assertEquals(0, rig.platform.stats(dev).get(Stat.MAP_FAILURES), dev + ": no map failed");
        }
        assertEquals(0, rig.pool.stats().usedSlots(), "no bounce slot left in use");
        for (long[] b : buffers) {
            for (long page : b) {
                rig.allocator.free(page);
            }
        }
        for (int d = 0; d < DEVICES; d++) {
            rig.platform.removeDevice("dev" + d);
        }
        OneBackendRig idle = new OneBackendRig(backend, DEVICES);
        for (int d = 0; d < DEVICES; d++) {
            idle.platform.removeDevice("dev" + d);
        }
        assertEquals(idle.allocator.allocatedBytes(), rig.allocator.allocatedBytes(),
                "with the devices gone the allocator holds what an idle platform's does");
    }

    /**
     * One driver thread's rounds: a TO_DEVICE buffer the device reads, a FROM_DEVICE buffer the
     * device writes and the CPU reads after sync_for_cpu, and one more TO_DEVICE mapping put in
     * a ring of {@value #KEPT} that is unmapped {@value #KEPT} rounds later (after the device
     * reads it once more). Returns the maps made (each unmapped before the return).
     */
    private static long driver(DmaApi api, int id, long[] buffers) {
        MemoryAccess cpu = api.cpu();
        BusMaster dev = api.busMaster();
        long tx = buffers[KEPT];
        long rx = buffers[KEPT + 1];
        long[] keptDma = new long[KEPT];
        long[] keptValue = new long[KEPT];
        long maps = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long stamp = ((long) id << 48) | ((long) round << 8);

            // CPU -> device: the device must read what the CPU wrote, at both ends of the page.
            cpu.writeLong(tx, stamp | 1);
            cpu.writeLong(tx + SIZE - 8, ~stamp);
            long t = api.mapPhys(tx, SIZE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            check(!api.mappingError(t), "TO_DEVICE map failed", id, round);
            maps++;
            check(dev.readLong(t) == (stamp | 1) && dev.readLong(t + SIZE - 8) == ~stamp, "device read wrong bytes", id,
                    round);

            // device -> CPU: the CPU must see what the device wrote once it synced for the CPU.
            long r = api.mapPhys(rx, SIZE, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
            check(!api.mappingError(r), "FROM_DEVICE map failed", id, round);
            maps++;
            dev.writeLong(r + 64, stamp | 2);
            api.syncSingleForCpu(r, SIZE, DmaDirection.FROM_DEVICE);
            check(cpu.readLong(rx + 64) == (stamp | 2), "CPU read wrong bytes after sync", id, round);
            api.syncSingleForDevice(r, SIZE, DmaDirection.FROM_DEVICE);
            api.unmapPhys(t, SIZE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);

            // A mapping kept across rounds: the oldest goes (read once more first), a new one comes.
            int k = round % KEPT;
            if (round >= KEPT) {
                check(dev.readLong(keptDma[k]) == keptValue[k], "kept mapping read wrong bytes", id, round);
                api.unmapPhys(keptDma[k], SIZE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            }
            keptValue[k] = stamp | 3;
            cpu.writeLong(buffers[k], keptValue[k]);
            keptDma[k] = api.mapPhys(buffers[k], SIZE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            check(!api.mappingError(keptDma[k]), "kept map failed", id, round);
            maps++;
            api.unmapPhys(r, SIZE, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
        }
        for (int k = 0; k < KEPT; k++) {
            check(dev.readLong(keptDma[k]) == keptValue[k], "kept mapping read wrong bytes at the end", id, ROUNDS);
            api.unmapPhys(keptDma[k], SIZE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        }
        return maps;
    }

    private static void check(boolean ok, String what, int thread, int round) {
        assertTrue(ok, what + " (thread " + thread + ", round " + round + ")");
    }
}
