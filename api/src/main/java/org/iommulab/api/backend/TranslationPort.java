package org.iommulab.api.backend;

import org.iommulab.api.platform.AccessType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The device side of a backend: turns one device access at a bus address into a physical
 * address, as the hardware in the path (nothing, a bus offset, or an IOMMU's stream lookup,
 * IOTLB and table walk) would. Called for every access, so it allocates nothing on success.
 */
@ProviderType
public interface TranslationPort {
    /**
     * The physical address that {@code busAddr} reaches for an access of type {@code access} by
     * stream {@code streamId}. The result holds for every address in the same naturally aligned
     * block of {@code 1 << pageShift()} bytes.
     *
     * @throws org.iommulab.api.platform.DmaFaultException when the access is denied; the backend
     *         has reported the fault through {@link DmaDevice#reportFault} before throwing
     */
    long translate(int streamId, long busAddr, AccessType access);

    /** log2 of the block size a translation result holds for (12 for a 4 KiB granule). */
    int pageShift();
}
