package org.iommulab.iopgtable;

import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.iommu.PageTableCensus;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One page table in simulated physical memory, as an IOMMU driver uses it: Linux
 * {@code struct io_pgtable_ops} ({@code map_pages}, {@code unmap_pages}, {@code iova_to_phys};
 * {@code include/linux/io-pgtable.h}) plus the splitting of {@code iommu_map} and
 * {@code iommu_unmap} into runs of one page size ({@code drivers/iommu/iommu.c}), and Linux's
 * {@code free_io_pgtable_ops}. A format's {@link IoPgtableFormat#allocate} makes one; the
 * hardware model reads the tables it writes, starting at {@link #ttb()}.
 *
 * <p>TLB maintenance goes through the {@link IoPgtableFlushOps} the table was allocated with:
 * each removed leaf is reported with {@code tlbAddPage} (unless the gather is queued or null),
 * and a table is unlinked only after {@code tlbFlushWalk} has returned, then freed at once.
 *
 * <p>Thread-safe: every method may be called from any thread. Calls on disjoint IOVA ranges of
 * one table may run in parallel; two calls that touch one range at once are the caller's to
 * avoid, as in Linux (an implementation may serialize them: the ARM LPAE one takes no lock,
 * as {@code io-pgtable-arm} does, and others take one per table). The flush callbacks run on
 * the calling thread, during its call.
 */
@ProviderType
public interface IoPgtableOps {
    /** The geometry the format chose for this table (restricted page sizes, clamped sizes). */
    IoPgtableConfig config();

    /**
     * Physical address of the top-level table: what the hardware's table base (TTBR, CD.TTB0,
     * STE.S2TTB, a device-table entry) points at.
     */
    long ttb();

    /**
     * Linux {@code map_pages}: up to {@code pgcount} pages of {@code pgsize} (one size of the
     * bitmap) from {@code iova} to {@code paddr}, with {@link IommuProt} {@code prot}; stops at
     * the end of a table.
     *
     * @return bytes mapped (a multiple of {@code pgsize}, at least one page), or a negative
     *         {@link IommuErrno} with nothing changed
     */
    long mapPages(long iova, long paddr, long pgsize, long pgcount, int prot);

    /**
     * Linux {@code unmap_pages}: up to {@code pgcount} entries of {@code pgsize} at {@code iova}
     * within one table, each removed leaf added to {@code gather} through
     * {@link IoPgtableFlushOps#tlbAddPage} unless it is null or queued.
     *
     * @return bytes unmapped; 0 when {@code iova} is not mapped or the request is malformed
     */
    long unmapPages(long iova, long pgsize, long pgcount, IotlbGather gather);

    /** Linux {@code iova_to_phys}: the physical address {@code iova} maps to, or 0. */
    long iovaToPhys(long iova);

    /**
     * Linux {@code iommu_map} on this table: maps {@code [iova, iova+size)} to {@code paddr} with
     * the largest page sizes alignment allows ({@code iommu_pgsize}).
     *
     * @return 0, or a negative {@link IommuErrno} ({@code EEXIST}, {@code EINVAL},
     *         {@code ENOMEM}); on failure nothing stays mapped
     */
    int map(long iova, long paddr, long size, int prot);

    /**
     * Linux {@code iommu_unmap_fast} on this table: unmaps from {@code iova} until {@code size}
     * bytes (or more, for a larger leaf) are gone or a hole is met.
     *
     * @return bytes unmapped; 0 for a misaligned request (nothing changes)
     */
    long unmap(long iova, long size, IotlbGather gather);

    /**
     * Linux {@code free_io_pgtable_ops}: frees every table. The driver invalidates the context
     * first; afterwards map and unmap throw {@link IllegalStateException} and
     * {@link #iovaToPhys} answers 0. Idempotent.
     */
    void free();

    /** Tables linked into the tree now, the top-level one included. */
    int tableCount();

    /** Bytes of memory the tables hold now. */
    long tableBytes();

    /**
     * A census of the tree now: every table reached from {@link #ttb()} through valid table
     * descriptors, counted per level, with the valid block and page leaves and
     * {@link #tableBytes()}; null when the format does not take one (the default) or the table
     * was freed. Atomic with respect to map and unmap.
     *
     * @since 1.1
     */
    default PageTableCensus census() {
        return null;
    }
}
