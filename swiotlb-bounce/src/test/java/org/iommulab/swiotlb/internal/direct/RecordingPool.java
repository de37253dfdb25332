package org.iommulab.swiotlb.internal.direct;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.api.swiotlb.SwiotlbStats;

/** A pool that records the attributes of every unmap before passing it on. */
final class RecordingPool implements SwiotlbPool {
    final SwiotlbPool pool;
    final List<Integer> unmapAttrs = new ArrayList<>();

    RecordingPool(SwiotlbPool pool) {
        this.pool = pool;
    }

    @Override
    public long map(DmaDevice dev, long orig, long size, long allocAlignMask, DmaDirection dir, int attrs) {
        return pool.map(dev, orig, size, allocAlignMask, dir, attrs);
    }

    @Override
    public long mapZeroPadded(DmaDevice dev, long orig, long size, long allocAlignMask, DmaDirection dir, int attrs) {
        return pool.mapZeroPadded(dev, orig, size, allocAlignMask, dir, attrs);
    }

    @Override
    public long unmap(DmaDevice dev, long bounce, long size, DmaDirection dir, int attrs) {
        unmapAttrs.add(attrs);
        return pool.unmap(dev, bounce, size, dir, attrs);
    }

    @Override
    public long syncForCpu(DmaDevice dev, long bounce, long size, DmaDirection dir) {
        return pool.syncForCpu(dev, bounce, size, dir);
    }

    @Override
    public long syncForDevice(DmaDevice dev, long bounce, long size, DmaDirection dir) {
        return pool.syncForDevice(dev, bounce, size, dir);
    }

    @Override
    public boolean isBounce(long phys) {
        return pool.isBounce(phys);
    }

    @Override
    public long maxMappingSize(DmaDevice dev) {
        return pool.maxMappingSize(dev);
    }

    @Override
    public int releaseAll(DmaDevice dev) {
        return pool.releaseAll(dev);
    }

    @Override
    public SwiotlbStats stats() {
        return pool.stats();
    }
}
