package org.iommulab.platform.internal.memory;

import java.util.List;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PageAllocator;

/**
 * Which pages of RAM the allocator has handed out, as two bitmaps per RAM region: "allocated"
 * (the page belongs to a page allocation or is a slab page) and "start" (the page is the first
 * of its allocation). Together they give every allocation's extent with word-wide scans and no
 * boxing, so the checker can ask "is this allocated?" on every CPU access without allocating.
 * Not thread-safe: the allocator serialises access.
 */
final class PageBitmaps {
    private static final int SHIFT = PageAllocator.PAGE_SHIFT;

    private final long[] firstPage;
    private final int[] pageCount;
    private final long[][] allocated;
    private final long[][] starts;
    /** Pages that are kmalloc slabs: allocated, but only their live objects are (see {@link #firstNotWhole}). */
    private final long[][] slabs;

    PageBitmaps(List<MemoryRegion> regions) {
        int n = regions.size();
        firstPage = new long[n];
        pageCount = new int[n];
        allocated = new long[n][];
        starts = new long[n][];
        slabs = new long[n][];
        for (int i = 0; i < n; i++) {
            MemoryRegion r = regions.get(i);
            long first = (r.base() + PageAllocator.PAGE_SIZE - 1) >>> SHIFT;
            long end = r.end() >>> SHIFT;
            long pages = Math.max(0, end - first);
            if (pages > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException("RAM region " + r + " has too many pages for the allocator's bitmaps");
            }
            firstPage[i] = first;
            pageCount[i] = (int) pages;
            int words = (int) ((pages + 63) >>> 6);
            allocated[i] = new long[words];
            starts[i] = new long[words];
            slabs[i] = new long[words];
        }
    }

    /** Marks page {@code page} (allocated already) as a slab page, or clears the mark. */
    void slab(long page, boolean on) {
        int r = region(page);
        int i = (int) (page - firstPage[r]);
        if (on) {
            slabs[r][i >>> 6] |= 1L << i;
        } else {
            slabs[r][i >>> 6] &= ~(1L << i);
        }
    }

    /** True when page {@code page} is a slab page. */
    boolean isSlab(long page) {
        return isSet(slabs, page);
    }

    /**
     * The first page from {@code from} on, before {@code to}, that is not wholly allocated: free,
     * a slab page, or in no RAM region; {@code from} itself when it is such a page. The scan is
     * word-wide and stays in {@code from}'s region: it returns that region's end when the region
     * ends first (the caller goes on from there), and {@code to} when every page before it is
     * wholly allocated.
     */
    long firstNotWhole(long from, long to) {
        int r = region(from);
        if (r < 0) {
            return from;
        }
        long base = firstPage[r];
        long end = Math.min(to, base + pageCount[r]);
        if (from >= end) {
            return end;
        }
        long[] a = allocated[r];
        long[] sl = slabs[r];
        int i = (int) (from - base);
        int last = (int) (end - base); // exclusive
        int w = i >>> 6;
        long word = (~a[w] | sl[w]) & (-1L << (i & 63));
        while (word == 0) {
            if (++w >= a.length || ((long) w << 6) >= last) {
                return end;
            }
            word = ~a[w] | sl[w];
        }
        return Math.min(end, base + ((long) w << 6) + Long.numberOfTrailingZeros(word));
    }

    /** Marks {@code [addr, addr+bytes)} (page multiples) as one allocation. */
    void mark(long addr, long bytes) {
        int r = region(addr >>> SHIFT);
        int first = (int) ((addr >>> SHIFT) - firstPage[r]);
        int pages = (int) (bytes >>> SHIFT);
        setBits(allocated[r], first, pages, true);
        starts[r][first >>> 6] |= 1L << first;
    }

    /** Clears the allocation {@code [addr, addr+bytes)}. */
    void unmark(long addr, long bytes) {
        int r = region(addr >>> SHIFT);
        int first = (int) ((addr >>> SHIFT) - firstPage[r]);
        setBits(allocated[r], first, (int) (bytes >>> SHIFT), false);
        starts[r][first >>> 6] &= ~(1L << first);
    }

    /** True when page {@code page} (a page number) belongs to a live allocation. */
    boolean allocated(long page) {
        return isSet(allocated, page);
    }

    /** True when page {@code page} is the first page of a live allocation. */
    boolean isStart(long page) {
        return isSet(starts, page);
    }

    /** First page of the allocation holding the allocated page {@code page}. */
    long startOf(long page) {
        int r = region(page);
        long[] bits = starts[r];
        int i = (int) (page - firstPage[r]);
        int w = i >>> 6;
        long word = bits[w] & (-1L >>> (63 - (i & 63)));
        while (word == 0) {
            // Allocations are contiguous and always carry a start bit, so one is found.
            word = bits[--w];
        }
        return firstPage[r] + ((long) w << 6) + 63 - Long.numberOfLeadingZeros(word);
    }

    /** The page after the last page of the allocation that starts at page {@code start}. */
    long endOf(long start) {
        int r = region(start);
        long[] a = allocated[r];
        long[] s = starts[r];
        int i = (int) (start - firstPage[r]) + 1;
        if (i >= pageCount[r]) {
            return firstPage[r] + pageCount[r];
        }
        int w = i >>> 6;
        // The allocation ends at the first page that is free or starts another allocation.
        long word = (~a[w] | s[w]) & (-1L << (i & 63));
        while (word == 0) {
            if (++w >= a.length) {
                return firstPage[r] + pageCount[r];
            }
            word = ~a[w] | s[w];
        }
        return firstPage[r] + Math.min(pageCount[r], ((long) w << 6) + Long.numberOfTrailingZeros(word));
    }

    /** Page {@code page}'s bit in one of the bitmaps; false for a page in no RAM region. */
    private boolean isSet(long[][] bits, long page) {
        int r = region(page);
        if (r < 0) {
            return false;
        }
        int i = (int) (page - firstPage[r]);
        return (bits[r][i >>> 6] & (1L << i)) != 0;
    }

    private int region(long page) {
        for (int r = 0; r < firstPage.length; r++) {
            if (page >= firstPage[r] && page - firstPage[r] < pageCount[r]) {
                return r;
            }
        }
        return -1;
    }

    private static void setBits(long[] bits, int from, int count, boolean on) {
        int i = from;
        int end = from + count;
        while (i < end) {
            if ((i & 63) == 0 && end - i >= 64) {
                bits[i >>> 6] = on ? -1L : 0L;
                i += 64;
            } else {
                if (on) {
                    bits[i >>> 6] |= 1L << i;
                } else {
                    bits[i >>> 6] &= ~(1L << i);
                }
                i++;
            }
        }
    }
}
