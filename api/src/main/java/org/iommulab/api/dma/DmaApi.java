package org.iommulab.api.dma;

import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.MemoryAccess;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The DMA-mapping API of one device, as a driver sees it: Linux {@code dma-mapping.h} with its
 * semantics. The platform registers one per device, with service property
 * {@value #DEVICE_PROPERTY} naming the device and {@value #BACKEND_PROPERTY} naming the backend
 * it is bound to; when the device is swapped to another backend, the service is withdrawn and a
 * new one registered, so a driver holding a static reference is re-created.
 *
 * <h2>Errors</h2>
 * <ul>
 * <li>A mapping that fails for lack of resources or reach returns {@link DmaMasks#MAPPING_ERROR}
 * (single mappings), 0 ({@link #mapSg}), a negative {@link DmaErrno} ({@link #mapSgtable}) or
 * null ({@link #allocCoherent}); the reason goes to the device's log.</li>
 * <li>Bad input (a null table, a non-positive or overflowing size, an unaligned page, a
 * direction of {@link DmaDirection#NONE} for a mapping, unknown attribute bits) throws
 * {@link IllegalArgumentException}.</li>
 * <li>Misuse (unmap or sync of something never mapped, mismatched size or count, mapping a
 * table twice) throws {@link DmaUsageException} under the device's checker policy
 * {@link org.iommulab.api.checker.CheckerPolicy#REFUSE} (the default). Under
 * {@link org.iommulab.api.checker.CheckerPolicy#REPORT} (what Linux's dma-debug does, and what a
 * trace replay uses) it is reported as a finding and then carried out with the caller's
 * arguments; one that names no live mapping does nothing, and mapping a table twice is still
 * refused.</li>
 * </ul>
 * In every error case that throws, nothing changes: not the IOVA space, page tables, bounce pool
 * or the record of live mappings.
 *
 * <h2>Swaps</h2>
 * While the device is being swapped, its driver is released first (the static reference goes);
 * during that release, calls that would create something ({@code map*}, {@link #allocCoherent})
 * fail at once with a {@link DmaUsageException} saying the device is being swapped, and calls
 * that release or sync pass, so a release that waits for its own in-flight calls completes.
 * Once the release returned, every call on this object throws (it is stale), and device
 * accesses through its {@link #busMaster()} are refused.
 *
 * <h2>Threads</h2>
 * Thread-safe: a driver may call every method from any number of threads at once, as Linux
 * drivers call the DMA API from several CPUs and interrupt context. Concurrent calls on
 * <em>distinct</em> mappings and buffers (maps, unmaps, syncs, coherent allocations and frees,
 * CPU-view and bus-master accesses) are independent: each completes as it would alone, no
 * mapping is lost or counted twice, and two mappings live at once never share a DMA address
 * range on a backend that isolates devices. Calls on the <em>same</em> mapping are the
 * driver's to order, as in Linux: an unmap that races a sync or another unmap of one mapping
 * is a driver bug, which the checker reports as whichever misuse the interleaving produced
 * (for example a sync of a mapping no longer live). An {@link SgTable} is not thread-safe:
 * one table belongs to one call at a time. Tested with two threads per device on every
 * built-in backend.
 */
@ProviderType
public interface DmaApi {
    /** Service property: the device name. */
    String DEVICE_PROPERTY = "iommulab.device";
    /** Service property: the name of the backend the device is bound to. */
    String BACKEND_PROPERTY = "iommulab.backend";

    /** The device this API maps for. */
    DeviceDescriptor device();

    /** Name of the backend serving this API instance. */
    String backendName();

    /**
     * The driver's CPU view of memory: the "kernel virtual address" accesses of the driver, at
     * physical addresses. The checker watches it (for example a CPU touch of a streaming buffer
     * the device owns); use it, not raw physical memory, for a driver's PIO and buffer filling.
     */
    MemoryAccess cpu();

    /**
     * The device's bus master as this driver holds it: the handle to give the device model the
     * driver programs (its rings, queues, descriptor tables). Every access through it carries
     * the binding generation of this DmaApi. After the driver is released (a swap or unbind),
     * its accesses are refused before any translation: they reach no memory on any backend,
     * raise a {@link org.iommulab.api.platform.FaultKind#DMA_AFTER_RELEASE} fault with the
     * device and address, and a checker finding, as a device that keeps doing DMA after its
     * driver's remove would be caught. The new driver gets a new handle from its new DmaApi.
     * The same object on every call; allocates nothing per access.
     */
    BusMaster busMaster();

    // ---- masks and limits ------------------------------------------------------------------

    /**
     * Linux {@code dma_set_mask}: 0 on success, {@link DmaErrno#EIO} when the backend cannot
     * support it ({@code dma_supported}).
     *
     * @throws IllegalArgumentException when {@code mask} is not 2^n-1 for n in 1..64
     */
    int setMask(long mask);

    /** Linux {@code dma_set_coherent_mask}; same contract as {@link #setMask}. */
    int setCoherentMask(long mask);

    /** Linux {@code dma_set_mask_and_coherent}. */
    default int setMaskAndCoherent(long mask) {
        int rc = setMask(mask);
        return rc == 0 ? setCoherentMask(mask) : rc;
    }

    /** Linux {@code dma_get_mask}. */
    long mask();

    /** The coherent mask, {@code dev->coherent_dma_mask}. */
    long coherentMask();

    /** Linux {@code dma_get_required_mask}: the smallest mask that reaches all memory the backend may hand out. */
    long requiredMask();

    /** Linux {@code dma_max_mapping_size}: the largest single mapping the backend can make. */
    long maxMappingSize();

    /** Linux {@code dma_opt_mapping_size}: the largest size that stays on the fast path. */
    long optMappingSize();

    /** Linux {@code dma_get_max_seg_size}. */
    default long maxSegmentSize() {
        return device().maxSegmentSize();
    }

    /** Linux {@code dma_get_seg_boundary}. */
    default long segmentBoundary() {
        return device().segmentBoundaryMask();
    }

    // ---- single mappings -------------------------------------------------------------------

    /**
     * Linux {@code dma_map_page_attrs}: maps {@code size} bytes at {@code offset} in the page(s)
     * starting at {@code pagePhys}. Returns the DMA address or {@link DmaMasks#MAPPING_ERROR},
     * which the caller must test with {@link #mappingError}.
     */
    long mapPage(long pagePhys, long offset, long size, DmaDirection dir, int attrs);

    /** Linux {@code dma_unmap_page_attrs}: {@code size} and {@code dir} must equal the mapping's. */
    void unmapPage(long dmaAddr, long size, DmaDirection dir, int attrs);

    /** Linux {@code dma_map_phys} (and {@code dma_map_single} of a buffer at {@code phys}). */
    long mapPhys(long phys, long size, DmaDirection dir, int attrs);

    /** Linux {@code dma_unmap_phys}. */
    void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs);

    /** Linux {@code dma_map_resource}: maps MMIO, never bounced. */
    long mapResource(long phys, long size, DmaDirection dir, int attrs);

    /** Linux {@code dma_unmap_resource}. */
    void unmapResource(long dmaAddr, long size, DmaDirection dir, int attrs);

    /**
     * Linux {@code dma_mapping_error}: true when {@code dmaAddr} is the mapping-error value. The
     * checker records that the driver checked, as dma-debug does ("failed to check map error").
     */
    boolean mappingError(long dmaAddr);

    // ---- scatter-gather --------------------------------------------------------------------

    /**
     * Linux {@code dma_map_sg_attrs}: maps the first {@code nents} CPU entries and returns the
     * number of DMA segments, which may be fewer than {@code nents}, or 0 on failure.
     */
    int mapSg(SgTable sg, int nents, DmaDirection dir, int attrs);

    /** Linux {@code dma_unmap_sg_attrs}: {@code nents} is the count passed to map, not the count it returned. */
    void unmapSg(SgTable sg, int nents, DmaDirection dir, int attrs);

    /**
     * Linux {@code dma_map_sgtable}: maps all {@code origNents} entries, sets {@code nents}, and
     * returns 0 or {@link DmaErrno#EINVAL}, {@link DmaErrno#ENOMEM}, {@link DmaErrno#EIO} or
     * {@link DmaErrno#EREMOTEIO}.
     */
    int mapSgtable(SgTable sgt, DmaDirection dir, int attrs);

    /** Linux {@code dma_unmap_sgtable}. */
    default void unmapSgtable(SgTable sgt, DmaDirection dir, int attrs) {
        unmapSg(sgt, sgt.origNents(), dir, attrs);
    }

    // ---- sync --------------------------------------------------------------------------------

    /** Linux {@code dma_sync_single_for_cpu}: {@code [dmaAddr, dmaAddr+size)} inside one mapping. */
    void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir);

    /** Linux {@code dma_sync_single_for_device}. */
    void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir);

    /** Linux {@code dma_sync_single_range_for_cpu}. */
    default void syncSingleRangeForCpu(long dmaAddr, long offset, long size, DmaDirection dir) {
        syncSingleForCpu(dmaAddr + offset, size, dir);
    }

    /** Linux {@code dma_sync_single_range_for_device}. */
    default void syncSingleRangeForDevice(long dmaAddr, long offset, long size, DmaDirection dir) {
        syncSingleForDevice(dmaAddr + offset, size, dir);
    }

    /** Linux {@code dma_sync_sg_for_cpu}: {@code nents} is the original count. */
    void syncSgForCpu(SgTable sg, int nents, DmaDirection dir);

    /** Linux {@code dma_sync_sg_for_device}. */
    void syncSgForDevice(SgTable sg, int nents, DmaDirection dir);

    /** Linux {@code dma_sync_sgtable_for_cpu}. */
    default void syncSgtableForCpu(SgTable sgt, DmaDirection dir) {
        syncSgForCpu(sgt, sgt.origNents(), dir);
    }

    /** Linux {@code dma_sync_sgtable_for_device}. */
    default void syncSgtableForDevice(SgTable sgt, DmaDirection dir) {
        syncSgForDevice(sgt, sgt.origNents(), dir);
    }

    // ---- coherent ----------------------------------------------------------------------------

    /**
     * Linux {@code dma_alloc_attrs}: a zeroed buffer both CPU and device see without syncs,
     * within the coherent mask; null when it cannot be had.
     */
    CoherentAllocation allocCoherent(long size, int attrs);

    /** Linux {@code dma_alloc_coherent}. */
    default CoherentAllocation allocCoherent(long size) {
        return allocCoherent(size, DmaAttrs.NONE);
    }

    /** Linux {@code dma_free_coherent}: size, CPU address and handle must be the allocation's. */
    void freeCoherent(long size, long cpuAddress, long dmaHandle);

    /** Frees {@code buf} as {@link #freeCoherent(long, long, long)} with its own fields. */
    default void freeCoherent(CoherentAllocation buf) {
        if (buf == null) {
            throw new IllegalArgumentException("coherent allocation must not be null");
        }
        freeCoherent(buf.size(), buf.cpuAddress(), buf.dmaHandle());
    }

    /**
     * Enables message-signalled interrupts for the device, as far as DMA is concerned: what
     * Linux's {@code pci_alloc_irq_vectors(..., PCI_IRQ_MSI | PCI_IRQ_MSIX)} does through the
     * interrupt controller's {@code iommu_dma_prepare_msi}. The platform's MSI doorbell is made
     * reachable by the device's writes (behind an IOMMU its page is mapped into the device's
     * domain, at an IOVA from the same allocator as every mapping, once per domain) and the
     * address the device writes to signal is returned. A PCI driver calls it in its probe, before
     * its first mapping, as Linux drivers do. Calling it again returns the same address.
     *
     * @return the MSI message address, or {@link DmaMasks#MAPPING_ERROR} when the doorbell could
     *         not be mapped
     * @throws UnsupportedOperationException when this DMA API has no interrupt controller (the
     *         default)
     */
    default long enableMsi() {
        throw new UnsupportedOperationException("this DMA API has no MSI doorbell");
    }
}
