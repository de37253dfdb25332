package org.iommulab.api.iommu;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DmaDevice;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An I/O address space, Linux {@code struct iommu_domain} with {@code iommu_domain_ops}. The
 * driver half writes page tables into simulated memory; the hardware model walks them.
 *
 * <p>How iommu-dma uses a domain (see {@link IommuDriver} for its life): it owns the IOVA space
 * and maps each streaming mapping or coherent buffer with one {@link #map} of the whole
 * granule-aligned range, a scatterlist with one {@code map} per segment into one contiguous IOVA
 * range, and unmaps either with one {@link #unmap} of the whole range, so an unmap may span
 * several maps. In strict mode {@link #iotlbSync} follows every unmap before the IOVA is reused;
 * in lazy mode ({@link IotlbGather#queued()}) the IOVA waits in a flush queue for the next
 * {@link #flushIotlbAll}. Map, unmap, sync, {@code iova_to_phys} and the device's accesses
 * come from many threads at once (never two maps or unmaps of the same IOVA); attach, detach and
 * free never overlap them.
 */
@ProviderType
public interface IommuDomain {
    DomainType type();

    /**
     * Attaches a device probed by the same driver; 0 or a negative {@link IommuErrno}. From then
     * on the device's accesses translate through this domain's tables; an attach to another
     * domain (after a detach) replaces them, and no translation cached for the old domain serves
     * the device afterwards.
     */
    int attachDevice(DmaDevice device);

    /**
     * Detaches a device (Linux attaches the blocking domain); its accesses fault afterwards, at
     * once, even those the IOTLB held a translation for. The domain keeps its mappings: attaching
     * the device again gives them back. Detaching a device not attached changes nothing.
     */
    void detachDevice(DmaDevice device);

    /**
     * Maps {@code [iova, iova+size)} to {@code paddr} with {@link IommuProt} bits; both ends
     * aligned to the smallest page size. Returns 0, {@link IommuErrno#EEXIST} when part is
     * already mapped, {@link IommuErrno#EINVAL} or {@link IommuErrno#ENOMEM}; on failure
     * nothing stays mapped.
     *
     * <p>Any granule multiple inside the aperture may be asked for; the domain picks the page
     * sizes (blocks where iova, paddr and size allow), as {@code iommu_map} with
     * {@code iommu_pgsize} does. {@code prot} is iommu-dma's {@code dma_info_to_prot}:
     * {@code READ} for DMA_TO_DEVICE, {@code WRITE} for DMA_FROM_DEVICE, both for
     * BIDIRECTIONAL, with {@code CACHE} for coherent devices, {@code PRIV} and {@code MMIO} from
     * the attributes. A device access the mapping does not permit faults as
     * {@code FaultKind.PERMISSION} (a write to a read-only page at least; a format without
     * write-only pages may let a write-only page be read).
     */
    int map(long iova, long paddr, long size, int prot);

    /**
     * The mapping loop of Linux {@code iommu_map_sg} over a scatterlist iommu-dma already laid
     * out: run {@code i} maps {@code len[i]} bytes from {@code phys[i]} at {@code iova} plus the
     * lengths of the runs before it, exactly as {@link #map} would. On failure what this call
     * mapped is unmapped again and invalidated ({@code iommu_map_sg}'s
     * {@code iommu_unmap(domain, iova, mapped)}, whose {@code iommu_iotlb_sync} is one range
     * invalidation), and the first error is returned; nothing stays mapped.
     *
     * <p>The default does just that through {@link #map}, {@link #unmap} and {@link #iotlbSync}.
     * A domain may override it to do the same work with less overhead (one lock for the list,
     * one walk per last-level table); the page tables, the IOTLB and the result must be those
     * of the default. Thread safety as {@link #map}.
     *
     * @param phys physical start of each run, granule aligned
     * @param len length of each run, a granule multiple
     * @param n how many runs of the arrays to map
     * @return 0 or a negative {@link IommuErrno}
     * @throws IllegalArgumentException when an array is null or {@code n} is negative or
     *         more than an array holds, before anything is mapped ({@link #checkRuns})
     * @since 1.3
     */
    default int mapRuns(long iova, long[] phys, long[] len, int n, int prot) {
        checkRuns(phys, len, n);
        long mapped = 0;
        for (int i = 0; i < n; i++) {
            int rc = map(iova + mapped, phys[i], len[i], prot);
            if (rc != 0) {
                if (mapped > 0) {
                    IotlbGather gather = new IotlbGather();
                    unmap(iova, mapped, gather);
                    iotlbSync(gather);
                }
                return rc;
            }
            mapped += len[i];
        }
        return 0;
    }

    /**
     * The argument check of {@link #mapRuns}, for overriding domains: it must come before the
     * first run is mapped, so that bad arrays change nothing.
     *
     * @throws IllegalArgumentException when an array is null or {@code n} is negative or more
     *         than either array holds
     * @since 1.3
     */
    static void checkRuns(long[] phys, long[] len, int n) {
        if (phys == null || len == null || n < 0 || n > phys.length || n > len.length) {
            throw new IllegalArgumentException("mapRuns needs " + n + " runs in both arrays, got "
                    + (phys == null ? "null" : phys.length + " addresses") + " and "
                    + (len == null ? "null" : len.length + " lengths"));
        }
    }

    /**
     * Unmaps {@code [iova, iova+size)} and gathers the range for invalidation; returns the bytes
     * unmapped. Unmapping part of a larger block unmaps nothing and returns 0, as Linux since
     * v6.13 ("Unmap of a partial large IOPTE is not allowed").
     *
     * <p>The range may span several {@link #map} calls (a scatterlist's segments). Every page
     * unmapped goes into {@code gather} ({@code tlb_add_page}); the IOTLB must not be
     * invalidated here when {@code gather.queued()} (lazy mode: the flush queue invalidates
     * later), and need not be otherwise ({@link #iotlbSync} follows). After it
     * {@link #iovaToPhys} answers 0 for every page unmapped. iommu-dma warns when the result is
     * not {@code size}.
     */
    long unmap(long iova, long size, IotlbGather gather);

    /**
     * Invalidates what {@code gather} holds and waits for completion: when it returns, no device
     * access translates through any page of the gathered range, however warm the IOTLB (and a
     * walk cache) was: the whole range, not its first page. The gather may be empty. iommu-dma
     * frees the IOVA right after, for reuse.
     */
    void iotlbSync(IotlbGather gather);

    /**
     * Invalidates every IOTLB entry of this domain and waits ({@code flush_iotlb_all}): the lazy
     * flush queue calls it before it hands unmapped IOVAs back for reuse, and when the domain
     * goes away.
     */
    void flushIotlbAll();

    /**
     * The physical address {@code iova} maps to, or 0 when unmapped ({@code iova_to_phys}): right
     * for every byte of every mapped page and block. iommu-dma's unmap asks it first and, given
     * 0, warns "iommu_dma_unmap_phys: ... is not mapped" and skips the unmap (the mapping stays
     * live and its IOVA is never freed); it also finds an untrusted device's bounce buffer with
     * it on every sync and unmap.
     */
    long iovaToPhys(long iova);

    /** Page sizes this domain maps with, one bit per size; the lowest is iommu-dma's IOVA granule. Never 0. */
    long pgsizeBitmap();

    /**
     * First IOVA of the aperture ({@code geometry.aperture_start}); iommu-dma never maps below
     * it, nor at IOVA 0.
     */
    long apertureStart();

    /** Last IOVA of the aperture, inclusive ({@code geometry.aperture_end}); iommu-dma never maps above it. */
    long apertureEnd();

    /**
     * A hardware counter of this domain, or -1 if the model has none: iommu-dma asks for
     * {@link BackendCounter#IOTLB_HITS}, {@link BackendCounter#IOTLB_MISSES} and
     * {@link BackendCounter#IOTLB_INVALIDATIONS} (the others it keeps itself).
     */
    long counter(BackendCounter counter);

    /**
     * Frees the domain and its tables; it must have no device attached. Every page of its page
     * tables goes back to the allocator (the allocator holds exactly what it held before the
     * domain was allocated, apart from what the driver keeps per stream or per IOMMU), and no
     * IOTLB entry of the domain survives (a later domain may reuse its tag).
     */
    void free();

    /**
     * A census of this domain's page-table tree now (tables per level, block and page leaves,
     * table memory), for reports; null when the model does not report one (the default) or
     * has no tables (an identity or blocking domain). Safe to call from any thread while maps
     * and unmaps go on: it sees the tree between two of them.
     *
     * @since 1.2
     */
    default PageTableCensus pageTableCensus() {
        return null;
    }
}
