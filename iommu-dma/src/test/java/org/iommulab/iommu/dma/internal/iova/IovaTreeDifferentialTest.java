package org.iommulab.iommu.dma.internal.iova;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The compact IOVA tree (ranges in primitive-array leaves) against the former one-object-per-range
 * AVL tree ({@link AvlIovaDomain}, kept in the test sources) and against a brute-force scan of
 * the gaps: every allocation, free, reservation and lookup must come out the same, in Linux's
 * {@code __alloc_and_insert_iova_range} order, with the cached nodes and {@code max32_alloc_size}.
 */
class IovaTreeDifferentialTest {
    private static final long LIMIT32 = (1L << 20) - 1;

    @Test
    void agreesWithTheAvlTreeOnMixedWorkloads() {
        for (long seed = 1; seed <= 40; seed++) {
            run(seed, 6000, seed % 4 == 0 ? 16 : 12);
        }
    }

    @Test
    void agreesWithTheAvlTreeWithManyRangesLive() {
        // Long runs with allocation favoured: thousands of ranges live, leaves splitting, emptying
        // and leaving the tree.
        for (long seed = 100; seed < 104; seed++) {
            int[] peak = run(seed, 40_000, 12);
            assertTrue(peak[0] > 2000, "ranges live at the peak: " + peak[0]);
            assertTrue(peak[1] > 20, "leaves at the peak: " + peak[1]);
            assertTrue(peak[2] > 0, "ranges of 2^31 granules or more: " + peak[2]);
        }
    }

    /**
     * The pattern the tree's remembered positions serve (a scatterlist's range allocated below
     * the cached node and freed at once, between single pages kept live, as iommu-dma's
     * dma_map_sg + dma_unmap_sg do): the free finds the range at the position the allocation
     * left, the next allocation finds the cached node where the free left it, and a refresh
     * reuses the path to an unchanged leaf. Mixed with keeps, random frees and reservations that
     * split, empty and reuse leaves under those positions. Everything must match the AVL tree,
     * and every summary must be exact after every operation (a refresh along a stale path
     * would leave one wrong).
     */
    @Test
    void agreesWithTheAvlTreeOnAllocFreePairs() {
        for (long seed = 1; seed <= 8; seed++) {
            Random rnd = new Random(seed);
            IovaDomain d = new IovaDomain(4096, 1);
            AvlIovaDomain ref = new AvlIovaDomain(4096, 1);
            long[] limits = {LIMIT32, (1L << 36) - 1};
            List<long[]> live = new ArrayList<>();
            for (int i = 0; i < 300 + rnd.nextInt(600); i++) {
                long limit = limits[rnd.nextInt(2)];
                long got = d.alloc(1, limit, true);
                assertEquals(ref.alloc(1, limit, true), got, "seed " + seed + " single " + i);
                live.add(new long[] {got, 1});
            }
            for (int op = 0; op < 3000; op++) {
                String at = "seed " + seed + " op " + op;
                int what = rnd.nextInt(100);
                long limit = limits[rnd.nextInt(2)];
                if (what < 60) {
                    long size = switch (rnd.nextInt(4)) {
                        case 0 -> 64;
                        case 1 -> 1 + rnd.nextInt(300);
                        default -> 1L << rnd.nextInt(8);
                    };
                    long got = d.alloc(size, limit, true);
                    assertEquals(ref.alloc(size, limit, true), got, at + " alloc " + size);
                    if (got != 0) {
                        long pfn = got + (long) (rnd.nextDouble() * size);
                        assertEquals(ref.free(pfn), d.free(pfn), at + " free 0x" + Long.toHexString(pfn));
                    }
                } else if (what < 80 || live.isEmpty()) {
                    long size = 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 200);
                    boolean aligned = rnd.nextBoolean();
                    long got = d.alloc(size, limit, aligned);
                    assertEquals(ref.alloc(size, limit, aligned), got, at + " keep " + size);
                    if (got != 0) {
                        live.add(new long[] {got, size});
                    }
                } else if (what < 97) {
                    long[] r = live.remove(rnd.nextInt(live.size()));
                    assertEquals(ref.free(r[0]), d.free(r[0]), at + " free 0x" + Long.toHexString(r[0]));
                } else {
                    long lo = rnd.nextLong(LIMIT32);
                    long hi = lo + rnd.nextInt(300);
                    ref.reserve(lo, hi);
                    d.reserve(lo, hi);
                }
                assertEquals(ref.max32AllocSize(), d.max32AllocSize(), at);
                summariesAreExact(d, at);
                if (op % 100 == 0) {
                    sameRanges(ref, d, at);
                }
            }
            sameRanges(ref, d, "seed " + seed + " end");
        }
    }

    /**
     * Single pages allocated top-down fill leaves; freed bottom-up, each is the front range of
     * its leaf, so after each free the tree remembers the range above it, and the last free of
     * a leaf empties it (the leaf leaves the tree, kept as a spare) while the remembered
     * position still names it. Freeing each page a second time must find nothing (Linux's
     * {@code private_find_iova} returns NULL: {@code free_iova} does nothing), as in the AVL
     * tree, and no lookup may answer from a leaf that has left the tree.
     */
    @Test
    void aRangeFreedTwiceIsFoundOnce() {
        IovaDomain d = new IovaDomain(4096, 1);
        AvlIovaDomain ref = new AvlIovaDomain(4096, 1);
        long limit = (1L << 36) - 1;
        long[] pfns = new long[3 * IovaLeaf.B + 5];
        for (int i = 0; i < pfns.length; i++) {
            pfns[i] = d.alloc(1, limit, true);
            assertEquals(ref.alloc(1, limit, true), pfns[i]);
        }
        for (int i = pfns.length - 1; i >= 0; i--) {
            String at = "page " + i + " at 0x" + Long.toHexString(pfns[i]);
            assertTrue(d.free(pfns[i]), at);
            assertTrue(ref.free(pfns[i]), at);
            assertNull(d.find(pfns[i]), at + ": freed");
            assertEquals(false, d.free(pfns[i]), at + ": freed twice");
            assertEquals(false, ref.free(pfns[i]), at);
            summariesAreExact(d, at);
        }
        sameRanges(ref, d, "end");
        assertEquals(0, d.rangeCount());
    }

    /** Returns the peak ranges, the peak leaves, and the most ranges of 2^31 granules or more seen. */
    private static int[] run(long seed, int ops, int shift) {
        int[] peak = new int[3];
        Random rnd = new Random(seed);
        long start = 1 + rnd.nextInt(4);
        IovaDomain d = new IovaDomain(1L << shift, start);
        AvlIovaDomain ref = new AvlIovaDomain(1L << shift, start);
        long lim32 = (1L << (32 - shift)) - 1;
        long[] limits = {0xff, 0x3ff, 0xffff, lim32, (1L << 24) - 1, (1L << (48 - shift)) - 1, IovaDomain.IOVA_ANCHOR - 1,
            -1L};
        List<long[]> live = new ArrayList<>();
        int allocBias = 55 + rnd.nextInt(30);
        for (int op = 0; op < ops; op++) {
            String at = "seed " + seed + " op " + op;
            int what = rnd.nextInt(100);
            if (what < allocBias || live.isEmpty()) {
                long size = switch (rnd.nextInt(10)) {
                    case 0 -> 1 + rnd.nextInt(1000);
                    case 1 -> 1L + rnd.nextInt(1 << 20);
                    case 2, 3 -> 1L << rnd.nextInt(7);
                    default -> 1 + rnd.nextInt(8);
                };
                long limit = limits[rnd.nextInt(limits.length)];
                boolean aligned = rnd.nextInt(4) != 0;
                long want = ref.alloc(size, limit, aligned);
                long got = d.alloc(size, limit, aligned);
                assertEquals(want, got, at + " alloc size " + size + " limit 0x" + Long.toHexString(limit) + " aligned "
                        + aligned);
                if (got != 0) {
                    live.add(new long[] {got, size});
                }
            } else if (what < 93) {
                long[] r = live.remove(rnd.nextInt(live.size()));
                long pfn = r[0] + (long) (rnd.nextDouble() * r[1]);
                assertEquals(ref.free(pfn), d.free(pfn), at + " free 0x" + Long.toHexString(pfn));
            } else if (what < 96) {
                long lo = rnd.nextInt(4) == 0 ? rnd.nextLong(1L << 40) : rnd.nextLong(lim32 + 1);
                long len = rnd.nextInt(5) == 0 ? 1L << (31 + rnd.nextInt(10)) : 1 + rnd.nextInt(5000);
                long hi = Math.min(lo + len - 1, IovaDomain.IOVA_ANCHOR - 1);
                ref.reserve(lo, hi);
                d.reserve(lo, hi);
            } else {
                long pfn = rnd.nextInt(2) == 0 && !live.isEmpty() ? live.get(rnd.nextInt(live.size()))[0] + 1
                        : rnd.nextLong(lim32 + 1);
                AvlIovaNode a = ref.find(pfn);
                IovaNode b = d.find(pfn);
                if (a == null) {
                    assertNull(b, at + " find 0x" + Long.toHexString(pfn));
                } else {
                    assertEquals(a.toString(), String.valueOf(b), at + " find 0x" + Long.toHexString(pfn));
                }
                // A free of a pfn nobody holds, or of a reserved range, changes nothing in either.
                assertEquals(ref.free(pfn + 0x100000), d.free(pfn + 0x100000), at);
                live.removeIf(r -> r[0] <= pfn + 0x100000 && pfn + 0x100000 < r[0] + r[1]);
            }
            assertEquals(ref.max32AllocSize(), d.max32AllocSize(), at);
            peak[0] = Math.max(peak[0], d.rangeCount());
            peak[1] = Math.max(peak[1], d.leafCount());
            if (op % 50 == 0) {
                summariesAreExact(d, at);
            }
            if (op % 500 == 0) {
                sameRanges(ref, d, at);
                peak[2] = Math.max(peak[2], (int) d.ranges().stream().filter(r -> r[1] - r[0] >= 1L << 31).count());
            }
        }
        sameRanges(ref, d, "seed " + seed + " end");
        assertEquals(ref.allocatedGranules(), d.allocatedGranules());
        return peak;
    }

    /**
     * Every leaf's stored summaries (own, inner with its count of non-empty gaps, subtree, height
     * and first gap's start) against a recomputation from the ranges alone: the updates skip
     * work (ancestors whose summary cannot change, own summaries of untouched leaves), and a
     * summary left stale would only show later as a wrong search.
     */
    private static void summariesAreExact(IovaDomain d, String at) {
        try {
            java.lang.reflect.Field tf = IovaDomain.class.getDeclaredField("tree");
            tf.setAccessible(true);
            IovaTree t = (IovaTree) tf.get(d);
            java.lang.reflect.Field rf = IovaTree.class.getDeclaredField("root");
            rf.setAccessible(true);
            java.lang.reflect.Field bf = IovaTree.class.getDeclaredField("big");
            bf.setAccessible(true);
            long[] prevHi = {-1};
            check((IovaLeaf) rf.get(t), (IovaBigRanges) bf.get(t), prevHi, at);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Returns {maxGap, maxFitOrder, maxTail, height} of the subtree, recomputed. */
    private static long[] check(IovaLeaf l, IovaBigRanges big, long[] prevHi, String at) {
        if (l == null) {
            return new long[] {Long.MIN_VALUE, -1, Long.MIN_VALUE, 0};
        }
        long[] left = check(l.left, big, prevHi, at);
        assertEquals(prevHi[0] + 1, l.gapLo, at + " gapLo");
        long[] own = gapSummary(l.gapLo, l.lo[l.begin]);
        long[] inner = {0, -1, Long.MIN_VALUE};
        int count = 0;
        for (int j = l.begin + 1; j < l.end; j++) {
            long g0 = l.hiAt(j - 1, big) + 1;
            long g1 = l.lo[j];
            if (g1 > g0) {
                count++;
                inner = merge(inner, gapSummary(g0, g1));
            }
        }
        prevHi[0] = l.hiAt(l.end - 1, big);
        assertEquals(count, l.innerCount, at + " innerCount");
        assertArrayEquals(inner, new long[] {l.innerGap, l.innerOrder, l.innerTail}, at + " inner summary");
        own = merge(own, inner);
        assertArrayEquals(own, new long[] {l.ownGap, l.ownOrder, l.ownTail}, at + " own summary");
        long[] right = check(l.right, big, prevHi, at);
        long[] all = merge(merge(own, new long[] {left[0], left[1], left[2]}), new long[] {right[0], right[1], right[2]});
        assertArrayEquals(all, new long[] {l.maxGap, l.maxFitOrder, l.maxTail}, at + " subtree summary");
        long height = 1 + Math.max(left[3], right[3]);
        assertEquals(height, l.height, at + " height");
        return new long[] {all[0], all[1], all[2], height};
    }

    /** {gap, fitOrder, tail} of [g0, g1) from the definitions: the largest aligned 2^m block, by trying each m. */
    private static long[] gapSummary(long g0, long g1) {
        int order = -1;
        for (int m = 0; m < 63; m++) {
            long a = 1L << m;
            long x = (g0 + a - 1) & -a;
            if (x >= g0 && g1 - x >= a) {
                order = m;
            }
        }
        long tail = Long.MIN_VALUE;
        if (order >= 0) {
            long a = 1L << (order + 1);
            tail = g1 - ((g0 + a - 1) & -a);
        }
        return new long[] {g1 - g0, order, tail};
    }

    /** The summary of two sets of gaps together: the longest gap; the larger order, with the larger tail on a tie. */
    private static long[] merge(long[] a, long[] b) {
        long gap = Math.max(a[0], b[0]);
        if (a[1] != b[1]) {
            return a[1] > b[1] ? new long[] {gap, a[1], a[2]} : new long[] {gap, b[1], b[2]};
        }
        return new long[] {gap, a[1], Math.max(a[2], b[2])};
    }

    private static void sameRanges(AvlIovaDomain ref, IovaDomain d, String at) {
        List<long[]> a = ref.ranges();
        List<long[]> b = d.ranges();
        assertEquals(a.size(), b.size(), at);
        assertEquals(ref.rangeCount(), d.rangeCount(), at);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), at + " range " + i);
        }
    }

    /** highestFit against a scan of every gap, on trees of many ranges, for random bounds and sizes. */
    @Test
    void highestFitAgreesWithBruteForce() {
        for (long seed = 1; seed <= 10; seed++) {
            Random rnd = new Random(seed);
            IovaTree t = new IovaTree();
            t.insert(IovaDomain.IOVA_ANCHOR, IovaDomain.IOVA_ANCHOR, true);
            List<long[]> ranges = new ArrayList<>();
            ranges.add(new long[] {IovaDomain.IOVA_ANCHOR, IovaDomain.IOVA_ANCHOR});
            long span = 1L << (10 + rnd.nextInt(8));
            for (int i = 0; i < 3000; i++) {
                long lo = rnd.nextLong(span);
                long hi = lo + rnd.nextInt(rnd.nextBoolean() ? 3 : 40);
                if (overlaps(ranges, lo, hi)) {
                    continue;
                }
                t.insert(lo, hi, false);
                ranges.add(new long[] {lo, hi});
                if (rnd.nextInt(4) == 0) {
                    long[] r = ranges.remove(rnd.nextInt(ranges.size() - 1) + 1);
                    t.remove(r[0]);
                }
                ranges.sort((x, y) -> Long.compare(x[0], y[0]));
                for (int q = 0; q < 3; q++) {
                    long low = rnd.nextLong(span);
                    long high = low + 1 + rnd.nextLong(span);
                    long size = 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 64);
                    boolean aligned = rnd.nextBoolean();
                    int k = aligned ? 64 - Long.numberOfLeadingZeros(size - 1) : 0;
                    assertEquals(bruteForce(ranges, low, high, size, k, aligned), t.highestFit(low, high, size, k, aligned),
                            "seed " + seed + " step " + i + " [" + low + "," + high + ") size " + size + " aligned "
                                    + aligned);
                }
            }
        }
    }

    private static boolean overlaps(List<long[]> ranges, long lo, long hi) {
        for (long[] r : ranges) {
            if (lo <= r[1] && r[0] <= hi) {
                return true;
            }
        }
        return false;
    }

    /** The highest aligned x in [low, high - size] with [x, x + size) touching no range, by trying gaps top-down. */
    private static long bruteForce(List<long[]> sorted, long low, long high, long size, int k, boolean aligned) {
        long mask = aligned ? -(1L << k) : -1L;
        for (int i = sorted.size() - 1; i >= 0; i--) {
            long g0 = Math.max(i == 0 ? 0 : sorted.get(i - 1)[1] + 1, low);
            long g1 = Math.min(sorted.get(i)[0], high);
            if (g1 - g0 >= size) {
                long x = (g1 - size) & mask;
                if (x >= g0) {
                    return x;
                }
            }
        }
        return IovaTree.NO_FIT;
    }

    /**
     * Linux's top-down allocation inserts each range just below the last: the leaves fill up,
     * so a million single-granule ranges take about a million / {@value IovaTree#B} leaves.
     */
    @Test
    void topDownAllocationLeavesTheLeavesFull() {
        IovaDomain d = new IovaDomain(4096, 1);
        int n = 1_000_000;
        for (int i = 0; i < n; i++) {
            assertNotEquals(0, d.alloc(1, (1L << 36) - 1, true));
        }
        int leaves = d.leafCount();
        assertTrue(leaves <= n / IovaTree.B + 2, leaves + " leaves for " + n + " ranges");
        // Free all but one in 64 (a sparse tree), allocate again: every hole is found again.
        long top = (1L << 36) - 1;
        for (long pfn = top - n + 1; pfn <= top; pfn++) {
            if (pfn % 64 != 0) {
                assertTrue(d.free(pfn));
            }
        }
        for (int i = 0; i < 1000; i++) {
            assertTrue(d.alloc(1, top, true) > top - n, "refills below the top");
        }
    }
}
