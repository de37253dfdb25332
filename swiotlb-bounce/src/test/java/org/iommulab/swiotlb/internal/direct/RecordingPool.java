package org.iommulab.swiotlb.internal.direct;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.testkit.ForwardingSwiotlbPool;

/** A pool that records the attributes of every unmap before passing it on. */
final class RecordingPool extends ForwardingSwiotlbPool {
    final List<Integer> unmapAttrs = new ArrayList<>();

    RecordingPool(SwiotlbPool pool) {
        super(pool);
    }

    @Override
    public long unmap(DmaDevice dev, long bounce, long size, DmaDirection dir, int attrs) {
        unmapAttrs.add(attrs);
        return super.unmap(dev, bounce, size, dir, attrs);
    }
}
