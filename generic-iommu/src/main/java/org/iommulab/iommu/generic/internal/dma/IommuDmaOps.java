package org.iommulab.iommu.generic.internal.dma;

import java.util.function.Supplier;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.DmaRange;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.iommu.generic.internal.iova.IovaCaches;
import org.iommulab.iommu.generic.internal.iova.IovaDomain;
import org.iommulab.swiotlb.SwiotlbPool;

/**
 * iommu-dma for one device, Linux {@code drivers/iommu/dma-iommu.c}: the device's DMA ops over
 * its IOMMU domain, with the IOVA allocator ({@link IovaCaches} in front of an
 * {@link IovaDomain}), strict or lazy (flush-queue) invalidation, and swiotlb bouncing of
 * untrusted devices' unaligned buffers. Construction is {@code iommu_dma_init_domain}; the
 * scatter-gather half lives in {@link IommuDmaSg}.
 *
 * <p>Model notes: CPU cache maintenance ({@code arch_sync_dma_for_*}) has no effect in this
 * platform, so only the swiotlb copies of syncs remain. Bouncing follows
 * {@code dev_use_swiotlb} for untrusted devices; the kmalloc-alignment bounce of non-coherent
 * devices ({@code dma_kmalloc_needs_bounce}) is not modelled. Thread-safe: the IOVA allocator,
 * domain and flush queue lock for themselves; per-call scratch is per thread.
 */
final class IommuDmaOps implements DmaOps {
    /** Linux {@code IO_TLB_SIZE * IO_TLB_SEGSIZE}: swiotlb's largest mapping, for untrusted devices. */
    private static final long SWIOTLB_MAX = (long) SwiotlbPool.IO_TLB_SIZE * SwiotlbPool.IO_TLB_SEGSIZE;

    private final DmaDevice dev;
    private final IommuDomain domain;
    private final IovaDomain iovad;
    private final IovaCaches caches;
    private final FlushQueue fq;
    private final Supplier<SwiotlbPool> pool;
    private final DmaCounters counters;
    private final boolean coherent;
    private final boolean untrusted;
    private final int shift;
    private final long granule;
    private final IommuDmaSg sg;
    private final ThreadLocal<IotlbGather> gathers = ThreadLocal.withInitial(IotlbGather::new);
    private volatile boolean pci32BitWorkaround;
    private volatile boolean warnedAlignment;
    private volatile boolean warnedBounce;

    private IommuDmaOps(DmaDevice dev, IommuDomain domain, boolean lazy, IommuDmaSettings settings,
            Supplier<SwiotlbPool> pool, DmaCounters counters, long granule, long basePfn) {
        this.dev = dev;
        this.domain = domain;
        this.pool = pool;
        this.counters = counters;
        this.coherent = dev.descriptor().coherent();
        this.untrusted = !dev.descriptor().trusted();
        this.granule = granule;
        this.shift = Long.numberOfTrailingZeros(granule);
        this.iovad = new IovaDomain(granule, basePfn);
        this.caches = new IovaCaches(iovad, settings.cpus, settings.cpu);
        this.fq = lazy ? new FlushQueue(domain, this::releaseIova, settings.fqSize, settings.fqTimeoutNanos,
                settings.clock, settings.cpus, settings.cpu) : null;
        this.pci32BitWorkaround = dev.descriptor().pci() && !settings.forceDac;
        this.sg = new IommuDmaSg(this);
    }

    /**
     * Linux {@code iommu_dma_init_domain}: the IOVA granule is the smallest page size of the
     * domain, the space starts at {@code max(1, aperture_start >> order)} (IOVA 0 is never
     * used), and a device whose DMA ranges miss the aperture entirely is refused.
     *
     * @param lazy whether the domain is DMA_FQ (the caller checked the driver can defer flushes)
     * @throws IllegalArgumentException with Linux's message when the domain cannot serve the device
     */
    static IommuDmaOps create(DmaDevice dev, IommuDomain domain, boolean lazy, IommuDmaSettings settings,
            Supplier<SwiotlbPool> pool, DmaCounters counters) {
        long bitmap = domain.pgsizeBitmap();
        if (bitmap == 0) {
            throw new IllegalArgumentException("IOMMU domain has no page sizes");
        }
        int order = Long.numberOfTrailingZeros(bitmap);
        if (!dev.descriptor().dmaRanges().isEmpty()) {
            long min = Long.MAX_VALUE;
            long max = 0;
            for (DmaRange r : dev.descriptor().dmaRanges()) {
                min = Math.min(min, r.dmaStart());
                max = Math.max(max, r.dmaStart() + r.size() - 1);
            }
            if (Long.compareUnsigned(min, domain.apertureEnd()) > 0 || Long.compareUnsigned(max, domain.apertureStart()) < 0) {
                throw new IllegalArgumentException("specified DMA range outside IOMMU capability");
            }
        }
        long basePfn = Math.max(1, domain.apertureStart() >>> order);
        return new IommuDmaOps(dev, domain, lazy, settings, pool, counters, 1L << order, basePfn);
    }

    // ---- accessors for the sg half, the binding and tests ----------------------------------------

    DmaDevice device() {
        return dev;
    }

    IommuDomain domain() {
        return domain;
    }

    IovaDomain iovaDomain() {
        return iovad;
    }

    IovaCaches iovaCaches() {
        return caches;
    }

    /** The flush queue, or null in strict mode. */
    FlushQueue flushQueue() {
        return fq;
    }

    boolean untrusted() {
        return untrusted;
    }

    boolean coherent() {
        return coherent;
    }

    long granule() {
        return granule;
    }

    int shift() {
        return shift;
    }

    IotlbGather gather() {
        return gathers.get().reset();
    }

    /** Fires the flush-queue timer if due: every entry point calls it first. */
    void tick() {
        if (fq != null) {
            fq.runTimerIfDue();
        }
    }

    // ---- single mappings ---------------------------------------------------------------------------

    /** Linux {@code dma_info_to_prot}. */
    static int prot(DmaDirection dir, boolean coherent, int attrs) {
        int prot = coherent ? IommuProt.CACHE : 0;
        if ((attrs & DmaAttrs.PRIVILEGED) != 0) {
            prot |= IommuProt.PRIV;
        }
        if ((attrs & DmaAttrs.MMIO) != 0) {
            prot |= IommuProt.MMIO;
        }
        switch (dir) {
            case BIDIRECTIONAL:
                return prot | IommuProt.READ | IommuProt.WRITE;
            case TO_DEVICE:
                return prot | IommuProt.READ;
            case FROM_DEVICE:
                return prot | IommuProt.WRITE;
            default:
                return 0;
        }
    }

    /** Linux {@code iommu_dma_map_phys}. */
    @Override
    public long mapPhys(long phys, long size, DmaDirection dir, int attrs) {
        checkSingle(size, dir);
        tick();
        int prot = prot(dir, coherent, attrs);
        long target = phys;
        boolean bounced = false;
        // "If both the physical buffer start address and size are page aligned, we don't need
        // to use a bounce page."
        if (untrusted && iovad.offset(phys | size) != 0) {
            if ((attrs & DmaAttrs.MMIO) != 0) {
                return DmaMasks.MAPPING_ERROR;
            }
            target = mapSwiotlb(phys, size, dir, attrs);
            if (target == DmaMasks.MAPPING_ERROR) {
                return DmaMasks.MAPPING_ERROR;
            }
            bounced = true;
        }
        long iova = map(target, size, prot, dev.dmaMask(), attrs);
        if (iova == DmaMasks.MAPPING_ERROR && bounced) {
            // Linux swiotlb_tbl_unmap_single(dev, phys, size, dir, attrs); SKIP_CPU_SYNC here
            // because the bounce buffer holds only what map copied in.
            SwiotlbPool p = pool.get();
            if (p != null) {
                p.unmap(dev, target, size, dir, attrs | DmaAttrs.SKIP_CPU_SYNC);
            }
        }
        return iova;
    }

    /** Linux {@code iommu_dma_map_swiotlb}: bounces with the padding zeroed for untrusted devices. */
    private long mapSwiotlb(long phys, long size, DmaDirection dir, int attrs) {
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
        long bounce = p.mapZeroPadded(dev, phys, size, iovad.mask(), dir, attrs);
        if (bounce != DmaMasks.MAPPING_ERROR) {
            counters.bouncedMappings.increment();
            counters.bouncedToDevice.add(size);
        }
        return bounce;
    }

    /** Linux {@code iommu_dma_unmap_phys}. */
    @Override
    public void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs) {
        tick();
        if ((attrs & DmaAttrs.MMIO) != 0) {
            unmap(dmaAddr, size);
            return;
        }
        long phys = domain.iovaToPhys(dmaAddr);
        if (phys == 0) {
            dev.warn(String.format("WARNING: iommu_dma_unmap_phys: 0x%x is not mapped", dmaAddr));
            return;
        }
        unmap(dmaAddr, size);
        unmapSwiotlb(phys, size, dir, attrs);
    }

    /** Linux {@code swiotlb_tbl_unmap_single}, which does nothing for a buffer that was not bounced. */
    void unmapSwiotlb(long phys, long size, DmaDirection dir, int attrs) {
        if (!untrusted) {
            return;
        }
        SwiotlbPool p = pool.get();
        if (p != null && p.isBounce(phys)) {
            counters.bouncedFromDevice.add(p.unmap(dev, phys, size, dir, attrs));
        }
    }

    /** Linux {@code iommu_dma_map_resource}: MMIO, never bounced, never cacheable. */
    @Override
    public long mapResource(long phys, long size, DmaDirection dir, int attrs) {
        checkSingle(size, dir);
        tick();
        return map(phys, size, prot(dir, false, attrs) | IommuProt.MMIO, dev.dmaMask(), attrs);
    }

    @Override
    public void unmapResource(long dmaAddr, long size, DmaDirection dir, int attrs) {
        tick();
        unmap(dmaAddr, size);
    }

    /**
     * Linux {@code __iommu_dma_map}: an IOVA for the granule-aligned span of
     * {@code [phys, phys+size)}, mapped with {@code prot}; returns the IOVA plus the offset.
     */
    long map(long phys, long size, int prot, long dmaMask, int attrs) {
        long off = iovad.offset(phys);
        if (Long.compareUnsigned(dev.descriptor().minAlignMask(), iovad.mask()) > 0) {
            // "If anyone ever wants this we'd need support in the IOVA allocator"
            if (!warnedAlignment) {
                warnedAlignment = true;
                dev.warn("Unsupported alignment constraint");
            }
            return DmaMasks.MAPPING_ERROR;
        }
        long len = iovad.align(size + off);
        long iova = allocIova(len, dmaMask);
        if (iova == 0) {
            warn(attrs, String.format("iommu-dma: no IOVA space for %d bytes within mask 0x%x", len, dmaMask));
            return DmaMasks.MAPPING_ERROR;
        }
        int rc = domain.map(iova, phys - off, len, prot);
        if (rc != 0) {
            freeIova(iova, len, null);
            warn(attrs, String.format("iommu-dma: mapping 0x%x+0x%x at IOVA 0x%x failed (%d)", phys - off, len, iova, rc));
            return DmaMasks.MAPPING_ERROR;
        }
        return iova + off;
    }

    /** Linux {@code __iommu_dma_unmap}: strict unmap + sync + free, or lazy unmap + queue. */
    void unmap(long dmaAddr, long size) {
        long off = iovad.offset(dmaAddr);
        long iova = dmaAddr - off;
        long len = iovad.align(size + off);
        IotlbGather gather = gather();
        gather.setQueued(fq != null);
        long unmapped = domain.unmap(iova, len, gather);
        if (unmapped != len) {
            dev.warn(String.format("WARNING: __iommu_dma_unmap: unmapped 0x%x of 0x%x bytes at IOVA 0x%x", unmapped, len,
                    iova));
        }
        if (!gather.queued()) {
            domain.iotlbSync(gather);
        }
        freeIova(iova, len, gather);
    }

    /**
     * Linux {@code iommu_dma_alloc_iova}: {@code len} bytes (granule multiple) below
     * {@code min_not_zero(dmaLimit, bus_dma_limit)} capped at the aperture end, trying below
     * 4 GiB first for PCI devices until the first miss. Returns the IOVA, or 0.
     */
    long allocIova(long len, long dmaLimit) {
        long pages = len >>> shift;
        long limit = DmaMasks.minNotZero(dmaLimit, dev.descriptor().busDmaLimit());
        if (Long.compareUnsigned(limit, domain.apertureEnd()) > 0) {
            limit = domain.apertureEnd(); // geometry.force_aperture
        }
        long pfn = 0;
        if (Long.compareUnsigned(limit, DmaMasks.bits(32)) > 0 && pci32BitWorkaround) {
            pfn = caches.allocFast(pages, DmaMasks.bits(32) >>> shift, false);
            if (pfn == 0) {
                pci32BitWorkaround = false;
                dev.warn("Using " + DmaMasks.width(limit) + "-bit DMA addresses");
            }
        }
        if (pfn == 0) {
            pfn = caches.allocFast(pages, limit >>> shift, true);
        }
        if (pfn != 0) {
            counters.iovaAllocated(footprint(pages) << shift);
        }
        return pfn << shift;
    }

    /**
     * Linux {@code iommu_dma_free_iova}: queued behind the next flush when the gather was queued
     * (lazy), released at once otherwise.
     */
    void freeIova(long iova, long len, IotlbGather gather) {
        long pfn = iova >>> shift;
        long pages = len >>> shift;
        if (gather != null && gather.queued()) {
            fq.queue(pfn, pages);
        } else {
            releaseIova(pfn, pages);
        }
    }

    /** {@code free_iova_fast} and the accounting that goes with it. */
    private void releaseIova(long pfn, long pages) {
        caches.freeFast(pfn, pages);
        counters.iovaReleased(footprint(pages) << shift);
    }

    /** Granules an allocation of {@code pages} really takes: {@code alloc_iova_fast} rounds small sizes up. */
    private static long footprint(long pages) {
        return pages < (1 << (IovaCaches.IOVA_RANGE_CACHE_MAX_SIZE - 1)) ? Long.highestOneBit(pages * 2 - 1) : pages;
    }

    // ---- scatter-gather ------------------------------------------------------------------------------

    @Override
    public int mapSg(SgTable table, int nents, DmaDirection dir, int attrs) {
        checkSg(table, nents, dir);
        tick();
        return sg.map(table, nents, dir, attrs);
    }

    @Override
    public void unmapSg(SgTable table, int nents, DmaDirection dir, int attrs) {
        tick();
        sg.unmap(table, nents, dir, attrs);
    }

    @Override
    public void syncSgForCpu(SgTable table, int nents, DmaDirection dir) {
        tick();
        if (untrusted) {
            for (int i = 0; i < nents; i++) {
                syncSingleForCpu(table.dmaAddressField(i), table.cpuLength(i), dir);
            }
        }
    }

    @Override
    public void syncSgForDevice(SgTable table, int nents, DmaDirection dir) {
        tick();
        if (untrusted) {
            for (int i = 0; i < nents; i++) {
                syncSingleForDevice(table.dmaAddressField(i), table.cpuLength(i), dir);
            }
        }
    }

    // ---- sync -----------------------------------------------------------------------------------------

    /** Linux {@code iommu_dma_sync_single_for_cpu}: only bounced buffers need work here. */
    @Override
    public void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir) {
        tick();
        if (!untrusted) {
            return;
        }
        long phys = domain.iovaToPhys(dmaAddr);
        SwiotlbPool p = pool.get();
        if (phys != 0 && p != null && p.isBounce(phys)) {
            counters.bouncedFromDevice.add(p.syncForCpu(dev, phys, size, dir));
        }
    }

    /** Linux {@code iommu_dma_sync_single_for_device}. */
    @Override
    public void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir) {
        tick();
        if (!untrusted) {
            return;
        }
        long phys = domain.iovaToPhys(dmaAddr);
        SwiotlbPool p = pool.get();
        if (phys != 0 && p != null && p.isBounce(phys)) {
            counters.bouncedToDevice.add(p.syncForDevice(dev, phys, size, dir));
        }
    }

    // ---- coherent ---------------------------------------------------------------------------------------

    /**
     * Linux {@code iommu_dma_alloc} on its contiguous path ({@code iommu_dma_alloc_pages}): zeroed
     * pages from anywhere in RAM (the IOMMU gives the device its reach), mapped bidirectionally
     * below the coherent mask. Whole pages and whole granules, so the mapping exposes nothing else.
     */
    @Override
    public CoherentAllocation allocCoherent(long size, int attrs) {
        if (size <= 0) {
            throw new IllegalArgumentException("coherent allocation size must be positive, got " + size);
        }
        tick();
        long unit = Math.max(granule, PageAllocator.PAGE_SIZE);
        long bytes = (size + unit - 1) & -unit;
        long phys = dev.allocator().allocPages(bytes / PageAllocator.PAGE_SIZE, Zone.NORMAL);
        if (phys == PageAllocator.NO_MEMORY) {
            warn(attrs, "iommu-dma: no memory for a " + size + "-byte coherent buffer");
            return null;
        }
        dev.memory().fill(phys, bytes, (byte) 0);
        long handle = map(phys, size, prot(DmaDirection.BIDIRECTIONAL, coherent, attrs), dev.coherentDmaMask(), attrs);
        if (handle == DmaMasks.MAPPING_ERROR) {
            dev.allocator().free(phys);
            return null;
        }
        return new CoherentAllocation(phys, handle, size);
    }

    /** Linux {@code iommu_dma_free}: unmap, then free the pages. */
    @Override
    public void freeCoherent(CoherentAllocation buffer) {
        tick();
        unmap(buffer.dmaHandle(), buffer.size());
        dev.allocator().free(buffer.cpuAddress());
    }

    // ---- limits --------------------------------------------------------------------------------------

    /** iommu-dma has no {@code dma_supported}: with an IOMMU every mask is (Linux returns 1). */
    @Override
    public boolean dmaSupported(long mask) {
        return true;
    }

    /** Linux {@code dma_get_required_mask} with {@code use_dma_iommu}: {@code DMA_BIT_MASK(32)}. */
    @Override
    public long requiredMask() {
        return DmaMasks.bits(32);
    }

    /**
     * Linux {@code iommu_dma_max_mapping_size}: swiotlb's limit for untrusted devices,
     * {@code SIZE_MAX} (here {@link Long#MAX_VALUE}) otherwise.
     */
    @Override
    public long maxMappingSize() {
        if (!untrusted) {
            return Long.MAX_VALUE;
        }
        SwiotlbPool p = pool.get();
        if (p != null) {
            return p.maxMappingSize(dev);
        }
        long minAlign = dev.descriptor().minAlignMask();
        long pad = minAlign == 0 ? 0 : ((minAlign + SwiotlbPool.IO_TLB_SIZE - 1) & -SwiotlbPool.IO_TLB_SIZE) + 1;
        return SWIOTLB_MAX - pad;
    }

    /**
     * Linux {@code iommu_dma_opt_mapping_size}: {@code iova_rcache_range()}, the largest size the
     * IOVA caches serve (32 granules), bounded by the max mapping size.
     */
    @Override
    public long optMappingSize() {
        return Math.min(maxMappingSize(), granule << (IovaCaches.IOVA_RANGE_CACHE_MAX_SIZE - 1));
    }

    // ---- lifetime -------------------------------------------------------------------------------------

    /** The domain is going away: flush the queue and release what it holds. */
    void shutdown() {
        if (fq != null) {
            fq.flushAndReleaseAll();
        }
    }

    void warn(int attrs, String message) {
        if ((attrs & DmaAttrs.NO_WARN) == 0) {
            dev.warn(message);
        }
    }

    private static void checkSingle(long size, DmaDirection dir) {
        if (size <= 0) {
            throw new IllegalArgumentException("mapping size must be positive, got " + size);
        }
        if (dir == null || !dir.isValidForMapping()) {
            throw new IllegalArgumentException("mapping direction must be one of BIDIRECTIONAL, TO_DEVICE, FROM_DEVICE, got "
                    + dir);
        }
    }

    private static void checkSg(SgTable table, int nents, DmaDirection dir) {
        if (table == null) {
            throw new IllegalArgumentException("sg table must not be null");
        }
        if (nents < 1 || nents > table.origNents()) {
            throw new IllegalArgumentException("nents " + nents + " outside 1.." + table.origNents());
        }
        if (dir == null || !dir.isValidForMapping()) {
            throw new IllegalArgumentException("mapping direction must be one of BIDIRECTIONAL, TO_DEVICE, FROM_DEVICE, got "
                    + dir);
        }
    }

    DmaCounters counters() {
        return counters;
    }

    Supplier<SwiotlbPool> pool() {
        return pool;
    }
}
