package org.iommulab.api.backend;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A DMA backend: the way one kind of platform maps memory for devices. Registered as an OSGi
 * service with {@value #NAME_PROPERTY} set to its {@link #name()} and an optional
 * {@code service.ranking}; the platform binds each device to the backend its configuration
 * names, else to the highest-ranked backend that {@linkplain #accepts accepts} it.
 *
 * <p>A backend may serve many devices at once; each {@link #attach} returns the state of one.
 *
 * <p>Rankings of the built-in backends: {@code smmu-v3} 200, {@code smmu-v2} 150,
 * {@code generic} 100, {@code swiotlb} 10, {@code direct} 0. A backend without a ranking counts
 * as 0 here; iommu-dma gives the backend of an IOMMU driver without one its default, 100 (see
 * {@link org.iommulab.api.iommu.IommuDriver}). Equal rankings go to the lower
 * {@code service.id}. The conformance kit ({@code org.iommulab.tck}) holds every backend to the
 * same checks, whichever bundle registers it.
 */
@ProviderType
public interface DmaBackend {
    /** Service property carrying the backend name, for target filters. */
    String NAME_PROPERTY = "iommulab.backend.name";

    /**
     * Service property, Boolean: true when a device reaches only what is mapped for it, with the
     * permission its direction gives (an IOMMU in strict mode); false when device accesses reach
     * any RAM (direct mapping, swiotlb). The conformance kit's isolation checks run on a backend
     * only when it says true.
     */
    String ISOLATION_PROPERTY = "iommulab.backend.isolation";

    /** A unique, stable name ({@code direct}, {@code swiotlb}, {@code generic}, {@code smmu-v3}, ...). */
    String name();

    /** True when this backend can serve {@code device} (it has the device's streams, its memory reach). */
    boolean accepts(DmaDevice device);

    /**
     * Attaches a device. The returned binding serves the device until {@link DeviceBinding#detach()}.
     *
     * @throws BackendException when the device cannot be attached; nothing is left attached
     */
    DeviceBinding attach(DmaDevice device) throws BackendException;
}
