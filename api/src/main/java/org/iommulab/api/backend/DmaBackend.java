package org.iommulab.api.backend;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A DMA backend: the way one kind of platform maps memory for devices. Registered as an OSGi
 * service with {@value #NAME_PROPERTY} set to its {@link #name()} and an optional
 * {@code service.ranking}; the platform binds each device to the backend its configuration
 * names, else to the highest-ranked backend that {@linkplain #accepts accepts} it.
 *
 * <p>A backend may serve many devices at once; each {@link #attach} returns the state of one.
 */
@ProviderType
public interface DmaBackend {
    /** Service property carrying the backend name, for target filters. */
    String NAME_PROPERTY = "iommulab.backend.name";

    /**
     * Service property, Boolean: true when a device reaches only what is mapped for it, with the
     * permission its direction gives (an IOMMU in strict mode); false when device accesses reach
     * any RAM (direct mapping, swiotlb). The conformance suite checks each backend against it.
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
