package org.iommulab.iommu.dma.internal.dma;

import java.util.ArrayList;
import java.util.List;
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
 * optional service: a new bounce looks it up again and copes with its absence.
 * {@link IommuDmaOps} decides when to bounce and does the IOMMU mapping around it.
 *
 * <p>A bounce buffer belongs to the pool that made it, Linux's {@code swiotlb_find_pool}: its
 * unmap and syncs go to that pool even after the pool's service went away or another pool took
 * its place (the swiotlb-bounce bundle stopped, or restarted), since a closed pool keeps its live
 * buffers and its memory until the last is released. Looking the current service up instead
 * would skip the copy back of a FROM_DEVICE buffer (the driver reads stale bytes) and leave the
 * device mapped onto pages the allocator hands to someone else.
 */
final class IommuDmaBounce {
    /** A pool this device's live bounce buffers are in, and how many. Guarded by the bounce's lock. */
    private static final class PoolUse {
        final SwiotlbPool pool;
        int live;

        PoolUse(SwiotlbPool pool) {
            this.pool = pool;
        }
    }

    /** Linux {@code IO_TLB_SIZE * IO_TLB_SEGSIZE}: swiotlb's largest mapping, for untrusted devices. */
    private static final long SWIOTLB_MAX = (long) SwiotlbPool.IO_TLB_SIZE * SwiotlbPool.IO_TLB_SEGSIZE;

    private final DmaDevice dev;
    private final Supplier<SwiotlbPool> pool;
    private final DmaCounters counters;
    private final boolean untrusted;
    private final long granule;
    private volatile boolean warnedBounce;
    /** The pools holding this device's live bounce buffers (one, two while a pool is replaced). */
    private final List<PoolUse> pools = new ArrayList<>(2);

    IommuDmaBounce(DmaDevice dev, Supplier<SwiotlbPool> pool, DmaCounters counters, boolean untrusted, long granule) {
        this.dev = dev;
        this.pool = pool;
        this.counters = counters;
        this.untrusted = untrusted;
        this.granule = granule;
    }

    /**
     * Linux {@code iommu_dma_map_swiotlb}: bounces with the padding zeroed for untrusted devices.
     * Not counted here: the caller counts it ({@link #counted}) once the IOMMU mapping exists.
     */
    long map(long phys, long size, DmaDirection dir, int attrs) {
        SwiotlbPool p = pool.get();
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
            took(p);
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
        SwiotlbPool p = poolOf(bounce);
        if (p != null) {
            p.unmap(dev, bounce, size, dir, attrs | DmaAttrs.SKIP_CPU_SYNC);
            gave(p);
        }
    }

    /** Linux {@code swiotlb_tbl_unmap_single}, which does nothing for a buffer that was not bounced. */
    void unmap(long phys, long size, DmaDirection dir, int attrs) {
        if (!untrusted) {
            return;
        }
        SwiotlbPool p = poolOf(phys);
        if (p != null) {
            counters.bouncedFromDevice.add(p.unmap(dev, phys, size, dir, attrs));
            gave(p);
        }
    }

    /** The swiotlb part of {@code iommu_dma_sync_single_for_cpu}; {@code phys} 0 means not mapped. */
    void syncForCpu(long phys, long size, DmaDirection dir) {
        SwiotlbPool p = phys == 0 ? null : poolOf(phys);
        if (p != null) {
            counters.bouncedFromDevice.add(p.syncForCpu(dev, phys, size, dir));
        }
    }

    /** The swiotlb part of {@code iommu_dma_sync_single_for_device}; {@code phys} 0 means not mapped. */
    void syncForDevice(long phys, long size, DmaDirection dir) {
        SwiotlbPool p = phys == 0 ? null : poolOf(phys);
        if (p != null) {
            counters.bouncedToDevice.add(p.syncForDevice(dev, phys, size, dir));
        }
    }

    /**
     * Frees every bounce buffer still held for the device, without copying back, in every pool
     * that holds one (a detach with mappings left).
     */
    void releaseAll() {
        List<SwiotlbPool> holding = new ArrayList<>();
        synchronized (pools) {
            for (PoolUse u : pools) {
                holding.add(u.pool);
            }
            pools.clear();
        }
        SwiotlbPool now = pool.get();
        if (now != null && !holding.contains(now)) {
            holding.add(now);
        }
        for (SwiotlbPool p : holding) {
            p.releaseAll(dev);
        }
    }

    /** Linux {@code swiotlb_find_pool}: the pool whose live buffer {@code phys} is in, or null. */
    private SwiotlbPool poolOf(long phys) {
        synchronized (pools) {
            for (PoolUse u : pools) {
                if (u.pool.isBounce(phys)) {
                    return u.pool;
                }
            }
        }
        return null;
    }

    private void took(SwiotlbPool p) {
        synchronized (pools) {
            for (PoolUse u : pools) {
                if (u.pool == p) {
                    u.live++;
                    return;
                }
            }
            PoolUse u = new PoolUse(p);
            u.live = 1;
            pools.add(u);
        }
    }

    /** One buffer of {@code p} went back; a pool with none of this device's buffers is forgotten. */
    private void gave(SwiotlbPool p) {
        synchronized (pools) {
            for (int i = 0; i < pools.size(); i++) {
                PoolUse u = pools.get(i);
                if (u.pool == p) {
                    if (--u.live <= 0) {
                        pools.remove(i);
                    }
                    return;
                }
            }
        }
    }

    /**
     * The untrusted branch of Linux {@code iommu_dma_max_mapping_size}: the pool's limit, or
     * swiotlb's default limit less the alignment padding while no pool is registered.
     */
    long maxMappingSize() {
        SwiotlbPool p = pool.get();
        if (p != null) {
            return p.maxMappingSize(dev);
        }
        long minAlign = dev.descriptor().minAlignMask();
        long pad = minAlign == 0 ? 0 : ((minAlign + SwiotlbPool.IO_TLB_SIZE - 1) & -SwiotlbPool.IO_TLB_SIZE) + 1;
        return SWIOTLB_MAX - pad;
    }
}
