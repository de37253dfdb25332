package org.iommulab.iopgtable.lpae;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.iopgtable.IoPgtableFlushOps;

/** Flush ops that record every call, Linux's selftest {@code dummy_tlb_ops} with a memory. */
final class RecordingTlb implements IoPgtableFlushOps {
    final List<String> calls = new ArrayList<>();

    @Override
    public void tlbFlushAll() {
        calls.add("all");
    }

    @Override
    public void tlbFlushWalk(long iova, long size, long granule) {
        calls.add(String.format("walk 0x%x+0x%x", iova, size));
    }

    @Override
    public void tlbAddPage(IotlbGather gather, long iova, long granule) {
        calls.add(String.format("page 0x%x+0x%x", iova, granule));
        gather.add(iova, granule, granule);
    }
}
