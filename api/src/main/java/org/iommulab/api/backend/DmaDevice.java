package org.iommulab.api.backend;

import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A device as the platform hands it to a backend: its description, the masks its driver set,
 * the memory and allocator of the platform, and the sinks for its log and its faults. Linux's
 * {@code struct device} as {@code dma_map_ops} see it.
 */
@ProviderType
public interface DmaDevice {
    DeviceDescriptor descriptor();

    /** Short for {@code descriptor().name()}. */
    default String name() {
        return descriptor().name();
    }

    /** The current streaming DMA mask, {@code *dev->dma_mask}. */
    long dmaMask();

    /** The current coherent DMA mask, {@code dev->coherent_dma_mask}. */
    long coherentDmaMask();

    PhysicalMemory memory();

    PageAllocator allocator();

    /**
     * Logs a message the backend would print in Linux ({@code dev_warn}, {@code dev_err}), for
     * example "swiotlb buffer is full"; kept in the device's log and counted.
     */
    void warn(String message);

    /**
     * Reports a fault to the platform's fault listeners and statistics. A backend reports each
     * fault exactly once, at the moment its hardware model records it.
     */
    void reportFault(DmaFault fault);
}
