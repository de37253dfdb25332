package org.iommulab.modelkit.tlb;

import static org.iommulab.modelkit.tlb.Iotlb.ALL_KINDS;
import static org.iommulab.modelkit.tlb.Iotlb.MISS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Each built-in policy on one fully associative set of four slots, the victims worked out by
 * hand; a free slot is always taken before a victim, the lowest first, so pages 0..3 filled in
 * order sit in slots 0..3.
 */
class ReplacementPolicyTest {
    private static final long K4 = 0x1000;

    private static Iotlb filled(ReplacementPolicy.Factory policy) {
        Iotlb t = new Iotlb(1, 4, policy);
        for (int p = 0; p < 4; p++) {
            assertEquals(p, t.fill(0, 1, 0, p * K4, 12, 0, 3, 3), "page " + p + " in the lowest free slot");
        }
        return t;
    }

    private static boolean cached(Iotlb t, int page) {
        return t.find(0, 1, 0, page * K4, -1L) != MISS;
    }

    private static void assertPages(Iotlb t, int... pages) {
        assertEquals(pages.length, t.size());
        for (int p : pages) {
            assertTrue(cached(t, p), "page " + p);
        }
    }

    @Test
    void roundRobinMovesOnWhateverWasUsed() {
        Iotlb t = filled(ReplacementPolicy.roundRobin());
        t.fill(0, 1, 0, 4 * K4, 12, 0, 3, 3); // pointer at way 0: page 0 goes, pointer to 1
        t.lookup(0, 1, 0, 1 * K4); // a hit does not protect page 1
        t.fill(0, 1, 0, 5 * K4, 12, 0, 3, 3); // way 1: page 1 goes
        assertPages(t, 2, 3, 4, 5);
        assertEquals(2, t.evictions());
    }

    @Test
    void fifoEvictsTheOldestFillAndRoundRobinDoesNot() {
        // Both: page 4 evicts slot 0 (page 0). Page 1 is invalidated and page 5 takes its free
        // slot 1. Fill order is now 2, 3, 4, 5: FIFO gives up page 2; round robin's pointer
        // stands at way 1 and gives up page 5, the newest.
        for (boolean fifo : new boolean[] {true, false}) {
            Iotlb t = filled(fifo ? ReplacementPolicy.fifo() : ReplacementPolicy.roundRobin());
            t.fill(0, 1, 0, 4 * K4, 12, 0, 3, 3);
            assertEquals(1, t.invalidateAddress(ALL_KINDS, 1, 0, 1 * K4));
            assertEquals(1, t.fill(0, 1, 0, 5 * K4, 12, 0, 3, 3), "the freed slot");
            t.lookup(0, 1, 0, 2 * K4); // FIFO ignores hits
            t.fill(0, 1, 0, 6 * K4, 12, 0, 3, 3);
            if (fifo) {
                assertPages(t, 3, 4, 5, 6);
            } else {
                assertPages(t, 2, 3, 4, 6);
            }
        }
    }

    @Test
    void lruEvictsTheEntryUnusedLongest() {
        Iotlb t = filled(ReplacementPolicy.lru());
        t.lookup(0, 1, 0, 0); // order, oldest first: 1 2 3 0
        t.fill(0, 1, 0, 4 * K4, 12, 0, 3, 3); // page 1 goes: 2 3 0 4
        t.lookup(0, 1, 0, 2 * K4); // 3 0 4 2
        t.fill(0, 1, 0, 5 * K4, 12, 0, 3, 3); // page 3 goes: 0 4 2 5
        assertPages(t, 0, 2, 4, 5);
        t.fill(0, 1, 0, 4 * K4, 12, 0, 3, 3); // a refill is a use: 0 2 5 4
        t.fill(0, 1, 0, 6 * K4, 12, 0, 3, 3); // page 0 goes
        assertPages(t, 2, 4, 5, 6);
    }

    @Test
    void clockGivesUsedEntriesASecondChance() {
        Iotlb t = filled(ReplacementPolicy.clock());
        // All four referenced by their fills: the hand clears slots 0..3 and comes back to slot
        // 0, which goes (page 0); the hand stops at slot 1.
        t.fill(0, 1, 0, 4 * K4, 12, 0, 3, 3);
        assertFalse(cached(t, 0));
        t.lookup(0, 1, 0, 1 * K4); // page 1 referenced again
        // Slot 1 referenced: cleared, skipped; slot 2 (page 2) was cleared by the sweep: goes.
        t.fill(0, 1, 0, 5 * K4, 12, 0, 3, 3);
        assertPages(t, 1, 3, 4, 5);
        assertEquals(2, t.evictions());
    }

    @Test
    void randomIsTheSameForTheSameSeed() {
        int[] a = victims(ReplacementPolicy.random(42));
        int[] b = victims(ReplacementPolicy.random(42));
        int[] c = victims(ReplacementPolicy.random(43));
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c), "another seed, another sequence");
    }

    /** The slot each of 32 fills beyond capacity lands in: the victim's. */
    private static int[] victims(ReplacementPolicy.Factory policy) {
        Iotlb t = filled(policy);
        int[] slots = new int[32];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = t.fill(0, 1, 0, (100 + i) * K4, 12, 0, 3, 3);
            assertTrue(slots[i] >= 0 && slots[i] < 4);
        }
        return slots;
    }

    /** A policy that records what it is told and picks way 0 of the set it is asked about. */
    private static class Recorder implements ReplacementPolicy {
        final List<String> calls = new ArrayList<>();
        final int ways;

        Recorder(int ways) {
            this.ways = ways;
        }

        @Override
        public void filled(int slot) {
            calls.add("fill " + slot);
        }

        @Override
        public void used(int slot) {
            calls.add("use " + slot);
        }

        @Override
        public void removed(int slot) {
            calls.add("remove " + slot);
        }

        @Override
        public int victim(int set) {
            calls.add("victim " + set);
            return set * ways;
        }
    }

    @Test
    void aFullSetEvictsWithinItselfAndThePolicyHearsEverything() {
        Recorder[] r = new Recorder[1];
        Iotlb t = new Iotlb(4, 2, (sets, ways) -> r[0] = new Recorder(ways));
        int page = 0;
        int before;
        do {
            before = r[0].calls.size();
            t.fill(0, 1, 0, page++ * K4, 12, 0, 3, 3);
        } while (r[0].calls.size() == before + 1); // only "fill e": a free slot was found
        // Eight slots in four sets of two: some set is full by the ninth fill at the latest. The
        // policy was asked for that set's victim (way 0 here), the entry there was removed, and
        // the new one took its slot: the set, not the TLB, was full.
        assertTrue(page <= 9, "filled " + page);
        String victim = r[0].calls.get(before);
        assertTrue(victim.startsWith("victim "), r[0].calls.toString());
        int slot = Integer.parseInt(victim.substring(7)) * 2;
        assertEquals(List.of("remove " + slot, "fill " + slot), r[0].calls.subList(before + 1, before + 3));
        assertEquals(slot, t.find(0, 1, 0, (page - 1) * K4, -1L));
        assertEquals(1, t.evictions());
        t.lookup(0, 1, 0, (page - 1) * K4);
        assertEquals("use " + slot, r[0].calls.get(r[0].calls.size() - 1), "a hit is reported to the policy");
    }

    @Test
    void aVictimOutsideTheFullSetIsAnError() {
        Iotlb t = new Iotlb(1, 2, (sets, ways) -> new Recorder(ways) {
            @Override
            public int victim(int set) {
                return 5;
            }
        });
        t.fill(0, 1, 0, 0, 12, 0, 3, 3);
        t.fill(0, 1, 0, K4, 12, 0, 3, 3);
        assertThrows(IllegalStateException.class, () -> t.fill(0, 1, 0, 2 * K4, 12, 0, 3, 3));
    }
}
