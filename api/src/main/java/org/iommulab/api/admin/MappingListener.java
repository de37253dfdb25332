package org.iommulab.api.admin;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told of every mapping that goes live or ends on any device: streaming mappings (single,
 * resource, scatterlist: one call per list, spanning its DMA segments) and coherent buffers, as
 * the platform's live-mapping table records them, whether or not the checker is on. For
 * pictures and collectors: the IOVA space of a device over simulated time.
 *
 * <p>Register as an OSGi service (whiteboard). The platform calls it synchronously on the
 * thread that made the DMA-API call, while that device's mapping table is locked: keep it short,
 * call back into nothing, and be safe for calls from several threads at once (devices run on
 * their own threads).
 *
 * @since 1.3
 */
@ConsumerType
public interface MappingListener {
    /**
     * @param device the device's name
     * @param backend the backend the device is bound to, or null while it is unbound (a leak
     *     reclaimed at a swap)
     * @param live true when the mapping went live, false when it ended
     * @param dmaAddress the address the device uses (an IOVA behind an IOMMU)
     * @param size its length in bytes (for a scatterlist, of all its DMA segments)
     * @param simNanos the simulated clock when it happened
     */
    void mappingChanged(String device, String backend, boolean live, long dmaAddress, long size, long simNanos);
}
