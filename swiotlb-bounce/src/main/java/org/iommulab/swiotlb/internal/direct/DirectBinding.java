package org.iommulab.swiotlb.internal.direct;

import java.util.function.Supplier;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.swiotlb.SwiotlbPool;

/** One device on a dma-direct backend (direct or swiotlb): its ops, its port and its bounce counters. */
final class DirectBinding implements DeviceBinding {
    private final DmaDevice dev;
    private final PoolsInUse pools;
    private final BounceCounters counters = new BounceCounters();
    private final DirectOps ops;
    private final DirectPort port;
    private boolean detached;

    DirectBinding(DmaDevice dev, Supplier<SwiotlbPool> poolSource, boolean forceBounce, String backend) {
        this.dev = dev;
        this.pools = new PoolsInUse(poolSource);
        DmaRangeMap map = new DmaRangeMap(dev.descriptor().dmaRanges());
        this.ops = new DirectOps(dev, map, pools, forceBounce, counters);
        this.port = new DirectPort(dev, map, backend);
    }

    @Override
    public DmaOps ops() {
        return ops;
    }

    @Override
    public TranslationPort port() {
        return port;
    }

    @Override
    public long counter(BackendCounter counter) {
        return counters.get(counter);
    }

    /** Frees any bounce buffer the device still holds (the platform should have left none). */
    @Override
    public synchronized void detach() {
        if (detached) {
            return;
        }
        detached = true;
        ops.detach();
        int left = pools.releaseAll(dev);
        if (left > 0) {
            dev.warn("released " + left + " bounce buffer(s) still mapped at detach");
        }
    }
}
