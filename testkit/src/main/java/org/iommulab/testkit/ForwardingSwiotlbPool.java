package org.iommulab.testkit;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.api.swiotlb.SwiotlbStats;

/**
 * A swiotlb pool that hands every call to another, for tests that watch or alter what a
 * backend asks of its pool (the attributes of each unmap, say) and override only that.
 *
 * <p>Thread safety: adds none and takes none away: as thread-safe as {@code pool} and the
 * overrides.
 */
public class ForwardingSwiotlbPool implements SwiotlbPool {
    protected final SwiotlbPool pool;

    public ForwardingSwiotlbPool(SwiotlbPool pool) {
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
