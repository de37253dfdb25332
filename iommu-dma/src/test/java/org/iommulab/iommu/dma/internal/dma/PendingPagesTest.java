package org.iommulab.iommu.dma.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class PendingPagesTest {
    private static final long CHUNK = PendingPages.CHUNK_PAGES;

    @Test
    void aRangeIsMarkedToItsLastPageAndNoFurther() {
        PendingPages p = new PendingPages();
        // Pages 63..64 straddle a word, 100..227 span three words of one chunk.
        p.mark(63, 2);
        p.mark(100, 128);
        assertFalse(p.contains(62));
        assertTrue(p.contains(63));
        assertTrue(p.contains(64));
        assertFalse(p.contains(65));
        assertFalse(p.contains(99));
        assertTrue(p.contains(100));
        assertTrue(p.contains(227));
        assertFalse(p.contains(228));
        p.clear(63, 2);
        assertFalse(p.contains(63));
        assertFalse(p.contains(64));
        assertTrue(p.contains(100), "clearing one range leaves the others");
    }

    @Test
    void aRangeAcrossChunksIsMarkedInEach() {
        PendingPages p = new PendingPages();
        // From 10 pages before the end of chunk 2 to 5 pages into chunk 5: four chunks.
        long from = 3 * CHUNK - 10;
        long pages = 10 + 2 * CHUNK + 5;
        p.mark(from, pages);
        assertEquals(4, p.chunks());
        assertFalse(p.contains(from - 1));
        assertTrue(p.contains(from));
        assertTrue(p.contains(3 * CHUNK));
        assertTrue(p.contains(4 * CHUNK + 17));
        assertTrue(p.contains(from + pages - 1));
        assertFalse(p.contains(from + pages));
        p.clear(from, pages);
        for (long at = from - 70; at < from + pages + 70; at += 7) {
            assertFalse(p.contains(at), "page " + at);
        }
        assertEquals(4, p.chunks(), "chunks stay for the next ranges there");
    }

    @Test
    void agreesWithASetOfRangesUnderRandomQueueingAndRelease() {
        // The flush queue's use: disjoint ranges queued, released in any order; many chunks,
        // so the table grows. The reference is a TreeMap of the ranges themselves.
        Random rnd = new Random(7);
        PendingPages p = new PendingPages();
        TreeMap<Long, Long> ranges = new TreeMap<>();
        for (int step = 0; step < 20_000; step++) {
            if (!ranges.isEmpty() && rnd.nextInt(3) == 0) {
                Long start = ranges.ceilingKey((long) rnd.nextInt(1 << 24));
                if (start == null) {
                    start = ranges.firstKey();
                }
                p.clear(start, ranges.remove(start));
            } else {
                long start = rnd.nextInt(1 << 24);
                long pages = 1 + (rnd.nextInt(8) == 0 ? rnd.nextInt(3 * (int) CHUNK) : rnd.nextInt(70));
                java.util.Map.Entry<Long, Long> below = ranges.floorEntry(start + pages - 1);
                if (below != null && below.getKey() + below.getValue() > start) {
                    continue; // would overlap a queued range, which an IOVA allocator never hands out
                }
                ranges.put(start, pages);
                p.mark(start, pages);
            }
            long probe = rnd.nextInt(1 << 24);
            java.util.Map.Entry<Long, Long> e = ranges.floorEntry(probe);
            boolean expected = e != null && probe < e.getKey() + e.getValue();
            assertEquals(expected, p.contains(probe), "page " + probe + " at step " + step);
        }
        assertTrue(p.chunks() > 16, "the table grew past its first size: " + p.chunks());
    }

    @Test
    void pagesNearTheTopOfA64BitIovaSpace() {
        // An IOVA just below 2^64 with 4 KiB pages: pfn 2^52 - 1.
        PendingPages p = new PendingPages();
        long top = (1L << 52) - 1;
        p.mark(top, 1);
        assertTrue(p.contains(top));
        assertFalse(p.contains(top - 1));
        assertFalse(p.contains(top - CHUNK));
    }

    @Test
    void aRangeOutsideTheIovaSpaceIsRefusedAndMarksNothing() {
        PendingPages p = new PendingPages();
        assertThrows(IllegalArgumentException.class, () -> p.mark(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> p.mark(5, -1));
        assertThrows(IllegalArgumentException.class, () -> p.mark(Long.MAX_VALUE, 2));
        assertEquals(0, p.chunks());
        assertFalse(p.contains(5));
    }
}
