package org.iommulab.swiotlb.internal.direct;


import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaErrno;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.swiotlb.SwiotlbPool;

/**
 * Linux dma-direct for one device ({@code kernel/dma/direct.h}, {@code direct.c}): the DMA
 * address is {@code phys_to_dma}; a buffer the device cannot reach bounces through the swiotlb
 * pool when there is one ({@code dma_direct_map_phys}); with {@code forceBounce} every
 * streaming mapping bounces, Linux's {@code swiotlb=force} ({@code is_swiotlb_force_bounce}).
 *
 * <p>CPU cache maintenance for non-coherent devices ({@code arch_sync_dma_for_device/cpu}) has
 * no effect here: the simulated memory has no caches. The platform has checked the arguments.
 */
final class DirectOps implements DmaOps {
    private final DmaDevice dev;
    private final DmaRangeMap map;
    private final PoolsInUse pools;
    private final boolean forceBounce;
    private final BounceCounters counters;
    private final CoherentAllocator coherent;
    private volatile boolean detached;

    DirectOps(DmaDevice dev, DmaRangeMap map, PoolsInUse pools, boolean forceBounce,
            BounceCounters counters) {
        this.dev = dev;
        this.map = map;
        this.pools = pools;
        this.forceBounce = forceBounce;
        this.counters = counters;
        this.coherent = new CoherentAllocator(dev, map);
    }

    void detach() {
        detached = true;
    }

    private void checkAttached() {
        if (detached) {
            throw new IllegalStateException(dev.name() + " is detached from this backend");
        }
    }

    private long busLimit() {
        return dev.descriptor().busDmaLimit();
    }

    // ---- single mappings ---------------------------------------------------------------------

    /** Linux {@code dma_direct_map_phys}. */
    @Override
    public long mapPhys(long phys, long size, DmaDirection dir, int attrs) {
        checkAttached();
        if (DmaAttrs.has(attrs, DmaAttrs.MMIO)) {
            return mapResource(phys, size, dir, attrs);
        }
        long dmaAddr = map.physToDma(phys);
        if (forceBounce) {
            if (!pfnValid(phys, size)) {
                return error(attrs, String.format("swiotlb: cannot bounce 0x%x+%d: not RAM", phys, size));
            }
            return swiotlbMap(pools.current(), phys, size, dir, attrs);
        }
        if (!DirectLimits.dmaCapable(dmaAddr, size, dev.dmaMask(), busLimit()) || kmallocNeedsBounce(size, dir)) {
            if (!pfnValid(phys, size)) {
                return error(attrs, String.format("DMA addr 0x%016x+%d overflow (mask %x, bus limit %x).",
                        dmaAddr, size, dev.dmaMask(), busLimit()));
            }
            SwiotlbPool pool = pools.current();
            if (pool != null) {
                return swiotlbMap(pool, phys, size, dir, attrs);
            }
            return error(attrs, String.format("DMA addr 0x%016x+%d overflow (mask %x, bus limit %x).",
                    dmaAddr, size, dev.dmaMask(), busLimit()));
        }
        return dmaAddr;
    }

    /**
     * Linux {@code pfn_valid(PHYS_PFN(phys))}: only RAM can be bounced. Linux looks at the
     * first page; here the whole buffer must lie in one RAM region, since the simulated memory
     * copies within one region only.
     */
    private boolean pfnValid(long phys, long size) {
        return dev.memory().isRam(phys, size);
    }

    /**
     * Linux {@code dma_kmalloc_needs_bounce}: a small kmalloc buffer of a non-coherent device
     * that the device may write, whose kmalloc size class is not a multiple of the cache line
     * (it would share a cache line with another object).
     */
    private boolean kmallocNeedsBounce(long size, DmaDirection dir) {
        boolean safe = dev.descriptor().coherent() || dir == DmaDirection.TO_DEVICE; // dma_kmalloc_safe
        return !safe && !kmallocSizeAligned(size);
    }

    /** arm64's {@code ARCH_DMA_MINALIGN}. */
    private static final long ARCH_DMA_MINALIGN = 128;
    /** {@code dma_get_cache_alignment()}: the cache line. */
    private static final long CACHE_LINE = 64;

    /**
     * Linux {@code dma_kmalloc_size_aligned}. This platform's kmalloc classes are powers of two
     * of at least {@code KMALLOC_MIN_ALIGN} (64, the cache line), so the class is always cache
     * aligned and no kmalloc buffer bounces for this reason; the test is kept so that a
     * platform with smaller classes would bounce as Linux does.
     */
    private static boolean kmallocSizeAligned(long size) {
        long kmallocClass = Math.max(PageAllocator.KMALLOC_MIN_ALIGN, Long.highestOneBit(size - 1) << 1);
        return size >= 2 * ARCH_DMA_MINALIGN || kmallocClass % CACHE_LINE == 0;
    }

    /**
     * Linux {@code swiotlb_map}: bounce, then re-check that the bounce buffer is reachable. The
     * bytes copied in are counted only when the bounce stands: one undone because the device
     * cannot reach the slot is no bounce.
     */
    private long swiotlbMap(SwiotlbPool pool, long phys, long size, DmaDirection dir, int attrs) {
        if (pool == null) {
            return error(attrs, "Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer");
        }
        long tlbAddr = pool.map(dev, phys, size, 0, dir, attrs);
        if (tlbAddr == DmaMasks.MAPPING_ERROR) {
            return DmaMasks.MAPPING_ERROR;
        }
        long dmaAddr = map.physToDma(tlbAddr);
        if (!DirectLimits.dmaCapable(dmaAddr, size, dev.dmaMask(), busLimit())) {
            pool.unmap(dev, tlbAddr, size, dir, attrs | DmaAttrs.SKIP_CPU_SYNC);
            return error(attrs, String.format("swiotlb addr 0x%016x+%d overflow (mask %x, bus limit %x).",
                    dmaAddr, size, dev.dmaMask(), busLimit()));
        }
        pools.mapped(pool);
        counters.copiedToDevice(size);
        counters.bounced();
        return dmaAddr;
    }

    private long error(int attrs, String message) {
        if (!DmaAttrs.has(attrs, DmaAttrs.NO_WARN)) {
            dev.warn(message);
        }
        return DmaMasks.MAPPING_ERROR;
    }

    /** Linux {@code dma_direct_unmap_phys}: sync for the CPU unless skipped, then free the bounce slots. */
    @Override
    public void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs) {
        if (DmaAttrs.has(attrs, DmaAttrs.MMIO)) {
            return;
        }
        long phys = map.dmaToPhys(dmaAddr);
        if (!DmaAttrs.has(attrs, DmaAttrs.SKIP_CPU_SYNC)) {
            syncSingleForCpu(dmaAddr, size, dir);
        }
        SwiotlbPool pool = pools.owner(phys);
        if (pool != null) {
            pool.unmap(dev, phys, size, dir, attrs | DmaAttrs.SKIP_CPU_SYNC);
        }
    }

    /**
     * Linux {@code dma_direct_map_resource}: MMIO is never bounced; its bus address is its
     * physical address, which must be within the mask.
     */
    @Override
    public long mapResource(long phys, long size, DmaDirection dir, int attrs) {
        checkAttached();
        if (!DirectLimits.dmaCapable(phys, size, dev.dmaMask(), busLimit())) {
            return error(attrs, String.format("DMA addr 0x%016x+%d overflow (mask %x, bus limit %x).",
                    phys, size, dev.dmaMask(), busLimit()));
        }
        return phys;
    }

    /** Linux {@code dma_unmap_resource} on dma-direct: nothing to do (uncached, no swiotlb). */
    @Override
    public void unmapResource(long dmaAddr, long size, DmaDirection dir, int attrs) {
    }

    // ---- scatter-gather ----------------------------------------------------------------------

    /**
     * Linux {@code dma_direct_map_sg}: one DMA segment per entry, never merged. On failure the
     * entries mapped so far are unmapped with SKIP_CPU_SYNC and -EIO returned, every DMA slot
     * invalidated.
     */
    @Override
    public int mapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        checkAttached();
        for (int i = 0; i < nents; i++) {
            long dmaAddr = mapPhys(sg.cpuPhys(i), sg.cpuLength(i), dir, attrs);
            if (dmaAddr == DmaMasks.MAPPING_ERROR) {
                unmapEntries(sg, i, dir, attrs | DmaAttrs.SKIP_CPU_SYNC);
                sg.invalidateDma();
                return DmaErrno.EIO;
            }
            sg.setDmaSegment(i, dmaAddr, sg.cpuLength(i));
        }
        sg.setNents(nents);
        return nents;
    }

    /** Linux {@code dma_direct_unmap_sg}; then withdraws the table's DMA view so it can be reused. */
    @Override
    public void unmapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        unmapEntries(sg, nents, dir, attrs);
        sg.invalidateDma();
    }

    private void unmapEntries(SgTable sg, int count, DmaDirection dir, int attrs) {
        for (int i = 0; i < count; i++) {
            unmapPhys(sg.dmaAddressField(i), sg.dmaLengthField(i), dir, attrs);
        }
    }

    // ---- sync --------------------------------------------------------------------------------

    /** Linux {@code dma_direct_sync_single_for_cpu}. */
    @Override
    public void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir) {
        long phys = map.dmaToPhys(dmaAddr);
        SwiotlbPool pool = pools.owner(phys);
        if (pool != null) {
            counters.copiedFromDevice(pool.syncForCpu(dev, phys, size, dir));
        }
    }

    /** Linux {@code dma_direct_sync_single_for_device}. */
    @Override
    public void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir) {
        long phys = map.dmaToPhys(dmaAddr);
        SwiotlbPool pool = pools.owner(phys);
        if (pool != null) {
            counters.copiedToDevice(pool.syncForDevice(dev, phys, size, dir));
        }
    }

    /** Linux {@code dma_direct_sync_sg_for_cpu}: each entry at its DMA address, for its CPU length. */
    @Override
    public void syncSgForCpu(SgTable sg, int nents, DmaDirection dir) {
        for (int i = 0; i < nents; i++) {
            syncSingleForCpu(sg.dmaAddressField(i), sg.cpuLength(i), dir);
        }
    }

    /** Linux {@code dma_direct_sync_sg_for_device}. */
    @Override
    public void syncSgForDevice(SgTable sg, int nents, DmaDirection dir) {
        for (int i = 0; i < nents; i++) {
            syncSingleForDevice(sg.dmaAddressField(i), sg.cpuLength(i), dir);
        }
    }

    // ---- coherent ----------------------------------------------------------------------------

    @Override
    public CoherentAllocation allocCoherent(long size, int attrs) {
        checkAttached();
        return coherent.alloc(size, attrs);
    }

    @Override
    public void freeCoherent(CoherentAllocation buffer) {
        coherent.free(buffer);
    }

    // ---- limits ------------------------------------------------------------------------------

    @Override
    public boolean dmaSupported(long mask) {
        return DirectLimits.supported(mask, map, dev.memory().regions());
    }

    @Override
    public long requiredMask() {
        return DirectLimits.requiredMask(map, dev.memory().regions());
    }

    /**
     * Linux {@code dma_direct_max_mapping_size}: the swiotlb limit when bouncing may happen
     * (forced, or the device cannot reach all RAM and the pool is there), else unlimited.
     */
    @Override
    public long maxMappingSize() {
        SwiotlbPool pool = pools.current();
        if (pool != null && (forceBounce || addressingLimited())) {
            return pool.maxMappingSize(dev);
        }
        return Long.MAX_VALUE;
    }

    /** Linux {@code dma_addressing_limited} for a dma-direct device. */
    private boolean addressingLimited() {
        long reach = DmaMasks.minNotZero(dev.dmaMask(), busLimit());
        if (Long.compareUnsigned(reach, requiredMask()) < 0) {
            return true;
        }
        return !map.coversAllRam(dev.memory().regions());
    }

    /** Linux {@code dma_opt_mapping_size}: dma-direct has no preference below the maximum. */
    @Override
    public long optMappingSize() {
        return maxMappingSize();
    }
}
