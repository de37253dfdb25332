package org.iommulab.platform.internal.checker;

import org.iommulab.platform.internal.util.LongIntMap;

/**
 * dma-debug's active-cacheline tracking ({@code kernel/dma/debug.c}: active_cacheline_insert,
 * _remove, _inc_overlap, _dec_overlap), one per platform as Linux's radix tree is one per
 * kernel: the first cache line of every mapping the device may write (direction other than
 * TO_DEVICE) is recorded, keyed by its cache-line number; a second mapping of a recorded line is
 * an overlap ({@code -EEXIST}), counted up to {@link #MAX_OVERLAP}, the most the radix tree's
 * three tags can hold. Past it Linux warns once ("exceeded 7 overlapping mappings of cacheline")
 * and stops counting, so that an overflowed line is dropped before all its mappings are gone:
 * that quirk is kept. A primitive hash, so inserting and removing allocate nothing.
 * Thread-safe (one lock, taken after a device's mapping table).
 */
public final class CachelineTracker {
    /** arm64's {@code L1_CACHE_SHIFT}: 64-byte lines. */
    public static final int L1_CACHE_SHIFT = 6;
    /** {@code ACTIVE_CACHELINE_MAX_OVERLAP} = (1 << RADIX_TREE_MAX_TAGS) - 1. */
    public static final int MAX_OVERLAP = 7;

    /** {@link #insert} result: the line was free. */
    public static final int INSERTED = 0;
    /** {@link #insert} result: the line is mapped already ({@code -EEXIST}). */
    public static final int EEXIST = 1;
    /** {@link #insert} result: {@code -EEXIST}, and the overlap count overflowed for the first time (WARN_ONCE). */
    public static final int EEXIST_OVERFLOW = 2;

    /** Line number -> overlap count (0 for a single mapping), the radix tree's entry and tags. */
    private final LongIntMap overlaps = new LongIntMap(1024);
    private boolean warnedOverflow;

    /** Linux {@code to_cacheline_number}: the cache-line number of physical address {@code phys}. */
    public static long cacheline(long phys) {
        return phys >>> L1_CACHE_SHIFT;
    }

    /** {@code active_cacheline_insert} of the line holding {@code phys}; one of the result constants. */
    public synchronized int insert(long phys) {
        long cln = cacheline(phys);
        // One probe: the slot found is where the line is, or where it goes.
        int slot = overlaps.find(cln);
        if (!overlaps.usedAt(slot)) {
            overlaps.insertAt(slot, cln, 0);
            return INSERTED;
        }
        int overlap = overlaps.valueAt(slot) + 1;
        if (overlap <= MAX_OVERLAP) {
            overlaps.setAt(slot, overlap);
            return EEXIST;
        }
        // active_cacheline_set_overlap refuses to store it; WARN_ONCE.
        if (!warnedOverflow) {
            warnedOverflow = true;
            return EEXIST_OVERFLOW;
        }
        return EEXIST;
    }

    /** {@code active_cacheline_remove}: the last mapping of the line frees it. */
    public synchronized void remove(long phys) {
        int slot = overlaps.find(cacheline(phys));
        if (!overlaps.usedAt(slot)) {
            return;
        }
        int overlap = overlaps.valueAt(slot) - 1;
        if (overlap < 0) {
            overlaps.removeAt(slot);
        } else {
            overlaps.setAt(slot, overlap);
        }
    }

    /** Overlap count of the line holding {@code phys}, or -1 when it is not tracked (tests, diagnostics). */
    public synchronized int overlap(long phys) {
        return overlaps.get(cacheline(phys), -1);
    }

    /** Lines tracked now. */
    public synchronized int size() {
        return overlaps.size();
    }
}
