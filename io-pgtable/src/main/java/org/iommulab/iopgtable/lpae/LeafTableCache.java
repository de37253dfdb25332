package org.iommulab.iopgtable.lpae;

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
 * thread-safe: used under the owning {@link LpaePageTable}'s lock. Allocates nothing.
 */
final class LeafTableCache {
    private final TablePages pages;
    /** log2 of the input span one last-level table maps: the level-2 block shift. */
    private final int spanShift;
    private boolean enabled = true;
    private long key = -1;
    private long table;
    private long frees;

    LeafTableCache(LpaeConfig cfg, TablePages pages) {
        this.pages = pages;
        this.spanShift = LpaeFormat.levelShift(LpaeFormat.MAX_LEVELS - 2, cfg.granule());
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
        }
    }

    void forget() {
        key = -1;
    }

    /** Off: every walk starts at the start level (the reference the tests compare against). */
    void setEnabled(boolean on) {
        enabled = on;
        forget();
    }
}
