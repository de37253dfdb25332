package org.iommulab.iopgtable;

import org.iommulab.api.iommu.IotlbGather;

/** Flush ops for tables no hardware caches: nothing to invalidate; leaves still go into the gather. */
final class NoFlushOps implements IoPgtableFlushOps {
    @Override
    public void tlbFlushAll() {
    }

    @Override
    public void tlbFlushWalk(long iova, long size, long granule) {
    }

    @Override
    public void tlbAddPage(IotlbGather gather, long iova, long granule) {
        gather.add(iova, granule, granule);
    }
}
