package org.iommulab.iommu.dma.internal.dma;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IommuResvRegion;
import org.iommulab.api.platform.DmaRange;
import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.iommu.dma.internal.iova.IovaCaches;
import org.iommulab.iommu.dma.internal.iova.IovaDomain;

/**
 * The IOVA half of iommu-dma for one device, the part of Linux's {@code struct iommu_dma_cookie}
 * that owns the IOVA space ({@code drivers/iommu/dma-iommu.c}): the allocator
 * ({@link IovaCaches} in front of an {@link IovaDomain}), the flush queue of a lazy domain, and
 * {@code iommu_dma_init_domain}, {@code iommu_dma_alloc_iova}, {@code iommu_dma_free_iova}
 * with the IOVA accounting. Kept apart from {@link IommuDmaOps} so both the single-mapping and
 * the scatter-gather half ({@link IommuDmaSg}) share one allocator and one accounting.
 *
 * <p>Thread-safe: the allocator and the flush queue lock for themselves; the 32-bit-first flag
 * is a volatile that only ever goes from true to false, as Linux's unlocked
 * {@code dev->iommu->pci_32bit_workaround}.
 */
final class DmaIovaSpace {
    private final DmaDevice dev;
    private final IommuDomain domain;
    private final IovaDomain iovad;
    private final IovaCaches caches;
    private final FlushQueue fq;
    private final DmaCounters counters;
    private final int shift;
    private final long granule;
    private volatile boolean pci32BitWorkaround;
    /** Untranslated hardware MSI windows ({@code IOMMU_RESV_MSI}): a doorbell there is used as it is. */
    private final List<IommuResvRegion> hwMsi = new ArrayList<>();
    /** What {@link #reserveRegions} reserved (and the SW_MSI window it left), for reports; set once at init. */
    private volatile List<ReservedRegion> reported = List.of();
    /** Linux {@code cookie->msi_page_list}: doorbell pages mapped so far, as {phys, iova}. */
    private final List<long[]> msiPages = new ArrayList<>();

    private DmaIovaSpace(DmaDevice dev, IommuDomain domain, boolean lazy, IommuDmaSettings settings,
            DmaCounters counters, long granule, long basePfn) {
        this.dev = dev;
        this.domain = domain;
        this.counters = counters;
        this.granule = granule;
        this.shift = Long.numberOfTrailingZeros(granule);
        this.iovad = new IovaDomain(granule, basePfn);
        this.caches = new IovaCaches(iovad, settings.cpus, settings.cpu);
        // iommu_dma_init_fq: the flush queue hands flushed ranges back through release().
        this.fq = lazy ? new FlushQueue(domain, this::release, settings.fqSize, settings.fqTimeoutNanos,
                settings.clock, settings.cpus, settings.cpu, settings.singleQueue) : null;
        this.pci32BitWorkaround = dev.descriptor().pci() && !settings.forceDac;
    }

    /**
     * Linux {@code iommu_dma_init_domain}: the IOVA granule is the smallest page size of the
     * domain, the space starts at {@code max(1, aperture_start >> order)} (IOVA 0 is never
     * used), and a device whose DMA ranges miss the aperture entirely is refused.
     *
     * @param lazy whether the domain is DMA_FQ (the caller checked the driver can defer flushes)
     * @throws IllegalArgumentException with Linux's message when the domain cannot serve the device
     */
    static DmaIovaSpace init(DmaDevice dev, IommuDomain domain, boolean lazy, IommuDmaSettings settings,
            DmaCounters counters) {
        return init(dev, domain, lazy, settings, counters, List.of());
    }

    /**
     * {@link #init(DmaDevice, IommuDomain, boolean, IommuDmaSettings, DmaCounters)} and then
     * Linux {@code iova_reserve_iommu_regions} with the regions the IOMMU driver reported for
     * the device ({@code get_resv_regions}).
     */
    static DmaIovaSpace init(DmaDevice dev, IommuDomain domain, boolean lazy, IommuDmaSettings settings,
            DmaCounters counters, List<IommuResvRegion> regions) {
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
        DmaIovaSpace space = new DmaIovaSpace(dev, domain, lazy, settings, counters, 1L << order, basePfn);
        space.reserveRegions(settings.pciWindows, regions);
        return space;
    }

    /**
     * Linux {@code iova_reserve_iommu_regions}: for a PCI device the host bridge's memory windows
     * first ({@code iova_reserve_pci_windows}: a PCI device's writes there would reach a peer,
     * not the IOMMU); then every reported region except {@code IOMMU_RESV_SW_MSI} ("We ARE the
     * software that manages these!": MSI pages are allocated like any IOVA) is reserved with
     * {@code reserve_iova}, and an {@code IOMMU_RESV_MSI} window is remembered so that a doorbell
     * inside it is used at its own address ({@code cookie_init_hw_msi_region}). Ranges beyond the
     * IOVA space are clipped to it. The host bridge's inbound {@code dma_ranges} are not modelled
     * (QEMU virt's bridge has none).
     */
    private void reserveRegions(List<MemoryRegion> pciWindows, List<IommuResvRegion> regions) {
        List<ReservedRegion> out = new ArrayList<>();
        if (dev.descriptor().pci()) {
            for (MemoryRegion w : pciWindows) {
                reserve(w.base(), w.end() - 1);
                out.add(new ReservedRegion(w.base(), w.size(), ReservedRegion.Kind.PCI_WINDOW));
            }
        }
        for (IommuResvRegion r : regions) {
            out.add(new ReservedRegion(r.start(), r.length(), ReservedRegion.Kind.valueOf(r.type().name())));
            if (r.type() == IommuResvRegion.Type.SW_MSI) {
                continue;
            }
            reserve(r.start(), r.end());
            if (r.type() == IommuResvRegion.Type.MSI) {
                hwMsi.add(r);
            }
        }
        reported = List.copyOf(out);
    }

    /**
     * The regions {@code iova_reserve_iommu_regions} reserved at init, as given (not clipped),
     * the PCI windows first, and the SW_MSI window it did not reserve; immutable.
     */
    List<ReservedRegion> reservedRegions() {
        return reported;
    }

    /** {@code reserve_iova(iovad, iova_pfn(start), iova_pfn(end))}, clipped to the allocatable pfns. */
    private void reserve(long start, long end) {
        long lo = start >>> shift;
        long hi = Math.min(end >>> shift, IovaDomain.IOVA_ANCHOR - 1);
        if (lo <= hi) {
            iovad.reserve(lo, hi);
        }
    }

    /**
     * Linux {@code iommu_dma_get_msi_page}: the IOVA of the doorbell page {@code msiPhys} (granule
     * aligned) in this domain. A page already in {@code msi_page_list} is reused; a page in an
     * untranslated hardware window is its own address; otherwise an IOVA of one granule comes
     * from the normal allocator ({@code iommu_dma_alloc_iova} with {@code dma_get_mask(dev)}, so
     * top-down and below 4 GiB first for PCI) and is mapped with
     * {@code IOMMU_WRITE | IOMMU_NOEXEC | IOMMU_MMIO}.
     *
     * @return the page's IOVA, or -1 when no IOVA was left or the mapping failed (nothing changed)
     */
    synchronized long msiPage(long msiPhys) {
        long phys = msiPhys & -granule;
        for (long[] p : msiPages) {
            if (p[0] == phys) {
                return p[1];
            }
        }
        for (IommuResvRegion r : hwMsi) {
            if (Long.compareUnsigned(phys, r.start() & -granule) >= 0 && Long.compareUnsigned(phys, r.end()) <= 0) {
                msiPages.add(new long[] {phys, phys});
                return phys;
            }
        }
        long iova = alloc(granule, dev.dmaMask());
        if (iova == 0) {
            return -1;
        }
        if (!inAperture(iova, granule)
                || domain.map(iova, phys, granule, IommuProt.WRITE | IommuProt.NOEXEC | IommuProt.MMIO) != 0) {
            free(iova, granule, null);
            return -1;
        }
        msiPages.add(new long[] {phys, iova});
        return iova;
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

    long granule() {
        return granule;
    }

    int shift() {
        return shift;
    }

    /**
     * Linux {@code iommu_dma_alloc_iova}: {@code len} bytes (granule multiple) below
     * {@code min_not_zero(dmaLimit, bus_dma_limit)} capped at the aperture end, trying below
     * 4 GiB first for PCI devices until the first miss. Returns the IOVA, or 0.
     */
    long alloc(long len, long dmaLimit) {
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
     * Whether {@code len} bytes can fit in the domain's aperture at all. Checked before the IOVA
     * allocator is asked, so a mapping larger than the aperture changes nothing.
     */
    boolean fitsAperture(long len) {
        long span = domain.apertureEnd() - domain.apertureStart();
        // span + 1 bytes; a full 64-bit aperture (span == -1 unsigned) fits everything.
        return len > 0 && (span == -1 || Long.compareUnsigned(len - 1, span) <= 0);
    }

    /**
     * Whether {@code [iova, iova+len)} lies inside the domain's aperture
     * ({@code geometry.aperture_start..aperture_end}, which Linux enforces with
     * {@code force_aperture}). iommu-dma checks every range before it calls the domain's
     * {@code map}, so the page tables never grow past the aperture whatever the allocator did.
     */
    boolean inAperture(long iova, long len) {
        long end = iova + len - 1;
        return len > 0 && Long.compareUnsigned(end, iova) >= 0
                && Long.compareUnsigned(iova, domain.apertureStart()) >= 0
                && Long.compareUnsigned(end, domain.apertureEnd()) <= 0;
    }

    /** "[0x..-0x..]", for messages. */
    String aperture() {
        return String.format("[0x%x-0x%x]", domain.apertureStart(), domain.apertureEnd());
    }

    /**
     * Linux {@code iommu_dma_free_iova}: queued behind the next flush when the gather was queued
     * (lazy), released at once otherwise.
     */
    void free(long iova, long len, IotlbGather gather) {
        long pfn = iova >>> shift;
        long pages = len >>> shift;
        if (gather != null && gather.queued()) {
            fq.queue(pfn, pages);
        } else {
            caches.freeFast(pfn, pages);
            counters.iovaReleased(footprint(pages) << shift);
        }
    }

    /** {@code free_iova_fast} on CPU {@code cpu} and the accounting that goes with it. */
    private void release(long pfn, long pages, int cpu) {
        caches.freeFast(pfn, pages, cpu);
        counters.iovaReleased(footprint(pages) << shift);
    }

    /** Granules an allocation of {@code pages} really takes: {@code alloc_iova_fast} rounds small sizes up. */
    private static long footprint(long pages) {
        return pages < (1 << (IovaCaches.IOVA_RANGE_CACHE_MAX_SIZE - 1)) ? Long.highestOneBit(pages * 2 - 1) : pages;
    }

    /** The domain is going away: flush the queue and release what it holds. */
    void shutdown() {
        if (fq != null) {
            fq.flushAndReleaseAll();
        }
    }
}
