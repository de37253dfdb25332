package org.iommulab.platform.internal.memory;

import java.util.Map;
import java.util.TreeMap;

/**
 * The free space of one zone as coalesced extents {@code start -> length} (bytes, page
 * multiples). First fit with natural alignment; freeing merges with both neighbours.
 * Not thread-safe: the allocator serialises access.
 */
final class FreeExtents {
    private final TreeMap<Long, Long> extents = new TreeMap<>();
    private long freeBytes;

    void add(long start, long length) {
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
