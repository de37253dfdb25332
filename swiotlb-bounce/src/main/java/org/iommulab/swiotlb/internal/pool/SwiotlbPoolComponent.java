package org.iommulab.swiotlb.internal.pool;

import java.util.Map;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.SimCpus;
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
        @AttributeDefinition(name = "Size (bytes)",
                description = "Pool size, 1M..1G: bytes, or a number ending in K, M or G (KiB, MiB, GiB); rounded up as"
                        + " Linux rounds swiotlb=: to whole 128-slot segments, at least one segment per area, then a"
                        + " power of two. Linux's default is 64 MiB.")
        String size() default "64M";

        @AttributeDefinition(name = "Areas", min = "0", max = "1024",
                description = "Areas, each searched under its own lock; rounded up to a power of two."
                        + " 0 means one per CPU of the simulated machine (the platform's sim.cpus), as Linux's one per"
                        + " possible CPU; a search starts in the area of the CPU the caller runs on.")
        int areas() default 0;
    }

    private final BouncePool pool;

    /**
     * Takes the pool's pages from the platform's allocator at once, as Linux does at boot.
     *
     * @throws org.iommulab.api.config.ConfigException naming the key whose value breaks its rule
     */
    @Activate
    public SwiotlbPoolComponent(@Reference(name = "memory") PhysicalMemory memory,
            @Reference(name = "allocator") PageAllocator allocator, @Reference(name = "cpus") SimCpus cpus,
            Map<String, Object> properties) {
        SwiotlbPoolConfig config = SwiotlbPoolConfig.read(properties);
        pool = new BouncePool(memory, allocator, PoolGeometry.of(config.size(), config.areas(), cpus.count()), cpus::current);
    }

    /**
     * Retires the pool: no new buffers; the ones still mapped (an untrusted device's behind an
     * IOMMU backend of another bundle, which must not notice this bundle go) stay until they
     * are unmapped, and the pages go back to the platform with the last of them.
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
