package org.iommulab.swiotlb.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Unit tests of the slot table: Linux swiotlb_find_slots / swiotlb_release_slots rules one by one. */
class SlotAllocatorTest {
    /** DMA address of slot 0 in these tests: 1 GiB, aligned to everything the tests ask. */
    static final long TBL = 0x4000_0000L;
    static final long NO_BOUNDARY = ~0L;
    static final Object OWNER = "dev";

    private static long slotDma(int slot) {
        return TBL + ((long) slot << 11);
    }

    @Test
    void freshTableHasLinuxInitialCounters() {
        SlotAllocator t = new SlotAllocator(512, 2);
        for (int i = 0; i < 512; i++) {
            assertEquals(128 - (i % 128), t.freeRun(i), "slot " + i);
        }
        assertEquals(0, t.usedSlots());
        assertEquals(256, t.areaNslabs());
    }

    @Test
    void geometryMustBeWholeSegmentsPerArea() {
        assertThrows(IllegalArgumentException.class, () -> new SlotAllocator(384, 2));
        assertThrows(IllegalArgumentException.class, () -> new SlotAllocator(512, 3));
        assertThrows(IllegalArgumentException.class, () -> new SlotAllocator(0, 1));
    }

    @Test
    void smallAllocationsTakeConsecutiveSlotsAndUpdateTheRunBefore() {
        SlotAllocator t = new SlotAllocator(256, 1);
        int a = t.allocate(0, 0x1000_0000L, 100, 0, 0, NO_BOUNDARY, TBL, OWNER);
        int b = t.allocate(0, 0x1000_0800L, 2048, 0, 0, NO_BOUNDARY, TBL, OWNER);
        assertEquals(0, a);
        assertEquals(1, b, "below a page there is no page alignment: the next slot is taken");
        assertEquals(0, t.freeRun(0));
        assertEquals(0, t.freeRun(1));
        assertEquals(126, t.freeRun(2));
        assertEquals(2, t.usedSlots());
        assertEquals(100, t.mappingSize(a));
        assertEquals(0x1000_0000L, t.origAddr(a));
    }

    @Test
    void pageSizedAllocationWithoutMasksIsPageAligned() {
        SlotAllocator t = new SlotAllocator(256, 1);
        t.allocate(0, 0x1000_0000L, 100, 0, 0, NO_BOUNDARY, TBL, OWNER); // slot 0, leaves slot 1 odd
        int head = t.allocate(0, 0x2000_0000L, 4096, 0, 0, NO_BOUNDARY, TBL, OWNER);
        assertEquals(0, slotDma(head) & 0xfff, "4 KiB with no alignment masks starts on a page");
        assertEquals(2, head);
        assertEquals(1, t.freeRun(1), "the skipped slot stays free with a run of 1");
    }

    @Test
    void allocAlignMaskAlignsTheAllocationStart() {
        SlotAllocator t = new SlotAllocator(512, 1);
        t.allocate(0, 0x1000_0000L, 100, 0, 0, NO_BOUNDARY, TBL, OWNER);
        int head = t.allocate(0, 0x2000_0000L, 5000, 0xffff, 0, NO_BOUNDARY, TBL, OWNER);
        int first = t.firstSlot(head);
        assertEquals(0, slotDma(first) & 0xffff);
        assertEquals(0x10000, t.allocationBytes(head), "size is ALIGN(size + offset, alloc_align_mask + 1)");
        assertEquals(32, first, "slots 1..31 are not 64 KiB aligned");
        assertEquals(31, t.freeRun(1), "the skipped slots stay free");
        assertEquals(32 + 1, t.usedSlots());
    }

    @Test
    void minAlignMaskOffsetIsPreserved() {
        SlotAllocator t = new SlotAllocator(256, 1);
        long orig = 0x1234_5a78L; // bits under 0xfff: 0xa78, above 2 KiB too
        int head = t.allocate(0, orig, 3000, 0, 0xfff, NO_BOUNDARY, TBL, OWNER);
        long bounceDma = slotDma(head) + t.alignOffset(head);
        assertEquals(orig & 0xfff, bounceDma & 0xfff);
        assertEquals(0x278, t.alignOffset(head), "offset & (IO_TLB_SIZE-1) within the slot");
        assertEquals(head, t.firstSlot(head), "bit 11 is kept by slot choice, not by padding");
    }

    @Test
    void minAlignMaskWithAllocAlignMaskUsesPaddingSlots() {
        SlotAllocator t = new SlotAllocator(256, 1);
        long orig = 0x1234_5a78L;
        int head = t.allocate(0, orig, 1000, 0xfff, 0xfff, NO_BOUNDARY, TBL, OWNER);
        int first = t.firstSlot(head);
        assertEquals(1, head - first, "offset 0xa78 needs one padding slot under a 4 KiB alloc alignment");
        assertEquals(orig & 0xfff, (slotDma(head) + t.alignOffset(head)) & 0xfff);
        assertEquals(0, slotDma(first) & 0xfff);
        assertEquals(SlotAllocator.INVALID_PHYS_ADDR, t.origAddr(first), "padding slots have no original");
        assertEquals(4096, t.allocationBytes(head));
    }

    @Test
    void segmentLimitIs256KiB() {
        SlotAllocator t = new SlotAllocator(256, 1);
        assertEquals(-1, t.allocate(0, 0x1000_0000L, 256 * 1024 + 1, 0, 0, NO_BOUNDARY, TBL, OWNER));
        assertEquals(0, t.usedSlots());
        int head = t.allocate(0, 0x1000_0000L, 256 * 1024, 0, 0, NO_BOUNDARY, TBL, OWNER);
        assertEquals(0, head % 128, "a whole segment");
        assertEquals(128, t.usedSlots());
        // With a min_align offset the same 256 KiB needs more than a segment.
        assertEquals(-1, t.allocate(0, 0x1000_0010L, 256 * 1024 - 16 + 1, 0, 0xfff, NO_BOUNDARY, TBL, OWNER));
    }

    @Test
    void deviceSegmentBoundaryIsRespected() {
        SlotAllocator t = new SlotAllocator(256, 1);
        // Occupy slots 0..29; a 4-slot request (8 KiB, page aligned) would fit at 30..33 but that
        // crosses the 64 KiB boundary at slot 32.
        for (int i = 0; i < 30; i++) {
            t.allocate(0, 0x1000_0000L, 2048, 0, 0, 0xffff, TBL, OWNER);
        }
        int head = t.allocate(0, 0x2000_0000L, 6 * 1024, 0, 0, 0xffff, TBL, OWNER);
        long start = slotDma(head);
        long end = start + 6 * 1024 - 1;
        assertEquals(start & ~0xffffL, end & ~0xffffL, "crosses a 64 KiB boundary");
        assertEquals(32, head);
    }

    @Test
    void releaseRestoresRunsAndMergesBothSides() {
        SlotAllocator t = new SlotAllocator(128, 1);
        int a = t.allocate(0, 0x1000_0000L, 2048, 0, 0, NO_BOUNDARY, TBL, OWNER);
        int b = t.allocate(0, 0x1000_0000L, 4096, 0, 0, NO_BOUNDARY, TBL, OWNER);
        int c = t.allocate(0, 0x1000_0000L, 2048, 0, 0, NO_BOUNDARY, TBL, OWNER);
        assertEquals(0, a);
        assertEquals(2, b);
        assertEquals(4, c);
        assertEquals(1, t.freeRun(1));
        assertTrue(t.release(((long) b << 11)));
        assertEquals(3, t.freeRun(1), "slot 1 merges with the freed slots 2 and 3");
        assertTrue(t.release(((long) a << 11)));
        assertTrue(t.release(((long) c << 11)));
        for (int i = 0; i < 128; i++) {
            assertEquals(128 - i, t.freeRun(i));
        }
        assertEquals(0, t.usedSlots());
        assertEquals(4, t.highWaterSlots(), "the most at once: a(1) + b(2) + c(1)");
    }

    @Test
    void releaseRefusesAddressesThatAreNotLiveBounceBuffers() {
        SlotAllocator t = new SlotAllocator(128, 1);
        int head = t.allocate(0, 0x1000_0010L, 100, 0, 0x3f, NO_BOUNDARY, TBL, OWNER);
        long bounce = ((long) head << 11) + t.alignOffset(head);
        assertFalse(t.release(bounce + 1), "inside the buffer");
        assertFalse(t.release((long) head << 11), "before the min_align offset");
        assertFalse(t.release(64 << 11), "a free slot");
        assertFalse(t.release(-2048));
        assertFalse(t.release(128 << 11));
        assertEquals(1, t.usedSlots());
        assertTrue(t.release(bounce));
        assertFalse(t.release(bounce), "twice");
        assertEquals(0, t.usedSlots());
    }

    @Test
    void fullAreaMovesToTheNextArea() {
        SlotAllocator t = new SlotAllocator(256, 2);
        int first = t.allocate(1, 0x1000_0000L, 256 * 1024, 0, 0, NO_BOUNDARY, TBL, OWNER);
        assertEquals(128, first, "start area 1 is searched first");
        int second = t.allocate(1, 0x1000_0000L, 2048, 0, 0, NO_BOUNDARY, TBL, OWNER);
        assertEquals(0, second, "area 1 full: wraps to area 0");
        assertEquals(-1, t.allocate(0, 0x1000_0000L, 256 * 1024, 0, 0, NO_BOUNDARY, TBL, OWNER));
    }

    @Test
    void releaseIfFreesOnlyTheOwnersAllocations() {
        SlotAllocator t = new SlotAllocator(256, 2);
        t.allocate(0, 0x1000_0000L, 3000, 0, 0, NO_BOUNDARY, TBL, "a");
        t.allocate(1, 0x1000_0000L, 5000, 0, 0, NO_BOUNDARY, TBL, "b");
        t.allocate(1, 0x1000_0000L, 100, 0, 0, NO_BOUNDARY, TBL, "a");
        assertEquals(2, t.releaseIf("a"::equals));
        assertEquals(3, t.usedSlots(), "b's 3 slots remain");
        assertEquals(1, t.liveAllocations());
    }

    @Test
    void helpersFollowLinux() {
        assertEquals(0, SlotAllocator.nrSlots(0));
        assertEquals(1, SlotAllocator.nrSlots(1));
        assertEquals(1, SlotAllocator.nrSlots(2048));
        assertEquals(2, SlotAllocator.nrSlots(2049));
        assertEquals(1L << 53, SlotAllocator.nrSlots(~0L), "DIV_ROUND_UP on an unsigned value");
        assertEquals(0x278, SlotAllocator.alignOffset(0xfff, 0, 0x1234_5a78L));
        assertEquals(0xa78, SlotAllocator.alignOffset(0xfff, 0xfff, 0x1234_5a78L));
        assertEquals(0x1000, SlotAllocator.allocationSize(0x1234_5a78L, 100, 0xfff, 0xfff));
        assertEquals(100 + 0x278, SlotAllocator.allocationSize(0x1234_5a78L, 100, 0, 0xfff));
        assertTrue(SlotAllocator.isSpanBoundary(30, 4, 0, 32));
        assertFalse(SlotAllocator.isSpanBoundary(28, 4, 0, 32));
    }
}
