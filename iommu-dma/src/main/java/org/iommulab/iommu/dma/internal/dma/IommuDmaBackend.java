package org.iommulab.iommu.dma.internal.dma;

import java.util.List;
import java.util.function.Supplier;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuCapability;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.iommu.IommuResvRegion;
import org.iommulab.api.platform.SimClock;
import org.iommulab.api.platform.SimCpus;
import org.iommulab.api.swiotlb.SwiotlbPool;

/**
 * The DMA backend iommu-dma makes of one {@link IommuDriver}, named as the driver. Attaching a
 * device is Linux's probe path: {@code probe_device}, a default domain of type DMA_FQ (lazy
 * settings, a trusted device, and {@code IOMMU_CAP_DEFERRED_FLUSH}) or DMA (otherwise: untrusted
 * devices are always strict), {@code attach_dev}, then {@code iommu_dma_init_domain}.
 */
public final class IommuDmaBackend implements DmaBackend {
    private final IommuDriver driver;
    private final IommuDmaSettings settings;
    private final Supplier<SwiotlbPool> pool;

    IommuDmaBackend(IommuDriver driver, IommuDmaSettings settings, Supplier<SwiotlbPool> pool) {
        if (driver == null || settings == null || pool == null) {
            throw new IllegalArgumentException("iommu-dma backend needs a driver, settings and a pool supplier");
        }
        this.driver = driver;
        this.settings = settings;
        this.pool = pool;
    }

    /**
     * An iommu-dma backend over {@code driver} with Linux's defaults (flush queue of 256 entries,
     * 10 ms), strict or lazy, one CPU and a clock that stands still (a lazy domain then flushes
     * only when its ring fills): for plain-Java users outside this bundle (other bundles' unit
     * tests, benchmarks) that do not go through the whiteboard and have no simulation.
     */
    public static IommuDmaBackend of(IommuDriver driver, boolean lazy, Supplier<SwiotlbPool> pool) {
        return new IommuDmaBackend(driver, IommuDmaSettings.defaults().lazy(lazy), pool);
    }

    /**
     * An iommu-dma backend over {@code driver} with Linux's defaults, strict or lazy, on the
     * simulation's clock and CPUs (per-CPU caches and flush queues of 256 entries, 10 ms): what
     * the whiteboard makes, for plain-Java users that hold a simulation.
     */
    public static IommuDmaBackend of(IommuDriver driver, boolean lazy, Supplier<SwiotlbPool> pool, SimClock clock,
            SimCpus cpus) {
        return new IommuDmaBackend(driver, IommuDmaSettings.of(lazy, clock, cpus), pool);
    }

    @Override
    public String name() {
        return driver.name();
    }

    @Override
    public boolean accepts(DmaDevice device) {
        return driver.servesDevice(device);
    }

    @Override
    public DeviceBinding attach(DmaDevice device) throws BackendException {
        driver.probeDevice(device);
        boolean lazy = settings.lazy && device.descriptor().trusted() && driver.capable(IommuCapability.DEFERRED_FLUSH);
        IommuDomain domain = driver.allocDomain(lazy ? DomainType.DMA_FQ : DomainType.DMA);
        if (domain == null && lazy) {
            lazy = false; // "If the FQ fails we can simply fall back to strict mode"
            domain = driver.allocDomain(DomainType.DMA);
        }
        if (domain == null) {
            driver.releaseDevice(device);
            throw new BackendException(name() + ": the IOMMU driver could not allocate a DMA domain for " + device.name());
        }
        int rc = domain.attachDevice(device);
        if (rc != 0) {
            domain.free();
            driver.releaseDevice(device);
            throw new BackendException(name() + ": attaching " + device.name() + " to its domain failed (" + rc + ")");
        }
        IommuDmaOps ops;
        try {
            List<IommuResvRegion> regions = driver.resvRegions(device);
            createDirectMappings(domain, regions);
            ops = IommuDmaOps.create(device, domain, lazy, settings, pool, new DmaCounters(), regions);
        } catch (IllegalArgumentException e) {
            domain.detachDevice(device);
            domain.free();
            driver.releaseDevice(device);
            throw new BackendException(name() + ": " + device.name() + ": " + e.getMessage(), e);
        }
        return new IommuDmaBinding(driver, device, domain, ops, driver.translationPort(device), ops.counters());
    }

    /**
     * Linux {@code iommu_create_device_direct_mappings} (drivers/iommu/iommu.c): every
     * {@code IOMMU_RESV_DIRECT} and {@code IOMMU_RESV_DIRECT_RELAXABLE} region is mapped 1:1 into
     * the DMA domain with its prot, page by page of the domain's smallest page size, leaving pages
     * already mapped as they are.
     *
     * @throws IllegalArgumentException when a mapping fails (the attach then fails)
     */
    static void createDirectMappings(IommuDomain domain, List<IommuResvRegion> regions) {
        long bitmap = domain.pgsizeBitmap();
        long pg = bitmap & -bitmap;
        for (IommuResvRegion r : regions) {
            if (r.type() != IommuResvRegion.Type.DIRECT && r.type() != IommuResvRegion.Type.DIRECT_RELAXABLE) {
                continue;
            }
            long start = (r.start() + pg - 1) & -pg;
            long end = (r.start() + r.length() + pg - 1) & -pg;
            long mapSize = 0;
            for (long addr = start; Long.compareUnsigned(addr, end) <= 0; addr += pg) {
                if (addr != end && domain.iovaToPhys(addr) == 0) {
                    mapSize += pg;
                    continue;
                }
                if (mapSize > 0) {
                    int rc = domain.map(addr - mapSize, addr - mapSize, mapSize, r.prot());
                    if (rc != 0) {
                        throw new IllegalArgumentException("direct mapping of reserved region " + r + " failed (" + rc + ")");
                    }
                    mapSize = 0;
                }
                if (addr == end) {
                    break;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "iommu-dma backend " + name() + (settings.lazy ? " (lazy)" : " (strict)");
    }
}
