package org.iommulab.api.swiotlb;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.DmaDirection;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The swiotlb bounce-buffer pool, Linux {@code kernel/dma/swiotlb.c}: 2 KiB slots
 * ({@code IO_TLB_SHIFT} 11) in simulated physical memory below 4 GiB, grouped in segments of
 * 128 slots ({@code IO_TLB_SEGSIZE}), searched per area with one lock per area.
 *
 * <p>Addresses in and out are physical: {@code orig} is the driver's buffer, the returned
 * bounce address is where the device must be pointed (through {@code phys_to_dma} or an
 * IOMMU mapping). Copies follow Linux exactly:
 * <table>
 * <caption>bounce copies</caption>
 * <tr><th>operation</th><th>copy</th></tr>
 * <tr><td>map (every direction)</td><td>always original to bounce (the CVE-2022-0854 fix)</td></tr>
 * <tr><td>unmap</td><td>bounce to original iff FROM_DEVICE or BIDIRECTIONAL and not SKIP_CPU_SYNC</td></tr>
 * <tr><td>sync for device</td><td>original to bounce iff TO_DEVICE or BIDIRECTIONAL</td></tr>
 * <tr><td>sync for CPU</td><td>bounce to original iff FROM_DEVICE or BIDIRECTIONAL</td></tr>
 * </table>
 *
 * <p>Errors: bad input (null device or direction, {@link DmaDirection#NONE}, a non-positive
 * or overflowing size, an original outside RAM, an alignment mask that is not 0 or 2^n-1,
 * unknown attribute bits) throws {@link IllegalArgumentException}; unmapping or syncing an
 * address that is not a live bounce buffer throws
 * {@link org.iommulab.api.dma.DmaUsageException}. Either way nothing changes. A map the pool
 * cannot satisfy (full, or larger than a segment) returns
 * {@link org.iommulab.api.dma.DmaMasks#MAPPING_ERROR} with Linux's "swiotlb buffer is full"
 * warning through {@link DmaDevice#warn} (not under {@code DMA_ATTR_NO_WARN}), nothing left
 * allocated. Map, unmap and sync allocate nothing.
 */
@ProviderType
public interface SwiotlbPool {
    /** Linux {@code IO_TLB_SHIFT}: log2 of the slot size. */
    int IO_TLB_SHIFT = 11;
    /** Linux {@code IO_TLB_SIZE}: one slot, 2 KiB. */
    int IO_TLB_SIZE = 1 << IO_TLB_SHIFT;
    /** Linux {@code IO_TLB_SEGSIZE}: slots per segment; no allocation spans two segments. */
    int IO_TLB_SEGSIZE = 128;

    /**
     * Linux {@code swiotlb_tbl_map_single}: takes slots for {@code size} bytes at {@code orig}
     * and copies the original into them (whatever the direction). {@code allocAlignMask} (0 or
     * 2^n-1) is the alignment of the allocation's start, iommu-dma passes {@code granule-1}.
     * The returned bounce address keeps the bits of {@code orig} under the device's
     * {@code min_align_mask}.
     *
     * @return the bounce buffer's physical address, or {@code MAPPING_ERROR}
     */
    long map(DmaDevice dev, long orig, long size, long allocAlignMask, DmaDirection dir, int attrs);

    /**
     * As {@link #map}, then zeroes the allocation's padding around the mapped bytes: from the
     * allocation's start to the bounce address, and from its end to the end of the aligned
     * allocation ({@code ALIGN(size + offset, allocAlignMask + 1)}). With
     * {@code allocAlignMask = granule - 1} this is what {@code iommu_dma_map_phys} does for an
     * untrusted device, so the device cannot read stale pool bytes next to the buffer.
     */
    long mapZeroPadded(DmaDevice dev, long orig, long size, long allocAlignMask, DmaDirection dir, int attrs);

    /**
     * Linux {@code swiotlb_tbl_unmap_single}: copies back (FROM_DEVICE or BIDIRECTIONAL, unless
     * SKIP_CPU_SYNC) and frees the slots. {@code bounce} must be an address {@link #map}
     * returned and not yet unmapped.
     *
     * @return the number of bytes copied back to the original
     */
    long unmap(DmaDevice dev, long bounce, long size, DmaDirection dir, int attrs);

    /**
     * Linux {@code swiotlb_sync_single_for_cpu}: copies {@code size} bytes at {@code bounce}
     * (anywhere inside a live bounce buffer: partial syncs copy exactly those bytes) back to
     * the original iff FROM_DEVICE or BIDIRECTIONAL.
     *
     * @return the number of bytes copied
     */
    long syncForCpu(DmaDevice dev, long bounce, long size, DmaDirection dir);

    /**
     * Linux {@code swiotlb_sync_single_for_device}: copies the original's bytes to
     * {@code bounce} iff TO_DEVICE or BIDIRECTIONAL; nothing for FROM_DEVICE.
     *
     * @return the number of bytes copied
     */
    long syncForDevice(DmaDevice dev, long bounce, long size, DmaDirection dir);

    /** Linux {@code is_swiotlb_buffer}: true when {@code phys} lies in the pool's memory. */
    boolean isBounce(long phys);

    /**
     * Linux {@code swiotlb_max_mapping_size}: 256 KiB minus {@code min_align_mask} rounded up
     * to a slot.
     */
    long maxMappingSize(DmaDevice dev);

    /**
     * Frees every live bounce buffer mapped for {@code dev} without copying back: for a
     * backend detaching a device whose mappings were not all unmapped.
     *
     * @return the number of bounce buffers freed
     */
    int releaseAll(DmaDevice dev);

    /** A snapshot of the pool's size, occupancy and traffic. */
    SwiotlbStats stats();
}
