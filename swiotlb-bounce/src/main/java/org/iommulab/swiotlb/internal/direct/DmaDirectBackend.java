package org.iommulab.swiotlb.internal.direct;

import java.util.function.Supplier;

import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.swiotlb.SwiotlbPool;

/**
 * A backend made of Linux dma-direct: {@code direct} (bounce only what the device cannot
 * reach, if a pool is there) or, with {@code forceBounce}, {@code swiotlb} (Linux
 * {@code swiotlb=force}: every streaming mapping bounces). It accepts every device: no IOMMU
 * stands between a device and memory.
 */
public final class DmaDirectBackend implements DmaBackend {
    private final String name;
    private final boolean forceBounce;
    private final Supplier<SwiotlbPool> poolSource;

    /**
     * @param poolSource the pool now, or null when there is none; read at every operation, so
     *                   a pool that comes or goes is seen at once
     */
    public DmaDirectBackend(String name, boolean forceBounce, Supplier<SwiotlbPool> poolSource) {
        if (name == null || poolSource == null) {
            throw new IllegalArgumentException("backend needs a name and a pool source");
        }
        this.name = name;
        this.forceBounce = forceBounce;
        this.poolSource = poolSource;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean accepts(DmaDevice device) {
        return device != null;
    }

    @Override
    public DeviceBinding attach(DmaDevice device) {
        if (device == null) {
            throw new IllegalArgumentException("cannot attach a null device");
        }
        return new DirectBinding(device, poolSource, forceBounce, name);
    }

    @Override
    public String toString() {
        return name + (forceBounce ? " (swiotlb=force)" : " (dma-direct)");
    }
}
