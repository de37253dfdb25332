package org.iommulab.iommu.dma.internal.dma;

import java.util.function.Supplier;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.swiotlb.SwiotlbPool;

/**
 * The swiotlb half of iommu-dma: bouncing of untrusted devices' unaligned buffers, Linux
 * {@code dev_use_swiotlb} with {@code iommu_dma_map_swiotlb}, {@code swiotlb_tbl_unmap_single},
 * the bounce copies of {@code iommu_dma_sync_single_for_*} and the swiotlb limit of
 * {@code iommu_dma_max_mapping_size} ({@code drivers/iommu/dma-iommu.c}). The pool is an
 * optional service, so every call looks it up again and copes with its absence.
 * {@link IommuDmaOps} decides when to bounce and does the IOMMU mapping around it.
 */
final class IommuDmaBounce {
    /** Linux {@code IO_TLB_SIZE * IO_TLB_SEGSIZE}: swiotlb's largest mapping, for untrusted devices. */
    private static final long SWIOTLB_MAX = (long) SwiotlbPool.IO_TLB_SIZE * SwiotlbPool.IO_TLB_SEGSIZE;

    private final DmaDevice dev;
    private final PoolsInUse pools;
    private final DmaCounters counters;
    private final boolean untrusted;
    private final long granule;
    private volatile boolean warnedBounce;

    IommuDmaBounce(DmaDevice dev, Supplier<SwiotlbPool> pool, DmaCounters counters, boolean untrusted, long granule) {
        this.dev = dev;
        this.pools = new PoolsInUse(pool);
        this.counters = counters;
        this.untrusted = untrusted;
        this.granule = granule;
    }

    /**
     * Linux {@code iommu_dma_map_swiotlb}: bounces with the padding zeroed for untrusted devices.
     * Not counted here: the caller counts it ({@link #counted}) once the IOMMU mapping exists.
     */
    long map(long phys, long size, DmaDirection dir, int attrs) {
        SwiotlbPool p = pools.current();
        if (p == null) {
            if (!warnedBounce && (attrs & DmaAttrs.NO_WARN) == 0) {
                warnedBounce = true;
                dev.warn("DMA bounce buffers are inactive, unable to map unaligned transaction."
                        + " (no swiotlb pool service is registered: untrusted device " + dev.name()
                        + " cannot map a buffer that is not aligned to the " + granule + "-byte IOMMU granule)");
            }
            return DmaMasks.MAPPING_ERROR;
        }
        long bounce = p.mapZeroPadded(dev, phys, size, granule - 1, dir, attrs);
        if (bounce != DmaMasks.MAPPING_ERROR) {
            pools.mapped(p);
        }
        return bounce;
    }

    /** Counts a bounce that became a mapping: the pool copied {@code size} bytes in at {@link #map}. */
    void counted(long size) {
        counters.bouncedMappings.increment();
        counters.bouncedToDevice.add(size);
    }

    /**
     * The error path of Linux {@code iommu_dma_map_phys}: {@code swiotlb_tbl_unmap_single(dev,
     * phys, size, dir, attrs)} after the IOMMU mapping failed; SKIP_CPU_SYNC here because the
     * bounce buffer holds only what {@link #map} copied in.
     */
    void unmapAfterFailedMap(long bounce, long size, DmaDirection dir, int attrs) {
        SwiotlbPool p = pools.owner(bounce);
        if (p != null) {
            p.unmap(dev, bounce, size, dir, attrs | DmaAttrs.SKIP_CPU_SYNC);
        }
    }

    /** Linux {@code swiotlb_tbl_unmap_single}, which does nothing for a buffer that was not bounced. */
    void unmap(long phys, long size, DmaDirection dir, int attrs) {
        if (!untrusted) {
            return;
        }
        SwiotlbPool p = pools.owner(phys);
        if (p != null) {
            counters.bouncedFromDevice.add(p.unmap(dev, phys, size, dir, attrs));
        }
    }

    /** The swiotlb part of {@code iommu_dma_sync_single_for_cpu}; {@code phys} 0 means not mapped. */
    void syncForCpu(long phys, long size, DmaDirection dir) {
        SwiotlbPool p = phys == 0 ? null : pools.owner(phys);
        if (p != null) {
            counters.bouncedFromDevice.add(p.syncForCpu(dev, phys, size, dir));
        }
    }

    /** The swiotlb part of {@code iommu_dma_sync_single_for_device}; {@code phys} 0 means not mapped. */
    void syncForDevice(long phys, long size, DmaDirection dir) {
        SwiotlbPool p = phys == 0 ? null : pools.owner(phys);
        if (p != null) {
            counters.bouncedToDevice.add(p.syncForDevice(dev, phys, size, dir));
        }
    }

    /** Frees every bounce buffer still held for the device, in whichever pool it lives (for detach). */
    int releaseAll() {
        return pools.releaseAll(dev);
    }

    /**
     * The untrusted branch of Linux {@code iommu_dma_max_mapping_size}: the pool's limit, or
     * swiotlb's default limit less the alignment padding while no pool is registered.
     */
    long maxMappingSize() {
        SwiotlbPool p = pools.current();
        if (p != null) {
            return p.maxMappingSize(dev);
        }
        long minAlign = dev.descriptor().minAlignMask();
        long pad = minAlign == 0 ? 0 : ((minAlign + SwiotlbPool.IO_TLB_SIZE - 1) & -SwiotlbPool.IO_TLB_SIZE) + 1;
        return SWIOTLB_MAX - pad;
    }
}
