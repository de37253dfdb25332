package org.iommulab.api.backend;

import java.util.List;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.iommu.PageTableCensus;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A backend's mapping operations for one device, Linux {@code struct dma_map_ops} (and the
 * dma-direct path). The platform has already checked the arguments (sizes positive and not
 * overflowing, directions valid for mapping, attributes known, tables non-null and unmapped)
 * and the checker has matched unmaps and syncs to live mappings, so implementations may rely
 * on well-formed input. No method may allocate on a path a device's steady state takes.
 *
 * <p>Thread safety: implementations must be thread-safe. The platform serializes nothing per
 * device: it calls these methods from the driver's threads, several at once for one device
 * and for several devices of one backend (or one IOMMU), each call on distinct mappings
 * (the checker has matched every unmap and sync to a live mapping before the call). Concurrent
 * maps must return disjoint DMA ranges, and concurrent unmaps and syncs of distinct mappings
 * must neither disturb each other nor a mapping made meanwhile. Calls on the same mapping
 * arrive in the driver's order; an implementation need not order them itself. Tested with two
 * threads per device on every built-in backend.
 */
@ProviderType
public interface DmaOps {
    /**
     * Maps {@code size} bytes at {@code phys}. Returns the DMA address or
     * {@link org.iommulab.api.dma.DmaMasks#MAPPING_ERROR}; on failure nothing stays allocated and
     * the reason goes to {@link DmaDevice#warn} unless {@code NO_WARN}.
     */
    long mapPhys(long phys, long size, DmaDirection dir, int attrs);

    /** Unmaps a mapping made by {@link #mapPhys} with the same size and direction. */
    void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs);

    /** Maps MMIO at {@code phys} ({@code map_resource}): never bounced. */
    long mapResource(long phys, long size, DmaDirection dir, int attrs);

    void unmapResource(long dmaAddr, long size, DmaDirection dir, int attrs);

    /**
     * Maps the first {@code nents} entries of {@code sg}, fills its DMA view and sets its
     * {@code nents}. Returns the number of DMA segments, or a negative
     * {@link org.iommulab.api.dma.DmaErrno} (EINVAL, ENOMEM, EIO, EREMOTEIO) with every entry
     * restored and nothing left mapped, as Linux's {@code ops->map_sg}.
     */
    int mapSg(SgTable sg, int nents, DmaDirection dir, int attrs);

    /** Unmaps a table mapped by {@link #mapSg}; {@code nents} is the original count. */
    void unmapSg(SgTable sg, int nents, DmaDirection dir, int attrs);

    void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir);

    void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir);

    void syncSgForCpu(SgTable sg, int nents, DmaDirection dir);

    void syncSgForDevice(SgTable sg, int nents, DmaDirection dir);

    /** A zeroed coherent buffer within the device's coherent mask, or null. */
    CoherentAllocation allocCoherent(long size, int attrs);

    void freeCoherent(CoherentAllocation buffer);

    /** Linux {@code dma_supported(dev, mask)}: whether this backend can serve a device with {@code mask}. */
    boolean dmaSupported(long mask);

    /** Linux {@code dma_get_required_mask}. */
    long requiredMask();

    /** Linux {@code dma_max_mapping_size}. */
    long maxMappingSize();

    /** Linux {@code dma_opt_mapping_size}. */
    long optMappingSize();

    /**
     * Linux {@code iommu_dma_prepare_msi} with {@code iommu_dma_compose_msi_msg}: makes the MSI
     * doorbell at physical address {@code doorbellPhys} reachable by the device's writes and
     * returns the address the device must write to raise an interrupt (the MSI message address).
     * Without an IOMMU that is the doorbell itself (the default); behind one, iommu-dma maps the
     * doorbell's page into the device's domain once ({@code iommu_dma_get_msi_page}) and returns
     * its IOVA. Returns {@link org.iommulab.api.dma.DmaMasks#MAPPING_ERROR} when that mapping
     * fails ({@code -ENOMEM}).
     */
    default long prepareMsi(long doorbellPhys) {
        return doorbellPhys;
    }

    /**
     * The ranges of the device's DMA address space this backend keeps out of its allocator
     * (and, behind an IOMMU, the software MSI window), for reports: behind iommu-dma, what
     * Linux {@code iova_reserve_iommu_regions} reserved when the domain was set up. Empty when
     * the backend reserves nothing or does not report it (the default). Thread-safe; the list
     * is immutable.
     *
     * @since 1.2
     */
    default List<ReservedRegion> reservedRegions() {
        return List.of();
    }

    /**
     * A census of the page-table tree behind the device's DMA addresses now (behind iommu-dma,
     * its domain's {@link org.iommulab.api.iommu.IommuDomain#pageTableCensus()}), for reports;
     * null when there is none or the backend does not report it (the default).
     *
     * @since 1.2
     */
    default PageTableCensus pageTableCensus() {
        return null;
    }
}
