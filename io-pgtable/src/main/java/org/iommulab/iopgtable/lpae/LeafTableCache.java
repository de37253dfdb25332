package org.iommulab.iopgtable.lpae;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The writer's one-entry walk cache: the last-level table reached by the last walk that got
 * there, keyed by the input span that table covers (2 MiB with the 4 KiB granule). Linux's
 * {@code __arm_lpae_map} walks from the start level on every {@code map_pages} call; a
 * scatterlist of 64 discontiguous pages makes 64 such calls that all end in the same table.
 * Remembering that table skips the walk down and changes nothing else: the descriptors written,
 * the return values and the flush callbacks are those of the full walk (tested against it).
 *
 * <p>It is valid because tables are linked or unlinked only in ways it sees: a table stays
 * linked until it is freed (as in Linux, empty tables stay until the domain dies or a block
 * replaces them), every free goes through {@link TablePages#free}, which counts it, and the
 * one path that unlinks before it frees ({@code LpaePageTable}'s unroll of a failed map) forgets
 * the entry itself. A remembered address is used only while no table was freed since. Not
 * thread-safe: used under the owning {@link LpaePageTable}'s lock, except {@link #lookupShared},
 * which its lock-free {@code iovaToPhys} calls. Allocates nothing.
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

    private final TablePages pages;
    /** log2 of the input span one last-level table maps: the level-2 block shift. */
    private final int spanShift;
    private boolean enabled = true;
    private long key = -1;
    private long table;
    private long frees;
    /**
     * The remembered entry for readers without the lock ({@link #lookupShared}): the span
     * number above {@link #hintTableBits} bits of the table's page number, in one long so that
     * a reader never sees one half of one entry and one of another; -1 for none. Written
     * (release) under the table's lock by {@link #remember}, cleared by {@link #forget} and by
     * every table free ({@link #tableFreed}), so a reader that saw the free sees no hint to a
     * freed table. Never set when the two numbers do not fit 63 bits (an IAS and OAS of 52
     * bits with 4 KiB pages): readers then walk from the start level.
     */
    @SuppressWarnings("unused")
    private long hint = -1;
    private long hintPlain = -1;
    private final int hintTableBits;
    private final boolean hintFits;

    LeafTableCache(LpaeConfig cfg, TablePages pages) {
        this.pages = pages;
        this.spanShift = LpaeFormat.levelShift(LpaeFormat.MAX_LEVELS - 2, cfg.granule());
        this.hintTableBits = cfg.oas() - PAGE_SHIFT;
        this.hintFits = (cfg.ias() - spanShift) + hintTableBits <= 63;
        pages.onFree(this);
    }

    /** Tables are aligned to their size, at least a page: their page number is exact. */
    private static final int PAGE_SHIFT = 12;

    /**
     * The last-level table that maps {@code iova} for a reader without the table's lock (Linux's
     * lock-free {@code iova_to_phys}), or -1. What the calling thread remembered or freed
     * itself it always sees; an entry another thread is changing is seen before or after.
     */
    long lookupShared(long iova) {
        long h = (long) HINT.getAcquire(this);
        if (h < 0 || (h >>> hintTableBits) != (iova >>> spanShift)) {
            return -1;
        }
        return (h & ((1L << hintTableBits) - 1)) << PAGE_SHIFT;
    }

    /** A table was freed ({@link TablePages#free}): no reader may be sent to it. */
    void tableFreed() {
        if (hintPlain != -1) {
            hintPlain = -1;
            HINT.setRelease(this, -1L);
        }
    }

    /** The last-level table that maps {@code iova}, or -1 when it is not remembered. */
    long lookup(long iova) {
        if (key == (iova >>> spanShift) && frees == pages.frees()) {
            return table;
        }
        return -1;
    }

    /** Remembers that the last-level table {@code table} maps {@code iova}'s span. */
    void remember(long iova, long table) {
        if (enabled) {
            this.key = iova >>> spanShift;
            this.table = table;
            this.frees = pages.frees();
            if (hintFits) {
                long h = (key << hintTableBits) | (table >>> PAGE_SHIFT);
                if (h != hintPlain) {
                    hintPlain = h;
                    HINT.setRelease(this, h);
                }
            }
        }
    }

    void forget() {
        key = -1;
        hintPlain = -1;
        HINT.setRelease(this, -1L);
    }

    /** Off: every walk starts at the start level (the reference the tests compare against). */
    void setEnabled(boolean on) {
        enabled = on;
        forget();
    }
}
