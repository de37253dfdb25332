package org.iommulab.platform.internal.checker;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

import org.iommulab.platform.internal.util.LongIntMap;

/**
 * dma-debug's active-cacheline tracking ({@code kernel/dma/debug.c}: active_cacheline_insert,
 * _remove, _inc_overlap, _dec_overlap), one per platform as Linux's radix tree is one per
 * kernel: the first cache line of every mapping the device may write (direction other than
 * TO_DEVICE) is recorded, keyed by its cache-line number; a second mapping of a recorded line is
 * an overlap ({@code -EEXIST}), counted up to {@link #MAX_OVERLAP}, the most the radix tree's
 * three tags can hold. Past it Linux warns once ("exceeded 7 overlapping mappings of cacheline")
 * and stops counting, so that an overflowed line is dropped before all its mappings are gone:
 * that quirk is kept.
 *
 * <p>Two levels, so that the common insert and remove are one compare-and-set and take no lock
 * (Linux takes {@code radix_lock} for each; here a lock pair cost more than the rest of a
 * checked map): a fixed array of atomic words, one per hash of the line number, each holding
 * at most one line (its number, its overlap count) and how many lines of that hash wait in a
 * locked primitive hash map instead. A line goes to the map when its word holds another line or
 * lines of its hash already wait there; while any wait there, no line takes the word, so a line
 * is in one place only. Inserting and removing allocate nothing. Thread-safe.
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

    // A word: bits 0-2 the held line's overlap count, bits 3-20 how many lines of this hash are in
    // the map, bits 21-63 the held line's number plus one (0: none held).
    private static final int SLOT_BITS = 12;
    private static final long OVERLAP_MASK = 7;
    private static final long WAITING_ONE = 1L << 3;
    private static final long WAITING_MASK = ((1L << 18) - 1) << 3;
    private static final int LINE_SHIFT = 21;
    /** Largest line number a word can hold (physical addresses below 2^49); larger ones always go to the map. */
    private static final long MAX_HELD_LINE = (1L << (64 - LINE_SHIFT)) - 2;

    private final AtomicLongArray words = new AtomicLongArray(1 << SLOT_BITS);
    /** Line number -> overlap count of the lines no word holds (the radix tree's entry and tags); guarded by this. */
    private final LongIntMap overlaps = new LongIntMap(64);
    private final AtomicBoolean warnedOverflow = new AtomicBoolean();

    /** Linux {@code to_cacheline_number}: the cache-line number of physical address {@code phys}. */
    public static long cacheline(long phys) {
        return phys >>> L1_CACHE_SHIFT;
    }

    private static int slotOf(long cln) {
        return (int) ((cln * 0x9E3779B97F4A7C15L) >>> (64 - SLOT_BITS));
    }

    private static long held(long word) {
        return word >>> LINE_SHIFT; // line + 1, or 0
    }

    /** {@code active_cacheline_insert} of the line holding {@code phys}; one of the result constants. */
    public int insert(long phys) {
        long cln = cacheline(phys);
        int i = slotOf(cln);
        if (cln <= MAX_HELD_LINE) {
            for (;;) {
                long w = words.get(i);
                if (held(w) == cln + 1) {
                    if ((w & OVERLAP_MASK) == MAX_OVERLAP) {
                        return overflowed();
                    }
                    if (words.compareAndSet(i, w, w + 1)) {
                        return EEXIST;
                    }
                } else if (w == 0) {
                    if (words.compareAndSet(i, 0, (cln + 1) << LINE_SHIFT)) {
                        return INSERTED;
                    }
                } else {
                    break; // the word holds another line, or lines of this hash are in the map
                }
            }
        }
        synchronized (this) {
            int slot = overlaps.find(cln);
            if (overlaps.usedAt(slot)) {
                int overlap = overlaps.valueAt(slot) + 1;
                if (overlap <= MAX_OVERLAP) {
                    overlaps.setAt(slot, overlap);
                    return EEXIST;
                }
                return overflowed(); // active_cacheline_set_overlap refuses to store it
            }
            for (;;) {
                long w = words.get(i);
                if (cln <= MAX_HELD_LINE && held(w) == cln + 1) {
                    // Held by the word since the first look: count it there.
                    if ((w & OVERLAP_MASK) == MAX_OVERLAP) {
                        return overflowed();
                    }
                    if (words.compareAndSet(i, w, w + 1)) {
                        return EEXIST;
                    }
                } else if (cln <= MAX_HELD_LINE && w == 0) {
                    if (words.compareAndSet(i, 0, (cln + 1) << LINE_SHIFT)) {
                        return INSERTED;
                    }
                } else if (words.compareAndSet(i, w, w + WAITING_ONE)) {
                    break; // from now on no line takes the word until this one leaves the map
                }
            }
            overlaps.insertAt(slot, cln, 0);
            return INSERTED;
        }
    }

    /** The WARN_ONCE of an overlap count past {@link #MAX_OVERLAP}: once per platform. */
    private int overflowed() {
        return warnedOverflow.compareAndSet(false, true) ? EEXIST_OVERFLOW : EEXIST;
    }

    /** {@code active_cacheline_remove}: the last mapping of the line frees it. */
    public void remove(long phys) {
        long cln = cacheline(phys);
        int i = slotOf(cln);
        if (cln <= MAX_HELD_LINE) {
            for (;;) {
                long w = words.get(i);
                if (held(w) != cln + 1) {
                    break;
                }
                long freed = (w & OVERLAP_MASK) == 0 ? w & WAITING_MASK : w - 1;
                if (words.compareAndSet(i, w, freed)) {
                    return;
                }
            }
        }
        synchronized (this) {
            int slot = overlaps.find(cln);
            if (!overlaps.usedAt(slot)) {
                return; // untracked (dropped by the overflow quirk): nothing to do, as in Linux
            }
            int overlap = overlaps.valueAt(slot) - 1;
            if (overlap >= 0) {
                overlaps.setAt(slot, overlap);
                return;
            }
            overlaps.removeAt(slot);
            for (;;) {
                long w = words.get(i);
                if (words.compareAndSet(i, w, w - WAITING_ONE)) {
                    return;
                }
            }
        }
    }

    /** Overlap count of the line holding {@code phys}, or -1 when it is not tracked (tests, diagnostics). */
    public synchronized int overlap(long phys) {
        long cln = cacheline(phys);
        long w = words.get(slotOf(cln));
        if (cln <= MAX_HELD_LINE && held(w) == cln + 1) {
            return (int) (w & OVERLAP_MASK);
        }
        return overlaps.get(cln, -1);
    }

    /** Lines tracked now. */
    public synchronized int size() {
        int n = overlaps.size();
        for (int i = 0; i < words.length(); i++) {
            if (held(words.get(i)) != 0) {
                n++;
            }
        }
        return n;
    }
}
