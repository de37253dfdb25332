package org.iommulab.modelkit.tlb;

import static org.iommulab.modelkit.tlb.Iotlb.ALL_KINDS;
import static org.iommulab.modelkit.tlb.Iotlb.ANY;
import static org.iommulab.modelkit.tlb.Iotlb.MISS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The kit's IOTLB: lookups across block sizes, fills, invalidation by address, tag, range and
 * all (each visiting only the entries concerned, counted by {@link Iotlb#visited()}), and the
 * allocation-free hot path. Replacement policies are in {@link ReplacementPolicyTest}.
 */
class IotlbTest {
    private static final int S1 = 0;
    private static final int S2 = 1;
    private static final int RW = 3;
    private static final long K4 = 0x1000;

    @Test
    void lookupProbesEveryBlockSizeSmallestFirst() {
        Iotlb t = new Iotlb(16);
        t.fill(S1, 1, 3, 0x4000_1234L, 12, 0x8000_1000L, RW, 3);
        t.fill(S1, 1, 3, 0x4020_0000L, 21, 0x9000_0000L, RW, 2);
        // The page 0x4000_1000..0x4000_1fff maps to 0x8000_1000: offset 0xff8 stays.
        int e = t.lookup(S1, 1, 3, 0x4000_1ff8L);
        assertEquals(0x8000_1ff8L, t.translate(e, 0x4000_1ff8L));
        // The 2 MiB block 0x4020_0000..0x403f_ffff: offset 0x1f_fff0 added to 0x9000_0000.
        e = t.lookup(S1, 1, 3, 0x403f_fff0L);
        assertEquals(0x901f_fff0L, t.translate(e, 0x403f_fff0L));
        assertEquals(2, t.level(e));
        assertEquals(21, t.shift(e));
        assertEquals(0x4020_0000L, t.input(e));
        assertEquals(MISS, t.lookup(S1, 1, 3, 0x4000_2000L), "no page there, and the block starts at 0x4020_0000");
        assertEquals(MISS, t.lookup(S1, 1, 4, 0x4000_1000L), "another inner tag");
        assertEquals(MISS, t.lookup(S1, 2, 3, 0x4000_1000L), "another outer tag");
        assertEquals(MISS, t.lookup(S2, 1, 3, 0x4000_1000L), "another kind");
        assertEquals(2, t.hits());
        assertEquals(4, t.misses());
        assertEquals(1L << 12 | 1L << 21, t.shiftsPresent());

        // A page inside a block of the same tags: the smaller one answers first, and a second
        // find above its size sees the block (how a model detects a TLB conflict).
        t.fill(S1, 1, 3, 0x4020_5000L, 12, 0x7000_0000L, RW, 3);
        e = t.find(S1, 1, 3, 0x4020_5008L, Iotlb.ALL_SHIFTS);
        assertEquals(0x7000_0008L, t.translate(e, 0x4020_5008L));
        int above = t.find(S1, 1, 3, 0x4020_5008L, Iotlb.ALL_SHIFTS & (-2L << t.shift(e)));
        assertEquals(21, t.shift(above));
        assertEquals(MISS, t.find(S1, 1, 3, 0x4020_5008L, 1L << 30), "only the sizes asked for are probed");
        assertEquals(2, t.hits(), "find counts nothing");
    }

    /**
     * Every field at its extremes comes back as given, and keys that differ in one field only
     * stay apart: the smallest block (64 bytes, MIN_SHIFT) and the largest (2^63), kinds 0 and
     * 31, negative tags next to their positive twins (tag2 -1 against tag1 -1: the two halves
     * of one word), permission bits with bit 31 set, negative and positive levels.
     */
    @Test
    void fieldsAtTheirExtremesComeBackAsGivenAndKeysDifferingInOneFieldStayApart() {
        Iotlb t = new Iotlb(64);
        int small = t.fill(31, -1, 0x7fff_ffff, 0xffff_ffff_ffff_ffc0L, Iotlb.MIN_SHIFT, 0x40L, 0x8000_0001, -128);
        int huge = t.fill(0, 0x7fff_ffff, -1, 0, Iotlb.MAX_SHIFT, 0x8000_0000_0000_0000L, -1, 127);
        assertEquals(31, t.kind(small));
        assertEquals(-1, t.tag1(small));
        assertEquals(0x7fff_ffff, t.tag2(small));
        assertEquals(0xffff_ffff_ffff_ffc0L, t.input(small));
        assertEquals(Iotlb.MIN_SHIFT, t.shift(small));
        assertEquals(0x40L, t.output(small));
        assertEquals(0x8000_0001, t.perms(small));
        assertEquals(-128, t.level(small));
        // The last byte of the address space: offset 0x3f into the 64-byte block at 0x40.
        assertEquals(0x7fL, t.translate(small, 0xffff_ffff_ffff_ffffL));
        assertEquals(0, t.kind(huge));
        assertEquals(0x7fff_ffff, t.tag1(huge));
        assertEquals(-1, t.tag2(huge));
        assertEquals(0, t.input(huge));
        assertEquals(Iotlb.MAX_SHIFT, t.shift(huge));
        assertEquals(-1, t.perms(huge));
        assertEquals(127, t.level(huge));
        // 2^63-byte block at 0 with output 2^63: address 0x1234 lands at 2^63 + 0x1234.
        assertEquals(0x8000_0000_0000_1234L, t.translate(huge, 0x1234));

        // Keys one field apart from `small`'s: none is found as `small`, each is its own entry.
        int[] others = {
            t.fill(30, -1, 0x7fff_ffff, 0xffff_ffff_ffff_ffc0L, Iotlb.MIN_SHIFT, 0x80L, 1, 0),
            t.fill(31, 0x7fff_ffff, -1, 0xffff_ffff_ffff_ffc0L, Iotlb.MIN_SHIFT, 0xc0L, 1, 0),
            t.fill(31, -1, 0x7fff_fffe, 0xffff_ffff_ffff_ffc0L, Iotlb.MIN_SHIFT, 0x100L, 1, 0),
            t.fill(31, -1, 0x7fff_ffff, 0xffff_ffff_ffff_ff80L, Iotlb.MIN_SHIFT, 0x140L, 1, 0),
            t.fill(31, -1, 0x7fff_ffff, 0xffff_ffff_ffff_ff80L, Iotlb.MIN_SHIFT + 1, 0x180L, 1, 0),
        };
        assertEquals(7, t.size());
        assertEquals(small, t.find(31, -1, 0x7fff_ffff, 0xffff_ffff_ffff_ffc0L, 1L << Iotlb.MIN_SHIFT));
        assertEquals(others[0], t.find(30, -1, 0x7fff_ffff, 0xffff_ffff_ffff_ffc0L, 1L << Iotlb.MIN_SHIFT));
        assertEquals(others[1], t.find(31, 0x7fff_ffff, -1, 0xffff_ffff_ffff_ffc0L, 1L << Iotlb.MIN_SHIFT));
        assertEquals(others[2], t.find(31, -1, 0x7fff_fffe, 0xffff_ffff_ffff_ffc0L, 1L << Iotlb.MIN_SHIFT));
        assertEquals(others[3], t.find(31, -1, 0x7fff_ffff, 0xffff_ffff_ffff_ff80L, 1L << Iotlb.MIN_SHIFT));
        assertEquals(others[4], t.find(31, -1, 0x7fff_ffff, 0xffff_ffff_ffff_ff80L, 1L << (Iotlb.MIN_SHIFT + 1)));
        assertEquals(MISS, t.find(31, -1, -1, 0xffff_ffff_ffff_ffc0L, Iotlb.ALL_SHIFTS), "tag2 -1 is not tag1 -1");
        // Invalidating the address of `small` under its kind and tags takes the two blocks of
        // that key which contain it: `small` (64 bytes at ...ffc0) and the 128-byte block at
        // ...ff80; the 64-byte block at ...ff80 ends before it, the other keys differ.
        assertEquals(2, t.invalidateAddress(1 << 31, -1, 0x7fff_ffff, 0xffff_ffff_ffff_ffc0L));
        assertEquals(MISS, t.find(31, -1, 0x7fff_ffff, 0xffff_ffff_ffff_ffc0L, Iotlb.ALL_SHIFTS));
        assertEquals(others[3], t.find(31, -1, 0x7fff_ffff, 0xffff_ffff_ffff_ff80L, Iotlb.ALL_SHIFTS));
        assertEquals(5, t.size());
    }

    @Test
    void refillingAKeyRefreshesItInPlace() {
        Iotlb t = new Iotlb(4);
        int e = t.fill(S1, 1, 3, 0x1000, 12, 0xa000, RW, 3);
        t.setAux(e, 0x5000, 0xdead);
        t.setAuxInt(e, 7);
        assertEquals(e, t.fill(S1, 1, 3, 0x1abc, 12, 0xb123, 1, 3), "same block, same tags: same slot");
        assertEquals(1, t.size());
        assertEquals(0xb008, t.translate(e, 0x1008), "output block 0xb000: fill clears the offset bits");
        assertEquals(1, t.perms(e));
        assertEquals(0, t.aux0(e), "model data starts again at 0");
        assertEquals(0, t.aux1(e));
        assertEquals(0, t.auxInt(e));
        assertEquals(2, t.fills());
    }

    @Test
    void invalidationByAddressTakesTheBlocksContainingItAndVisitsOnlyThatPage() {
        Iotlb t = new Iotlb(64);
        for (int p = 0; p < 8; p++) {
            t.fill(S1, 1, 3, p * K4, 12, 0, RW, 3);
            t.fill(S1, 1, 4, p * K4, 12, 0, RW, 3);
        }
        t.fill(S1, 1, 3, 0x20_0000L, 21, 0, RW, 2);
        t.fill(S2, 1, 0, 0x1000, 12, 0, RW, 3);
        assertEquals(18, t.size());

        long v = t.visited();
        assertEquals(1, t.invalidateAddress(ALL_KINDS, 1, 3, 0x3008), "(1,3) page 3 only");
        // Sizes present 4 KiB and 2 MiB: page 0x3000 holds (1,3) and (1,4); block 0 holds nothing.
        assertEquals(2, t.visited() - v);
        assertEquals(MISS, t.find(S1, 1, 3, 0x3000, -1L));

        assertEquals(2, t.invalidateAddress(1 << S1, 1, ANY, 0x2000), "every inner tag of page 2");
        assertEquals(MISS, t.find(S1, 1, 4, 0x2000, -1L));
        assertTrue(t.find(S2, 1, 0, 0x1000, -1L) >= 0, "kinds outside the mask stay");
        assertEquals(1, t.invalidateAddress(1 << S2, 1, ANY, 0x1fff));
        assertEquals(1, t.invalidateAddress(ALL_KINDS, 1, 3, 0x2f_0000L), "the 2 MiB block containing it");
        assertEquals(0, t.invalidateAddress(ALL_KINDS, 2, ANY, 0x4000), "no entry of outer tag 2");
        assertEquals(18 - 5, t.size());
        assertEquals(5, t.invalidations());
        assertEquals(5, t.invalidated());
    }

    @Test
    void invalidationByTagVisitsOnlyThatTagsEntries() {
        Iotlb t = new Iotlb(256);
        for (int p = 0; p < 200; p++) {
            t.fill(S1, 1, 0, p * K4, 12, 0, RW, 3);
        }
        for (int p = 0; p < 3; p++) {
            t.fill(S1, 2, 5, p * K4, 12, 0, RW, 3);
        }
        long v = t.visited();
        assertEquals(3, t.invalidate(ALL_KINDS, 2, ANY));
        assertEquals(3, t.visited() - v, "outer tag 2's three entries, not the 203");
        t.fill(S1, 1, 9, 0x100_0000L, 12, 0, RW, 3);
        v = t.visited();
        assertEquals(1, t.invalidate(ALL_KINDS, 1, 9));
        assertEquals(1, t.visited() - v, "the pair (1, 9) has one entry");
        v = t.visited();
        assertEquals(200, t.invalidate(ALL_KINDS, 1, 0));
        assertEquals(200, t.visited() - v);
        assertEquals(0, t.size());
    }

    @Test
    void rangeInvalidationProbesPagesOrWalksTheTagWhicheverIsSmaller() {
        Iotlb t = new Iotlb(256);
        for (int p = 0; p < 200; p++) {
            t.fill(S1, 1, 0, p * K4, 12, 0, RW, 3);
        }
        for (long p : new long[] {1000, 5000, 0x20000}) {
            t.fill(S1, 2, 0, p * K4, 12, 0, RW, 3);
        }
        // Pages 10..13 of tag 1: 4 probes (only 4 KiB present) beat walking its 200 entries.
        long v = t.visited();
        assertEquals(4, t.invalidateRange(ALL_KINDS, 1, 0, 10 * K4, 14 * K4 - 1, ANY));
        assertEquals(4, t.visited() - v);
        assertEquals(MISS, t.find(S1, 1, 0, 13 * K4, -1L));
        assertTrue(t.find(S1, 1, 0, 14 * K4, -1L) >= 0, "the last byte of the range is 14 * 4K - 1");
        // 256 MiB of tag 2 is 65536 probes; its chain has 3 entries. Pages 1000 and 5000 lie
        // below 0x1000_0000, page 0x20000 (0x2000_0000) above.
        v = t.visited();
        assertEquals(2, t.invalidateRange(ALL_KINDS, 2, 0, 0, 0x0fff_ffffL, ANY));
        assertEquals(3, t.visited() - v);
        assertTrue(t.find(S1, 2, 0, 0x2000_0000L, -1L) >= 0);
        assertEquals(0, t.invalidateRange(ALL_KINDS, 1, 0, 5 * K4, 4 * K4, ANY), "an empty range");
    }

    @Test
    void aRangeWithALevelTakesOnlyLeavesOfThatLevel() {
        Iotlb t = new Iotlb(8);
        t.fill(S1, 1, 3, 0x4000_0000L, 21, 0x1_0000_0000L, RW, 2);
        t.fill(S1, 1, 3, 0x4020_0000L, 12, 0x9000_0000L, RW, 3);
        // 1024 pages from 0x4000_0000 (to 0x403f_ffff) with level 3: the level-2 block stays.
        assertEquals(1, t.invalidateRange(ALL_KINDS, 1, 3, 0x4000_0000L, 0x403f_ffffL, 3));
        assertTrue(t.find(S1, 1, 3, 0x4000_0000L, -1L) >= 0);
        assertEquals(1, t.invalidateRange(ALL_KINDS, 1, 3, 0x4000_0000L, 0x403f_ffffL, 2));
        assertEquals(0, t.size());
    }

    @Test
    void invalidateAllEmptiesAndTheTlbFillsAgain() {
        Iotlb t = new Iotlb(2, 2, ReplacementPolicy.roundRobin());
        for (int p = 0; p < 4; p++) {
            t.fill(S1, 1, 0, p * K4, 12, 0, RW, 3);
        }
        int n = t.size();
        assertEquals(n, t.invalidateAll());
        assertEquals(0, t.size());
        assertEquals(0, t.shiftsPresent());
        assertEquals(MISS, t.find(S1, 1, 0, 0, -1L));
        for (int p = 0; p < 4; p++) {
            t.fill(S1, 1, 0, p * K4, 12, p * K4, RW, 3);
        }
        assertTrue(t.size() >= 2 && t.size() <= 4, "the sets fill again: " + t.size());
    }

    /**
     * Random fills (three outer tags, two inner, two kinds, three sizes, two levels) and random
     * selective invalidations against a brute-force reference built from the slots
     * themselves: whichever way the TLB chooses (probing pages or walking a list), exactly the
     * entries the selector covers go.
     */
    @Test
    void invalidationAgreesWithABruteForceScan() {
        SplittableRandom rnd = new SplittableRandom(12);
        Iotlb t = new Iotlb(4, 32, ReplacementPolicy.lru());
        int[] shifts = {12, 16, 21};
        for (int op = 0; op < 20_000; op++) {
            int s = shifts[rnd.nextInt(3)];
            long addr = (long) rnd.nextInt(1 << 10) << 12;
            if (rnd.nextInt(4) != 0) {
                t.fill(rnd.nextInt(2), rnd.nextInt(3), rnd.nextInt(2), addr, s, addr, RW, s == 21 ? 2 : 3);
                continue;
            }
            int kindMask = rnd.nextBoolean() ? ALL_KINDS : 1 << rnd.nextInt(2);
            int t1 = rnd.nextInt(4) == 0 ? ANY : rnd.nextInt(3);
            int t2 = rnd.nextBoolean() ? ANY : rnd.nextInt(2);
            int lvl = rnd.nextInt(4) == 0 ? 2 + rnd.nextInt(2) : ANY;
            long first = addr;
            long last = first + ((long) rnd.nextInt(rnd.nextBoolean() ? 4 : 1 << 12) << 12) + rnd.nextInt(4096);
            boolean[] expect = new boolean[t.capacity()];
            int expected = 0;
            for (int e = 0; e < t.capacity(); e++) {
                if (t.valid(e) && (kindMask & 1 << t.kind(e)) != 0 && (t1 == ANY || t.tag1(e) == t1)
                        && (t2 == ANY || t.tag2(e) == t2) && (lvl == ANY || t.level(e) == lvl)
                        && t.input(e) + (1L << t.shift(e)) - 1 >= first && t.input(e) <= last) {
                    expect[e] = true;
                    expected++;
                }
            }
            int before = t.size();
            assertEquals(expected, t.invalidateRange(kindMask, t1, t2, first, last, lvl), "op " + op);
            assertEquals(before - expected, t.size());
            for (int e = 0; e < t.capacity(); e++) {
                if (expect[e]) {
                    assertTrue(!t.valid(e), "slot " + e + " should have gone");
                }
            }
        }
    }

    @Test
    void badEntriesAreRefused() {
        Iotlb t = new Iotlb(4);
        assertThrows(IllegalArgumentException.class, () -> t.fill(32, 0, 0, 0, 12, 0, 0, 3), "kind above 31");
        assertThrows(IllegalArgumentException.class, () -> t.fill(0, ANY, 0, 0, 12, 0, 0, 3), "ANY is a selector");
        assertThrows(IllegalArgumentException.class, () -> t.fill(0, 0, 0, 0, 5, 0, 0, 3), "below 64 bytes");
        assertThrows(IllegalArgumentException.class, () -> new Iotlb(3, 4, ReplacementPolicy.lru()), "3 sets");
        assertThrows(IllegalArgumentException.class, () -> new Iotlb(0));
    }

    /**
     * 100,000 lookups, each missing one in two and then filling (evicting once the TLB is full),
     * with an address invalidation every 64: the primitive arrays and the indexes sized at
     * construction take it all without allocating.
     */
    @Test
    void lookupsFillsAndInvalidationsAllocateNothing() {
        Iotlb t = new Iotlb(1, 512, ReplacementPolicy.lru());
        t.fill(S1, 7, 0, 0x4000_0000L, 30, 0x8000_0000L, RW, 1);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (int round = 0; round < 3; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                long va = (long) (i * 7 & 1023) << 12;
                int e = t.lookup(S1, 1, i & 1, va);
                if (e == MISS) {
                    e = t.fill(S1, 1, i & 1, va, 12, va + 0x1000_0000L, RW, 3);
                }
                sum += t.translate(e, va | 8);
                if ((i & 63) == 0) {
                    t.invalidateAddress(ALL_KINDS, 1, ANY, va);
                }
            }
            long after = mx.getCurrentThreadAllocatedBytes();
            if (round == 2) {
                // One 16-byte object per call would be 1.6 MB; JIT or JMX bookkeeping stays far below 4 KiB.
                assertTrue(after - before < 4096, "bytes allocated by 100000 lookups and fills: " + (after - before));
            }
        }
        assertTrue(sum != 0);
        assertTrue(t.evictions() > 0, "the loop ran the TLB full");
    }
}
