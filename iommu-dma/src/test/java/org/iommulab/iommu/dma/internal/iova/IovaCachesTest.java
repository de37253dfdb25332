package org.iommulab.iommu.dma.internal.iova;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class IovaCachesTest {
    private static final long LIMIT48 = (1L << 36) - 1;

    private final int[] cpu = {0};

    private IovaCaches caches(IovaDomain d, int cpus) {
        return new IovaCaches(d, cpus, () -> cpu[0]);
    }

    /**
     * Linux {@code free_iova_fast}: {@code iova_rcache_insert} returns false for an order of
     * {@code IOVA_RANGE_CACHE_MAX_SIZE} (6, 64 granules) or more before it takes the CPU's
     * cache ({@code get_cpu_ptr}), and {@code free_iova} frees the range in the tree. So
     * freeing 64 or 100 granules asks nothing of the CPU, and the range is gone from the tree;
     * 32 granules (order 5) are cached on the CPU and stay allocated in the tree.
     */
    @Test
    void anUncacheableFreeGoesToTheTreeWithoutTheCpu() {
        IovaDomain d = new IovaDomain(4096, 1);
        int[] asked = {0};
        IovaCaches c = new IovaCaches(d, 2, () -> {
            asked[0]++;
            return 1;
        });
        for (long size : new long[] {64, 100}) {
            long pfn = c.allocFast(size, LIMIT48, true);
            assertNotEquals(0, pfn);
            int before = asked[0];
            c.freeFast(pfn, size);
            assertEquals(before, asked[0], size + " granules: the CPU is not asked");
            assertEquals(null, d.find(pfn), size + " granules: freed in the tree");
        }
        long pfn = c.allocFast(32, LIMIT48, true);
        int before = asked[0];
        c.freeFast(pfn, 32);
        assertEquals(before + 1, asked[0], "32 granules go to the CPU's cache");
        assertNotEquals(null, d.find(pfn), "and stay allocated in the tree");
    }

    /**
     * Four threads on two CPUs (two to a CPU, so the per-CPU lock is contended too) allocate and
     * free single pages through the caches: no pfn is ever held by two threads at once (Linux's
     * rcache hands a cached pfn to one CPU), and at the end every pfn is back, either cached or
     * freed, the tree holding exactly the cached ones (a cached pfn stays allocated in the tree).
     */
    @Test
    void threadsOnSeveralCpusNeverShareAPfnAndLoseNone() throws InterruptedException {
        IovaDomain d = new IovaDomain(4096, 1);
        ThreadLocal<Integer> myCpu = new ThreadLocal<>();
        IovaCaches c = new IovaCaches(d, 2, () -> myCpu.get());
        java.util.concurrent.ConcurrentHashMap<Long, Boolean> held = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicInteger clashes = new java.util.concurrent.atomic.AtomicInteger();
        Thread[] ts = new Thread[4];
        for (int t = 0; t < ts.length; t++) {
            int cpuOf = t % 2;
            long seed = t;
            ts[t] = new Thread(() -> {
                myCpu.set(cpuOf);
                Random r = new Random(seed);
                List<Long> mine = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    if (mine.size() < 300 && (mine.isEmpty() || r.nextBoolean())) {
                        long p = c.allocFast(1, LIMIT48, true);
                        if (held.putIfAbsent(p, Boolean.TRUE) != null) {
                            clashes.incrementAndGet();
                        }
                        mine.add(p);
                    } else {
                        long p = mine.remove(r.nextInt(mine.size()));
                        held.remove(p);
                        c.freeFast(p, 1);
                    }
                }
                for (long p : mine) {
                    held.remove(p);
                    c.freeFast(p, 1);
                }
            });
        }
        for (Thread t : ts) {
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(0, clashes.get(), "no pfn held by two threads at once");
        assertEquals(c.cachedCount(), d.allocatedGranules(), "the tree holds exactly the cached pfns");
        c.flushAll();
        assertEquals(0, d.allocatedGranules(), "every pfn came back");
    }

    @Test
    void freedRangeIsReusedFromTheCache() {
        IovaDomain d = new IovaDomain(4096, 1);
        IovaCaches c = caches(d, 1);
        long p = c.allocFast(1, LIMIT48, true);
        c.freeFast(p, 1);
        assertEquals(1, d.rangeCount(), "a cached range stays allocated in the tree");
        assertEquals(1, c.cachedCount());
        assertEquals(p, c.allocFast(1, LIMIT48, true));
        assertEquals(0, c.cachedCount());
    }

    @Test
    void cacheableSizesAreRoundedToPowersOfTwo() {
        IovaDomain d = new IovaDomain(4096, 1);
        IovaCaches c = caches(d, 1);
        long p = c.allocFast(3, LIMIT48, true);
        assertEquals(0, p % 4);
        assertEquals(4, d.find(p).size());
        c.freeFast(p, 3);
        assertEquals(p, c.allocFast(4, LIMIT48, true), "order 2 cache serves sizes 3 and 4");
        // 33 granules are not cacheable and are not rounded.
        long big = c.allocFast(33, LIMIT48, true);
        assertEquals(33, d.find(big).size());
        c.freeFast(big, 33);
        assertEquals(null, d.find(big));
    }

    @Test
    void cachedPfnAboveTheLimitIsNotUsed() {
        IovaDomain d = new IovaDomain(4096, 1);
        IovaCaches c = caches(d, 1);
        long high = c.allocFast(1, LIMIT48, true);
        c.freeFast(high, 1);
        long low = c.allocFast(1, 0xfffff, true);
        assertTrue(low <= 0xfffff);
        assertEquals(1, c.cachedCount(), "the high pfn stays cached");
    }

    @Test
    void fullMagazinesGoToTheDepotAndOverflowToTheTree() {
        IovaDomain d = new IovaDomain(4096, 1);
        IovaCaches c = caches(d, 1);
        int mag = IovaMagazine.IOVA_MAG_SIZE;
        int n = mag * (2 + IovaCaches.MAX_GLOBAL_MAGS) + 1;
        long[] pfns = new long[n];
        for (int i = 0; i < n; i++) {
            pfns[i] = c.allocFast(1, LIMIT48, true);
        }
        for (long p : pfns) {
            c.freeFast(p, 1);
        }
        // loaded, prev and 32 depot magazines filled up; the last free found the depot full, so
        // the loaded magazine's pfns went back to the tree and the pfn went into a fresh one.
        long cached = (long) mag * (1 + IovaCaches.MAX_GLOBAL_MAGS) + 1;
        assertEquals(cached, c.cachedCount());
        assertEquals(cached, d.allocatedGranules());
        c.flushAll();
        assertEquals(0, c.cachedCount());
        assertEquals(0, d.allocatedGranules());
    }

    @Test
    void failureFlushesTheCachesAndRetries() {
        IovaDomain d = new IovaDomain(4096, 1);
        IovaCaches c = caches(d, 1);
        List<Long> singles = new ArrayList<>();
        long p;
        while ((p = c.allocFast(1, 15, true)) != 0) {
            singles.add(p);
        }
        assertEquals(15, singles.size());
        for (long s : singles) {
            c.freeFast(s, 1);
        }
        assertEquals(0, c.allocFast(2, 15, false), "without the flush the cached singles block it");
        long two = c.allocFast(2, 15, true);
        assertNotEquals(0, two);
        assertEquals(0, c.cachedCount());
        assertEquals(2, d.allocatedGranules());
    }

    @Test
    void eachCpuHasItsOwnMagazines() {
        IovaDomain d = new IovaDomain(4096, 1);
        IovaCaches c = caches(d, 2);
        cpu[0] = 0;
        long a = c.allocFast(1, LIMIT48, true);
        c.freeFast(a, 1);
        cpu[0] = 1;
        long b = c.allocFast(1, LIMIT48, true);
        assertNotEquals(a, b, "CPU 1 cannot see CPU 0's loaded magazine");
        cpu[0] = 0;
        assertEquals(a, c.allocFast(1, LIMIT48, true));
    }

    /** Seeded property test through the fast path: no overlap, alignment, limits, full release. */
    @Test
    void fastPathPropertiesUnderChurn() {
        for (long seed = 1; seed <= 5; seed++) {
            Random rnd = new Random(seed);
            IovaDomain d = new IovaDomain(4096, 1);
            IovaCaches c = caches(d, 4);
            List<long[]> live = new ArrayList<>();
            Set<Long> handedOut = new HashSet<>();
            for (int op = 0; op < 20000; op++) {
                cpu[0] = rnd.nextInt(4);
                if (live.isEmpty() || rnd.nextInt(100) < 55) {
                    long size = 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 40);
                    long limit = rnd.nextBoolean() ? 0xfffff : LIMIT48;
                    long pfn = c.allocFast(size, limit, true);
                    assertNotEquals(0, pfn);
                    long span = size < 32 ? IovaCaches.roundupPowOfTwo(size) : size;
                    assertEquals(0, pfn % IovaCaches.roundupPowOfTwo(size));
                    assertTrue(pfn + span - 1 <= limit);
                    for (long g = pfn; g < pfn + span; g++) {
                        assertTrue(handedOut.add(g), "pfn 0x" + Long.toHexString(g) + " handed out twice");
                    }
                    live.add(new long[] {pfn, size, span});
                } else {
                    long[] r = live.remove(rnd.nextInt(live.size()));
                    for (long g = r[0]; g < r[0] + r[2]; g++) {
                        handedOut.remove(g);
                    }
                    c.freeFast(r[0], r[1]);
                }
            }
            for (long[] r : live) {
                c.freeFast(r[0], r[1]);
            }
            c.flushAll();
            assertEquals(0, d.rangeCount());
        }
    }
}
