package com.example.vtd.internal.pgtable;

/**
 * Linux {@code iommu_pgsize} ({@code drivers/iommu/iommu.c}): the largest page size that the
 * IOVA, the physical address and the remaining length allow, and how many pages of it to map
 * before a larger size could start. The count is left in {@link #count} so the split allocates
 * nothing. Used under the owning table's lock.
 */
final class PgsizeSplit {
    private final long bitmap;
    /** Pages of the size {@link #next} returned to map before a larger size fits. */
    long count;

    PgsizeSplit(long bitmap) {
        this.bitmap = bitmap;
    }

    long next(long iova, long paddr, long size) {
        long addrMerge = iova | paddr;
        // Page sizes no larger than the size...
        long pgsizes = bitmap & ((Long.highestOneBit(size) << 1) - 1);
        // ...and no larger than the alignment of both addresses.
        if (addrMerge != 0) {
            pgsizes &= (Long.lowestOneBit(addrMerge) << 1) - 1;
        }
        long pg = Long.highestOneBit(pgsizes);
        long n = size;
        long bigger = bitmap & ~((pg << 1) - 1);
        if (bigger != 0) {
            long nextPg = Long.lowestOneBit(bigger);
            // Only worth stopping early if both addresses sit at the same offset in the larger page.
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
