package org.iommulab.iommu.dma.internal.dma;

import java.util.List;
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
import org.iommulab.api.iommu.IommuResvRegion;
import org.iommulab.api.iommu.PageTableCensus;
import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.iommu.dma.internal.iova.IovaCaches;
import org.iommulab.iommu.dma.internal.iova.IovaDomain;
import org.iommulab.api.swiotlb.SwiotlbPool;

/**
 * iommu-dma for one device, Linux {@code drivers/iommu/dma-iommu.c}: the device's DMA ops over
 * its IOMMU domain, with strict or lazy (flush-queue) invalidation and swiotlb bouncing of
 * untrusted devices' unaligned buffers. The IOVA space ({@code iommu_dma_init_domain},
 * {@code iommu_dma_alloc_iova}, {@code iommu_dma_free_iova}) lives in {@link DmaIovaSpace},
 * the scatter-gather half in {@link IommuDmaSg}, coherent allocations in
 * {@link IommuDmaCoherent}, the swiotlb bounce of untrusted devices in {@link IommuDmaBounce}.
 *
 * <p>Model notes: CPU cache maintenance ({@code arch_sync_dma_for_*}) has no effect in this
 * platform, so only the swiotlb copies of syncs remain. Bouncing follows
 * {@code dev_use_swiotlb} for untrusted devices; the kmalloc-alignment bounce of non-coherent
 * devices ({@code dma_kmalloc_needs_bounce}) is not modelled. Thread-safe: the IOVA allocator,
 * domain and flush queue lock for themselves; per-call scratch is per thread.
 */
final class IommuDmaOps implements DmaOps {
    private final DmaDevice dev;
    private final IommuDomain domain;
    private final DmaIovaSpace space;
    private final IovaDomain iovad;
    private final FlushQueue fq;
    private final DmaCounters counters;
    private final boolean coherent;
    private final boolean untrusted;
    private final int shift;
    private final long granule;
    private final IommuDmaSg sg;
    private final IommuDmaCoherent coherentAllocs;
    private final IommuDmaBounce bounce;
    private final ThreadLocal<IotlbGather> gathers = ThreadLocal.withInitial(IotlbGather::new);
    private volatile boolean warnedAlignment;

    private IommuDmaOps(DmaDevice dev, IommuDomain domain, DmaIovaSpace space, Supplier<SwiotlbPool> pool,
            DmaCounters counters) {
        this.dev = dev;
        this.domain = domain;
        this.space = space;
        this.counters = counters;
        this.coherent = dev.descriptor().coherent();
        this.untrusted = !dev.descriptor().trusted();
        this.granule = space.granule();
        this.shift = space.shift();
        this.iovad = space.iovaDomain();
        this.fq = space.flushQueue();
        this.sg = new IommuDmaSg(this);
        this.coherentAllocs = new IommuDmaCoherent(this);
        this.bounce = new IommuDmaBounce(dev, pool, counters, untrusted, granule);
    }

    /**
     * Linux {@code iommu_dma_init_domain} (see {@link DmaIovaSpace#init}) and the ops over it.
     *
     * @param lazy whether the domain is DMA_FQ (the caller checked the driver can defer flushes)
     * @throws IllegalArgumentException with Linux's message when the domain cannot serve the device
     */
    static IommuDmaOps create(DmaDevice dev, IommuDomain domain, boolean lazy, IommuDmaSettings settings,
            Supplier<SwiotlbPool> pool, DmaCounters counters) {
        return create(dev, domain, lazy, settings, pool, counters, List.of());
    }

    /** The same, with the reserved regions the IOMMU driver reported for the device. */
    static IommuDmaOps create(DmaDevice dev, IommuDomain domain, boolean lazy, IommuDmaSettings settings,
            Supplier<SwiotlbPool> pool, DmaCounters counters, List<IommuResvRegion> regions) {
        return new IommuDmaOps(dev, domain, DmaIovaSpace.init(dev, domain, lazy, settings, counters, regions), pool,
                counters);
    }

    /** What {@code iova_reserve_iommu_regions} reserved for this device at init (see {@link DmaIovaSpace#reservedRegions}). */
    @Override
    public List<ReservedRegion> reservedRegions() {
        return space.reservedRegions();
    }

    /** The domain's census ({@code IommuDomain.pageTableCensus}), null when its driver takes none. */
    @Override
    public PageTableCensus pageTableCensus() {
        return domain.pageTableCensus();
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
        return space.iovaCaches();
    }

    /** The IOVA space, which the sg half allocates from. */
    DmaIovaSpace iovaSpace() {
        return space;
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

    /**
     * Linux {@code iommu_dma_map_phys}. The bounce of an untrusted device's buffer is counted
     * only once the mapping exists: a bounce undone because the IOMMU mapping failed is not one.
     */
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
            target = bounce.map(phys, size, dir, attrs);
            if (target == DmaMasks.MAPPING_ERROR) {
                return DmaMasks.MAPPING_ERROR;
            }
            bounced = true;
        }
        long iova = map(target, size, prot, dev.dmaMask(), attrs);
        if (bounced) {
            if (iova == DmaMasks.MAPPING_ERROR) {
                bounce.unmapAfterFailedMap(target, size, dir, attrs);
            } else {
                bounce.counted(size);
            }
        }
        return iova;
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
        bounce.unmap(phys, size, dir, attrs);
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
        if (len <= 0 || !space.fitsAperture(len)) {
            warn(attrs, String.format("iommu-dma: a mapping of 0x%x bytes does not fit the domain's aperture %s",
                    size, space.aperture()));
            return DmaMasks.MAPPING_ERROR;
        }
        long iova = space.alloc(len, dmaMask);
        if (iova == 0) {
            warn(attrs, String.format("iommu-dma: no IOVA space for %d bytes within mask 0x%x", len, dmaMask));
            return DmaMasks.MAPPING_ERROR;
        }
        if (!space.inAperture(iova, len)) {
            space.free(iova, len, null);
            warn(attrs, String.format("iommu-dma: IOVA 0x%x+0x%x lies outside the domain's aperture %s; not mapped", iova, len,
                    space.aperture()));
            return DmaMasks.MAPPING_ERROR;
        }
        int rc = domain.map(iova, phys - off, len, prot);
        if (rc != 0) {
            space.free(iova, len, null);
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
        space.free(iova, len, gather);
    }

    // ---- scatter-gather ------------------------------------------------------------------------------

    @Override
    public int mapSg(SgTable table, int nents, DmaDirection dir, int attrs) {
        IommuDmaSg.check(table, nents, dir);
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
        sg.syncForCpu(table, nents, dir);
    }

    @Override
    public void syncSgForDevice(SgTable table, int nents, DmaDirection dir) {
        tick();
        sg.syncForDevice(table, nents, dir);
    }

    // ---- sync -----------------------------------------------------------------------------------------

    /** Linux {@code iommu_dma_sync_single_for_cpu}: only bounced buffers need work here. */
    @Override
    public void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir) {
        tick();
        if (!untrusted) {
            return;
        }
        bounce.syncForCpu(domain.iovaToPhys(dmaAddr), size, dir);
    }

    /** Linux {@code iommu_dma_sync_single_for_device}. */
    @Override
    public void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir) {
        tick();
        if (!untrusted) {
            return;
        }
        bounce.syncForDevice(domain.iovaToPhys(dmaAddr), size, dir);
    }

    // ---- coherent ---------------------------------------------------------------------------------------

    /** Linux {@code iommu_dma_alloc}, in {@link IommuDmaCoherent#alloc}. */
    @Override
    public CoherentAllocation allocCoherent(long size, int attrs) {
        if (size <= 0) {
            throw new IllegalArgumentException("coherent allocation size must be positive, got " + size);
        }
        tick();
        return coherentAllocs.alloc(size, attrs);
    }

    /** Linux {@code iommu_dma_free}, in {@link IommuDmaCoherent#free}. */
    @Override
    public void freeCoherent(CoherentAllocation buffer) {
        tick();
        coherentAllocs.free(buffer);
    }

    // ---- MSI -----------------------------------------------------------------------------------------

    /**
     * Linux {@code iommu_dma_prepare_msi} ({@code iommu_dma_get_msi_page}, see
     * {@link DmaIovaSpace#msiPage}) and {@code iommu_dma_compose_msi_msg}: the doorbell's page is
     * mapped into the domain once and the message address is its IOVA plus the doorbell's offset
     * in the granule.
     */
    @Override
    public long prepareMsi(long doorbellPhys) {
        tick();
        long iova = space.msiPage(doorbellPhys);
        if (iova == -1) {
            dev.warn(String.format("iommu-dma: cannot map the MSI doorbell 0x%x", doorbellPhys));
            return DmaMasks.MAPPING_ERROR;
        }
        return iova + iovad.offset(doorbellPhys);
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
        return untrusted ? bounce.maxMappingSize() : Long.MAX_VALUE;
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
        space.shutdown();
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

    DmaCounters counters() {
        return counters;
    }

    /** Frees the device's bounce buffers still held in any pool (for detach). */
    int releaseBounced() {
        return bounce.releaseAll();
    }
}
