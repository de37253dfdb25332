package org.iommulab.platform.internal.memory;

import java.util.Map;
import java.util.TreeMap;

import org.iommulab.api.platform.PageAllocator;

/**
 * The free space of one zone as coalesced extents {@code start -> length} (bytes, page
 * multiples). First fit with natural alignment; freeing merges with both neighbours.
 *
 * <p>Single free pages first go to a hot list, Linux's per-CPU page lists ({@code pcp}, one
 * list here since the allocator holds one lock): a freed page is handed out again, last in
 * first out, without touching the extents, so the steady state of a map/unmap loop (page-table
 * pages, one-page buffers) allocates nothing. When a request cannot be met, the hot list is
 * drained back into the extents and the request retried once, as Linux drains its pcp lists
 * ({@code drain_all_pages}) before it fails an allocation.
 * Not thread-safe: the allocator serialises access.
 */
final class FreeExtents {
    /** Most pages the hot list keeps, Linux's {@code pcp->high} in spirit (1 MiB). */
    static final int HOT_MAX = 256;
    private static final long PAGE = PageAllocator.PAGE_SIZE;

    private final TreeMap<Long, Long> extents = new TreeMap<>();
    private final long[] hot = new long[HOT_MAX];
    private int hotCount;
    private long freeBytes;

    void add(long start, long length) {
        if (length == PAGE && hotCount < HOT_MAX) {
            hot[hotCount++] = start;
            freeBytes += PAGE;
            return;
        }
        addExtent(start, length);
    }

    private void addExtent(long start, long length) {
        Map.Entry<Long, Long> below = extents.floorEntry(start);
        if (below != null && below.getKey() + below.getValue() > start) {
            throw new IllegalStateException(String.format("double free of 0x%x", start));
        }
        Long aboveKey = extents.ceilingKey(start);
        if (aboveKey != null && aboveKey < start + length) {
            throw new IllegalStateException(String.format("double free of 0x%x", start));
        }
        long s = start;
        long len = length;
        if (below != null && below.getKey() + below.getValue() == start) {
            s = below.getKey();
            len += below.getValue();
            extents.remove(below.getKey());
        }
        if (aboveKey != null && aboveKey == start + length) {
            len += extents.remove(aboveKey);
        }
        extents.put(s, len);
        freeBytes += length;
    }

    /** Takes {@code length} bytes aligned to {@code align} (a power of two), or returns -1. */
    long take(long length, long align) {
        if (length == PAGE && align <= PAGE && hotCount > 0) {
            freeBytes -= PAGE;
            return hot[--hotCount];
        }
        long addr = takeExtent(length, align);
        if (addr < 0 && hotCount > 0) {
            drainHot();
            addr = takeExtent(length, align);
        }
        return addr;
    }

    /** Returns every hot page to the extents, where they merge with their neighbours. */
    void drainHot() {
        while (hotCount > 0) {
            long page = hot[--hotCount];
            freeBytes -= PAGE;
            addExtent(page, PAGE);
        }
    }

    /** Pages waiting in the hot list now. */
    int hotPages() {
        return hotCount;
    }

    private long takeExtent(long length, long align) {
        for (Map.Entry<Long, Long> e : extents.entrySet()) {
            long start = e.getKey();
            long end = start + e.getValue();
            long aligned = (start + align - 1) & -align;
            if (aligned + length <= end) {
                extents.remove(start);
                if (aligned > start) {
                    extents.put(start, aligned - start);
                }
                if (aligned + length < end) {
                    extents.put(aligned + length, end - aligned - length);
                }
                freeBytes -= length;
                return aligned;
            }
        }
        return -1;
    }

    long freeBytes() {
        return freeBytes;
    }
}
