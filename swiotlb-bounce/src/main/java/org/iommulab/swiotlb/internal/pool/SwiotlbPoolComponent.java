package org.iommulab.swiotlb.internal.pool;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.api.swiotlb.SwiotlbStats;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The swiotlb pool as a service: a {@link BouncePool} of the configured size in the
 * platform's memory ({@link PhysicalMemory} and {@link PageAllocator} services, which the
 * platform registers; a new platform re-creates the pool). A new configuration re-creates the pool (there is no {@code @Modified}):
 * the swiotlb backend, which holds it statically, is re-created with it, and its devices are
 * swapped off and back by the platform.
 */
@Component(service = SwiotlbPool.class, configurationPid = SwiotlbPoolComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SwiotlbPoolComponent.Config.class)
public final class SwiotlbPoolComponent implements SwiotlbPool {
    /** Stable configuration PID, so configuration files outlive refactoring. */
    public static final String PID = "org.iommulab.swiotlb";

    /** Linux's {@code swiotlb=<nslabs>,<nareas>} as a configuration. */
    @ObjectClassDefinition(name = "iommulab swiotlb pool",
            description = "The swiotlb bounce-buffer pool (Linux kernel/dma/swiotlb.c): 2 KiB slots below 4 GiB.")
    public @interface Config {
        @AttributeDefinition(name = "Size (bytes)", min = "1048576", max = "1073741824",
                description = "Pool size; rounded up as Linux rounds swiotlb=: to whole 128-slot segments,"
                        + " at least one segment per area, then a power of two. Linux's default is 64 MiB.")
        long size() default PoolGeometry.DEFAULT_SIZE;

        @AttributeDefinition(name = "Areas", min = "0", max = "1024",
                description = "Areas, each searched under its own lock; rounded up to a power of two."
                        + " 0 means one per available processor, as Linux's one per possible CPU.")
        int areas() default 0;
    }

    private final BouncePool pool;

    /** Takes the pool's pages from the platform's allocator at once, as Linux does at boot. */
    @Activate
    public SwiotlbPoolComponent(@Reference(name = "memory") PhysicalMemory memory,
            @Reference(name = "allocator") PageAllocator allocator, Config config) {
        pool = new BouncePool(memory, allocator, PoolGeometry.of(config.size(), config.areas()));
    }

    /**
     * Closes the pool: no new bounce buffer. A device behind an IOMMU may still hold some (its
     * backend took the buffer before the service went); they keep working through this object
     * until unmapped, and the pages go back to the allocator with the last one.
     */
    @Deactivate
    void deactivate() {
        pool.close();
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

    @Override
    public String toString() {
        return pool.stats().toString();
    }
}
