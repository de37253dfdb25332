package org.iommulab.iopgtable;

import org.iommulab.api.iommu.IotlbGather;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The TLB maintenance an IOMMU driver performs for its page tables, Linux
 * {@code struct iommu_flush_ops} ({@code include/linux/io-pgtable.h}). The driver implements it
 * and hands it to a format's {@link IoPgtableFormat#allocate}; the table calls it as
 * {@code io-pgtable-arm.c} does.
 *
 * <p>Threading: a table calls these methods on the thread that called its map or unmap, during
 * that call, so an implementation must not call back into the same table. Tables of different
 * domains, and threads mapping and unmapping disjoint ranges of one table, call in parallel
 * (each with its own gather): an implementation makes its calls thread-safe itself.
 */
@ConsumerType
public interface IoPgtableFlushOps {
    /** Linux {@code tlb_flush_all}: invalidate every entry of this table's context, and wait. */
    void tlbFlushAll();

    /**
     * Linux {@code tlb_flush_walk}: invalidate every cached entry for {@code [iova, iova+size)},
     * walk cache (intermediate tables) and leaves alike, and wait before returning. Linux names
     * the walk cache only; its ARM drivers use all-level invalidations, which also take the
     * leaves, and an unmap over a table relies on that, as its leaves are never gathered. The
     * table calls it when it unlinks a table (one that became empty, or one an unmap at block
     * size found in its way) and frees the table's pages right after: once this returns, no
     * cached walk may reach them. {@code granule} is the table's smallest page size; the range
     * can be as large as a level-1 table's span (512 GiB with 4K pages), so an IOMMU without
     * range invalidation may invalidate the whole context instead.
     */
    void tlbFlushWalk(long iova, long size, long granule);

    /**
     * Linux {@code tlb_add_page}: a leaf of {@code granule} bytes at {@code iova} was removed; add
     * it to {@code gather} (and, if the driver wishes, start its invalidation) for the driver's
     * {@code iotlb_sync}. Not called when the gather is queued (lazy mode flushes everything
     * later) or absent.
     */
    void tlbAddPage(IotlbGather gather, long iova, long granule);

    /**
     * {@link #tlbAddPage} for {@code count} contiguous leaves of {@code granule} bytes from
     * {@code iova}, in address order: what {@code __arm_lpae_unmap}'s loop calls once per entry
     * of a run it cleared. The default makes those calls; a driver whose {@code tlb_add_page}
     * only widens the gather for a page that adjoins it may add the rest of the run at once,
     * which leaves the gather exactly as the calls would.
     *
     * @since 1.2
     */
    default void tlbAddPages(IotlbGather gather, long iova, int count, long granule) {
        for (int j = 0; j < count; j++) {
            tlbAddPage(gather, iova + j * granule, granule);
        }
    }
}
