package org.iommulab.iommu.dma.internal.dma;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuDriver;

/**
 * One device attached through iommu-dma: its ops, its port into the IOMMU (wrapped to time the
 * flush queue and count stale translations in lazy mode), and its counters.
 */
final class IommuDmaBinding implements DeviceBinding {
    private final IommuDriver driver;
    private final DmaDevice device;
    private final IommuDomain domain;
    private final IommuDmaOps ops;
    private final TranslationPort port;
    private final DmaCounters counters;
    private boolean detached;

    IommuDmaBinding(IommuDriver driver, DmaDevice device, IommuDomain domain, IommuDmaOps ops, TranslationPort iommuPort,
            DmaCounters counters) {
        this.driver = driver;
        this.device = device;
        this.domain = domain;
        this.ops = ops;
        this.counters = counters;
        FlushQueue fq = ops.flushQueue();
        this.port = fq == null ? iommuPort : new StaleWindowPort(iommuPort, fq, counters, ops.shift());
    }

    @Override
    public DmaOps ops() {
        return ops;
    }

    @Override
    public TranslationPort port() {
        return port;
    }

    /** True when the domain invalidates lazily through a flush queue. */
    boolean lazy() {
        return ops.flushQueue() != null;
    }

    IommuDmaOps dmaOps() {
        return ops;
    }

    IommuDomain domain() {
        return domain;
    }

    @Override
    public long counter(BackendCounter counter) {
        switch (counter) {
            case IOVA_BYTES_IN_USE:
                return counters.iovaBytesInUse();
            case IOVA_BYTES_PEAK:
                return counters.iovaBytesPeak();
            case STALE_TRANSLATIONS:
                return counters.staleTranslations.sum();
            case BOUNCED_MAPPINGS:
                return counters.bouncedMappings.sum();
            case BOUNCED_BYTES_TO_DEVICE:
                return counters.bouncedToDevice.sum();
            case BOUNCED_BYTES_FROM_DEVICE:
                return counters.bouncedFromDevice.sum();
            default:
                return domain.counter(counter);
        }
    }

    /**
     * Flushes the queue, detaches the device from its domain (its accesses fault from now on),
     * frees the domain and its tables, releases the device from the driver, and frees any bounce
     * buffer still held for it. Idempotent.
     */
    @Override
    public synchronized void detach() {
        if (detached) {
            return;
        }
        detached = true;
        ops.shutdown();
        domain.detachDevice(device);
        domain.free();
        driver.releaseDevice(device);
        if (ops.untrusted()) {
            ops.releaseBounces();
        }
    }
}
