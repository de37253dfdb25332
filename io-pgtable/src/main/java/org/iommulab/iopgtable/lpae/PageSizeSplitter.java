package org.iommulab.iopgtable.lpae;

/**
 * Linux {@code iommu_pgsize} ({@code drivers/iommu/iommu.c}): how {@code __iommu_map} and
 * {@code __iommu_unmap} split a request into runs of one page size for
 * {@code map_pages}/{@code unmap_pages}. Linux returns the count through a pointer; here
 * {@link #next} packs it with the size into one {@code long} ({@link #size}, {@link #count}),
 * so the split allocates nothing and keeps no state: threads share one instance.
 */
final class PageSizeSplitter {
    private final LpaeConfig cfg;

    PageSizeSplitter(LpaeConfig cfg) {
        this.cfg = cfg;
    }

    /** The page size of a {@link #next} answer. */
    static long size(long split) {
        return 1L << (split & 63);
    }

    /** How many pages of that size a {@link #next} answer maps before a larger size fits. */
    static long count(long split) {
        return split >>> 6;
    }

    /**
     * The largest page size that {@code iova}, {@code paddr} and {@code size} allow and how many
     * of it to map before a larger size becomes possible, packed: read them with {@link #size}
     * and {@link #count} (pages are at least 4 KiB, so a count fits in 58 bits).
     */
    long next(long iova, long paddr, long size) {
        long bitmap = cfg.pgsizeBitmap();
        long addrMerge = paddr | iova;
        long pgsizes = bitmap & ((Long.highestOneBit(size) << 1) - 1);
        if (addrMerge != 0) {
            pgsizes &= (Long.lowestOneBit(addrMerge) << 1) - 1;
        }
        long pg = Long.highestOneBit(pgsizes);
        long n = size;
        long bigger = bitmap & ~((pg << 1) - 1);
        if (bigger != 0) {
            long nextPg = Long.lowestOneBit(bigger);
            // "There's no point trying a bigger page size unless the virtual and physical
            // addresses are similarly offset within the larger page."
            if (((iova ^ paddr) & (nextPg - 1)) == 0) {
                long offset = nextPg - (addrMerge & (nextPg - 1));
                if (offset + nextPg <= size) {
                    n = offset;
                }
            }
        }
        return ((n / pg) << 6) | Long.numberOfTrailingZeros(pg);
    }
}
