package org.iommulab.iopgtable.lpae;

/**
 * Linux {@code iommu_pgsize} ({@code drivers/iommu/iommu.c}): how {@code __iommu_map} and
 * {@code __iommu_unmap} split a request into runs of one page size for
 * {@code map_pages}/{@code unmap_pages}. Linux returns the count through a pointer; here
 * {@link #next} leaves it in {@link #count}, so the split allocates nothing. One instance per
 * walk, used under the owning {@link LpaePageTable}'s lock.
 */
final class PageSizeSplitter {
    private final LpaeConfig cfg;
    /** How many pages of the size {@link #next} last returned to map before a larger size fits. */
    long count;

    PageSizeSplitter(LpaeConfig cfg) {
        this.cfg = cfg;
    }

    /**
     * The largest page size that {@code iova}, {@code paddr} and {@code size} allow; sets
     * {@link #count} to how many of it to map before a larger size becomes possible.
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
        count = n / pg;
        return pg;
    }
}
