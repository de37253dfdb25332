package org.iommulab.api.iommu;

/**
 * Linux {@code struct iommu_iotlb_gather}: the IOVA range an unmap batch touched, so that one
 * invalidation covers it at {@link IommuDomain#iotlbSync}. Mutable and reusable (
 * {@link #reset()}), so a mapping hot path allocates none.
 */
public final class IotlbGather {
    private long start = -1L;
    private long end;
    private long pgsize;
    private boolean queued;

    /** Empties the gather, {@code iommu_iotlb_gather_init}. */
    public IotlbGather reset() {
        start = -1L;
        end = 0;
        pgsize = 0;
        queued = false;
        return this;
    }

    /**
     * Adds {@code [iova, iova+size)} unmapped with leaf size {@code pgsize},
     * {@code iommu_iotlb_gather_add_range}; the page size kept is the last one added, as Linux's
     * drivers only gather one size per sync ({@code iommu_iotlb_gather_is_disjoint} aside).
     */
    public void add(long iova, long size, long pageSize) {
        long last = iova + size - 1;
        if (start == -1L || Long.compareUnsigned(iova, start) < 0) {
            start = iova;
        }
        if (Long.compareUnsigned(last, end) > 0) {
            end = last;
        }
        pgsize = pageSize;
    }

    /** True when nothing was gathered. */
    public boolean isEmpty() {
        return start == -1L;
    }

    /** First IOVA gathered. */
    public long start() {
        return start;
    }

    /** Last IOVA gathered (inclusive), as Linux's {@code gather->end}. */
    public long end() {
        return end;
    }

    /** Leaf size of what was gathered. */
    public long pageSize() {
        return pgsize;
    }

    /** True when the caller will flush later (lazy mode): the driver must not invalidate now. */
    public boolean queued() {
        return queued;
    }

    public void setQueued(boolean q) {
        queued = q;
    }
}
