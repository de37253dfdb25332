package org.iommulab.api.iommu;

import java.util.List;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An IOMMU driver bound to its hardware model, Linux {@code struct iommu_ops}. Registered as an
 * OSGi service with {@value #NAME_PROPERTY}; iommu-dma makes a {@code DmaBackend} of the same
 * name from it, and withdraws that backend (moving its devices first) when the service goes.
 */
@ProviderType
public interface IommuDriver {
    /** Service property carrying the driver (and so the backend) name. */
    String NAME_PROPERTY = "iommulab.iommu.name";

    String name();

    /**
     * Linux {@code probe_device}: takes on a device whose streams this IOMMU serves.
     *
     * @throws BackendException when the IOMMU does not serve the device's streams
     */
    void probeDevice(DmaDevice device) throws BackendException;

    /** Linux {@code release_device}. */
    void releaseDevice(DmaDevice device);

    /** True when {@code device}'s streams are behind this IOMMU. */
    boolean servesDevice(DmaDevice device);

    /** A new domain of {@code type}, or null when the driver does not support that type. */
    IommuDomain allocDomain(DomainType type);

    /** Page sizes the hardware supports, one bit per size ({@code pgsize_bitmap}). */
    long pgsizeBitmap();

    /** Linux {@code capable}. */
    boolean capable(IommuCapability capability);

    /**
     * Linux {@code get_resv_regions}: the reserved regions of {@code device}'s I/O address space
     * (an MSI window, firmware's direct-mapped or reserved ranges), which iommu-dma keeps out of
     * its IOVA allocator or maps as {@link IommuResvRegion} says. The default reports none.
     * Called at attach, after {@link #probeDevice}.
     */
    default List<IommuResvRegion> resvRegions(DmaDevice device) {
        return List.of();
    }

    /**
     * The hardware's port for {@code device}'s accesses: stream lookup, IOTLB, table walk and
     * faults. Valid between {@link #probeDevice} and {@link #releaseDevice}.
     */
    TranslationPort translationPort(DmaDevice device);
}
