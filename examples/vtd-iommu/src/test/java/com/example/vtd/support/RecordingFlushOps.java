package com.example.vtd.support;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.iopgtable.IoPgtableFlushOps;

/** Flush ops that record what a table asked for. */
public final class RecordingFlushOps implements IoPgtableFlushOps {
    public final List<String> calls = new ArrayList<>();

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
