package org.iommulab.api.platform;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A device's own reads and writes at bus (DMA) addresses. Each access is translated by the
 * backend the device is bound to at that moment (identity or a range map for direct mapping,
 * the IOMMU model's stream lookup, IOTLB and table walk otherwise), checked for permission, and
 * counted. A denied access throws {@link DmaFaultException}; a multi-byte access that faults
 * part-way may have transferred the bytes before the faulting page, as hardware does.
 *
 * <p>A bus master handed out by a driver's {@code DmaApi.busMaster()} carries that driver's
 * binding generation: once the driver is released, its accesses are refused before any
 * translation ({@link FaultKind#DMA_AFTER_RELEASE}) and reach no memory. Thread-safe; an access
 * never waits for a swap (while the device's binding changes, it faults instead).
 */
@ProviderType
public interface BusMaster extends MemoryAccess {
    /** Name of the device this bus master belongs to. */
    String deviceName();

    /** Stream ID the accesses carry (the device's first one unless chosen with {@link #withStream}). */
    int streamId();

    /**
     * The same device issuing accesses with another of its stream IDs.
     *
     * @throws IllegalArgumentException when the device does not own {@code streamId}
     */
    BusMaster withStream(int streamId);
}
