package org.iommulab.iopgtable.lpae;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The writers' one-entry walk cache: the last-level table reached by the last walk that got
 * there, keyed by the input span that table covers (2 MiB with the 4 KiB granule). Linux's
 * {@code __arm_lpae_map} walks from the start level on every {@code map_pages} call; a
 * scatterlist of 64 discontiguous pages makes 64 such calls that all end in the same table.
 * Remembering that table skips the walk down and changes nothing else: the descriptors written,
 * the return values and the flush callbacks are those of the full walk (tested against it).
 *
 * <p>It is valid because tables are linked or unlinked only in ways it sees: a table stays
 * linked until it is freed (as in Linux, empty tables stay until the domain dies or a block
 * replaces them), every free goes through {@link TablePages#free}, which clears the entry
 * ({@link #tableFreed}), and the one path that unlinks before it frees ({@code LpaePageTable}'s
 * unroll of a failed map, while no other thread has written the table) forgets the entry itself.
 *
 * <p>Thread-safe without a lock, as the writers are: the entry is one {@code long} (the span
 * number above {@link #hintTableBits} bits of the table's page number), read with acquire and
 * written with release, so that a reader never sees one half of one entry and one of another.
 * A table another writer frees lies wholly inside that writer's IOVA range (a block mapped or
 * unmapped over it), so a writer of a disjoint range never needs it; a reader that saw the free
 * sees no entry to a freed table. Never set when the two numbers do not fit 63 bits (an IAS and
 * OAS of 52 bits with 4 KiB pages): walks then start at the start level. Allocates nothing.
 */
final class LeafTableCache {
    private static final VarHandle HINT;
    static {
        try {
            HINT = MethodHandles.lookup().findVarHandle(LeafTableCache.class, "hint", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** log2 of the input span one last-level table maps: the level-2 block shift. */
    private final int spanShift;
    private volatile boolean enabled = true;
    /** The remembered entry, -1 for none (see the class comment). */
    @SuppressWarnings("unused")
    private long hint = -1;
    private final int hintTableBits;
    private final boolean hintFits;

    LeafTableCache(LpaeConfig cfg, TablePages pages) {
        this.spanShift = LpaeFormat.levelShift(LpaeFormat.MAX_LEVELS - 2, cfg.granule());
        this.hintTableBits = cfg.oas() - PAGE_SHIFT;
        this.hintFits = (cfg.ias() - spanShift) + hintTableBits <= 63;
        pages.onFree(this);
    }

    /** Tables are aligned to their size, at least a page: their page number is exact. */
    private static final int PAGE_SHIFT = 12;

    /**
     * The last-level table that maps {@code iova}, or -1. What the calling thread remembered or
     * freed itself it always sees; an entry another thread is changing is seen before or after.
     */
    long lookup(long iova) {
        long h = (long) HINT.getAcquire(this);
        if (h < 0 || (h >>> hintTableBits) != (iova >>> spanShift)) {
            return -1;
        }
        return (h & ((1L << hintTableBits) - 1)) << PAGE_SHIFT;
    }

    /** The same for a reader that is no writer (Linux's lock-free {@code iova_to_phys}). */
    long lookupShared(long iova) {
        return lookup(iova);
    }

    /** A table was freed ({@link TablePages#free}): no walk may be sent to it. */
    void tableFreed() {
        if ((long) HINT.getOpaque(this) != -1) {
            HINT.setRelease(this, -1L);
        }
    }

    /** Remembers that the last-level table {@code table} maps {@code iova}'s span. */
    void remember(long iova, long table) {
        if (hintFits && enabled) {
            long h = ((iova >>> spanShift) << hintTableBits) | (table >>> PAGE_SHIFT);
            // Written only when it changes: threads working in one span share the line read-only.
            if ((long) HINT.getOpaque(this) != h) {
                HINT.setRelease(this, h);
            }
        }
    }

    void forget() {
        HINT.setRelease(this, -1L);
    }

    /** Off: every walk starts at the start level (the reference the tests compare against). */
    void setEnabled(boolean on) {
        enabled = on;
        forget();
    }
}
