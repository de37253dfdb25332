package org.iommulab.testkit;

import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.iopgtable.IoPgtableFlushOps;

/**
 * Flush ops that do nothing, for page tables that no hardware caches in a test (tables built
 * by hand and walked directly, or before any TLB exists): every call returns at once and a
 * gather is left untouched. Stateless; {@link #INSTANCE} is shared by every test.
 */
public final class NoopFlushOps implements IoPgtableFlushOps {
    /** The only instance. */
    public static final NoopFlushOps INSTANCE = new NoopFlushOps();

    private NoopFlushOps() {
    }

    @Override
    public void tlbFlushAll() {
    }

    @Override
    public void tlbFlushWalk(long iova, long size, long granule) {
    }

    @Override
    public void tlbAddPage(IotlbGather gather, long iova, long granule) {
    }
}
