package org.iommulab.iommu.dma.internal.dma;

import java.util.function.Supplier;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuCapability;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuDriver;
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
            ops = IommuDmaOps.create(device, domain, lazy, settings, pool, new DmaCounters());
        } catch (IllegalArgumentException e) {
            domain.detachDevice(device);
            domain.free();
            driver.releaseDevice(device);
            throw new BackendException(name() + ": " + device.name() + ": " + e.getMessage(), e);
        }
        return new IommuDmaBinding(driver, device, domain, ops, driver.translationPort(device), ops.counters());
    }

    @Override
    public String toString() {
        return "iommu-dma backend " + name() + (settings.lazy ? " (lazy)" : " (strict)");
    }
}
