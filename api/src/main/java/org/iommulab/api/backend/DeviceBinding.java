package org.iommulab.api.backend;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One device attached to one backend: the ops its DMA API calls and the port its bus master's
 * accesses go through.
 */
@ProviderType
public interface DeviceBinding {
    /** The mapping operations for this device. */
    DmaOps ops();

    /** The device side: how this device's bus addresses reach physical memory. */
    TranslationPort port();

    /**
     * A counter of this binding, or -1 when the backend has no such thing (a direct backend
     * has no IOTLB).
     */
    long counter(BackendCounter counter);

    /**
     * Detaches the device. The platform calls it after the driver released its mappings and the
     * platform reclaimed any it leaked, so the binding holds nothing live; a backend that still
     * finds state releases it. Idempotent.
     */
    void detach();
}
