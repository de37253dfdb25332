package org.iommulab.iopgtable.lpae;

import org.iommulab.api.iommu.IotlbGather;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The TLB maintenance an IOMMU driver performs for its page tables, Linux
 * {@code struct iommu_flush_ops}. An IOMMU driver implements it and hands it to
 * {@link LpaePageTable}; the writer calls it as {@code io-pgtable-arm.c} does.
 */
@ConsumerType
public interface LpaeTlbOps {
    /** Linux {@code tlb_flush_all}: invalidate every entry of this table's context and wait. */
    void flushAll();

    /**
     * Linux {@code tlb_flush_walk}: invalidate every entry (leaf or walk cache) for
     * {@code [iova, iova+size)} and wait; called when a table is unlinked and freed at once.
     */
    void flushWalk(long iova, long size, long granule);

    /**
     * Linux {@code tlb_add_page}: a leaf of {@code granule} bytes at {@code iova} was removed;
     * add it to {@code gather} for the driver's {@code iotlb_sync}. Not called when the gather
     * is queued (lazy mode flushes everything later).
     */
    void addPage(IotlbGather gather, long iova, long granule);
}
