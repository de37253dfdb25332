package org.iommulab.swiotlb.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random sequences of allocations and releases against the slot table, checking after
 * every step the rules Linux's swiotlb keeps: alignment, min_align offset, segments, device
 * boundary, no overlap, exact free-run counters, and that a failed search really had no room.
 */
class SlotAllocatorPropertyTest {
    private static final long TBL = 0x8000_0000L;
    private static final long[] ALLOC_ALIGN = {0, 0, 0, 0x7ff, 0xfff, 0x3fff, 0xffff};
    private static final long[] MIN_ALIGN = {0, 0, 0xfff, 0x3f, 0x7ff, 0x1fff};
    private static final long[] BOUNDARY = {~0L, ~0L, 0xffff, 0x3ffff, 0xfff};

    /** One live allocation and what it was asked for. */
    private static final class Live {
        final int head;
        final long orig;
        final long size;
        final long allocAlign;
        final long minAlign;
        final long boundary;

        Live(int head, long orig, long size, long allocAlign, long minAlign, long boundary) {
            this.head = head;
            this.orig = orig;
            this.size = size;
            this.allocAlign = allocAlign;
            this.minAlign = minAlign;
            this.boundary = boundary;
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 2022_0854, 0x5eed})
    void randomSequencesKeepEveryRule(long seed) {
        Random rnd = new Random(seed);
        int nareas = 1 << rnd.nextInt(3);
        SlotAllocator t = new SlotAllocator(nareas * 128 * (1 + rnd.nextInt(3)), nareas);
        List<Live> live = new ArrayList<>();
        int failures = 0;
        for (int step = 0; step < 3000; step++) {
            if (!live.isEmpty() && rnd.nextInt(100) < 45) {
                Live l = live.remove(rnd.nextInt(live.size()));
                long bounce = ((long) l.head << 11) + t.alignOffset(l.head);
                assertTrue(t.release(bounce), "release of a live allocation");
            } else {
                long allocAlign = ALLOC_ALIGN[rnd.nextInt(ALLOC_ALIGN.length)];
                long minAlign = MIN_ALIGN[rnd.nextInt(MIN_ALIGN.length)];
                long boundary = BOUNDARY[rnd.nextInt(BOUNDARY.length)];
                long size = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(256 * 1024) : 1 + rnd.nextInt(16 * 1024);
                long orig = 0x4000_0000L + (rnd.nextLong() & 0x3fff_ffffL);
                long[] before = counters(t);
                long usedBefore = t.usedSlots();
                int head = t.allocate(rnd.nextInt(), orig, size, allocAlign, minAlign, boundary, TBL & boundary, "d");
                if (head < 0) {
                    failures++;
                    assertEquals(usedBefore, t.usedSlots(), "a failed allocation takes nothing");
                    assertTrue(java.util.Arrays.equals(before, counters(t)), "a failed allocation changes no counter");
                    assertNoRoom(t, live, orig, size, allocAlign, minAlign, boundary);
                } else {
                    live.add(new Live(head, orig, size, allocAlign, minAlign, boundary));
                }
            }
            checkInvariants(t, live);
        }
        assertTrue(failures > 0, "the sequence must run into a full pool to test the failure rules");
        for (Live l : live) {
            assertTrue(t.release(((long) l.head << 11) + t.alignOffset(l.head)));
        }
        live.clear();
        checkInvariants(t, live);
        for (int i = 0; i < t.nslabs(); i++) {
            assertEquals(SlotAllocator.initialFreeRun(i, t.nslabs()), t.freeRun(i), "slot " + i + " after freeing all");
        }
        assertEquals(0, t.usedSlots());
        assertEquals(0, t.liveAllocations());
    }

    private static long[] counters(SlotAllocator t) {
        long[] c = new long[t.nslabs()];
        for (int i = 0; i < c.length; i++) {
            c[i] = t.freeRun(i);
        }
        return c;
    }

    private static long dma(int slot) {
        return TBL + ((long) slot << 11);
    }

    private static void checkInvariants(SlotAllocator t, List<Live> live) {
        boolean[] taken = new boolean[t.nslabs()];
        long used = 0;
        for (Live l : live) {
            int first = t.firstSlot(l.head);
            long bytes = t.allocationBytes(l.head);
            int n = (int) SlotAllocator.nrSlots(bytes);
            used += n;
            assertEquals(SlotAllocator.allocationSize(l.orig, l.size, l.allocAlign, l.minAlign), bytes);
            // no allocation spans a segment, or an area
            assertEquals(first / 128, (first + n - 1) / 128, "allocation spans a segment");
            assertEquals(first / t.areaNslabs(), (first + n - 1) / t.areaNslabs(), "allocation spans an area");
            // alloc_align_mask (and page alignment for >= 4 KiB with no masks)
            long align = l.allocAlign;
            if (align == 0 && l.minAlign == 0 && bytes >= 4096) {
                align = 0xfff;
            }
            assertEquals(0, dma(first) & align, "allocation start alignment");
            // min_align_mask bits of the original are kept in the bounce address
            long bounce = dma(l.head) + t.alignOffset(l.head);
            assertEquals(l.orig & l.minAlign, bounce & l.minAlign, "min_align_mask bits");
            // the mapped bytes lie inside the allocation
            assertTrue(bounce + l.size <= dma(first) + bytes);
            // device segment boundary, over the whole allocation
            long boundarySize = l.boundary + 1;
            if (boundarySize != 0) {
                assertEquals(dma(first) / boundarySize, (dma(first) + bytes - 1) / boundarySize, "crosses the boundary");
            }
            for (int i = first; i < first + n; i++) {
                if (taken[i]) {
                    fail("slot " + i + " is in two live allocations");
                }
                taken[i] = true;
            }
        }
        assertEquals(used, t.usedSlots());
        // list[i]: free slots from i to the first taken slot or the end of the segment
        for (int i = t.nslabs() - 1; i >= 0; i--) {
            int expected;
            if (taken[i]) {
                expected = 0;
            } else if ((i & 127) == 127 || i == t.nslabs() - 1) {
                expected = 1;
            } else {
                expected = taken[i + 1] ? 1 : t.freeRun(i + 1) + 1;
            }
            assertEquals(expected, t.freeRun(i), "list counter of slot " + i);
        }
    }

    /** Brute force: no placement satisfies every rule, so the failure was right. */
    private static void assertNoRoom(SlotAllocator t, List<Live> live, long orig, long size, long allocAlign0,
            long minAlign, long boundary) {
        long bytes = SlotAllocator.allocationSize(orig, size, allocAlign0, minAlign);
        if (bytes > SlotAllocator.MAX_ALLOC_SIZE) {
            return;
        }
        int n = (int) SlotAllocator.nrSlots(bytes);
        long allocAlign = allocAlign0;
        if (allocAlign == 0 && minAlign == 0 && bytes >= 4096) {
            allocAlign = 0xfff;
        }
        allocAlign |= 0x7ff;
        long iotlb = minAlign & ~allocAlign;
        boolean[] taken = new boolean[t.nslabs()];
        for (Live l : live) {
            int first = t.firstSlot(l.head);
            int k = (int) SlotAllocator.nrSlots(t.allocationBytes(l.head));
            for (int i = first; i < first + k; i++) {
                taken[i] = true;
            }
        }
        for (int s = 0; s + n <= t.nslabs(); s++) {
            if (s / 128 != (s + n - 1) / 128) {
                continue;
            }
            if ((dma(s) & allocAlign) != 0 || (dma(s) & iotlb) != (orig & iotlb)) {
                continue;
            }
            long boundarySize = boundary + 1;
            if (boundarySize != 0 && dma(s) / boundarySize != (dma(s) + ((long) n << 11) - 1) / boundarySize) {
                continue;
            }
            boolean free = true;
            for (int i = s; i < s + n && free; i++) {
                free = !taken[i];
            }
            if (free) {
                fail(String.format("allocation of %d bytes (align 0x%x, min_align 0x%x, boundary 0x%x) failed but slot %d fits",
                        size, allocAlign0, minAlign, boundary, s));
            }
        }
    }
}
