package org.iommulab.iopgtable;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A page-table format, one entry of Linux's {@code io_pgtable_init_table}
 * ({@code drivers/iommu/io-pgtable.c}): a name, as {@code enum io_pgtable_fmt} names it, and
 * the {@code alloc} of its {@code struct io_pgtable_init_fns}. The built-in formats are in
 * {@link IoPgtableFormats}; another bundle adds one by implementing this interface.
 * Implementations are immutable and thread-safe.
 */
@ConsumerType
public interface IoPgtableFormat {
    /** The format's name, e.g. {@code ARM_64_LPAE_S1}. */
    String name();

    /**
     * Linux {@code alloc_io_pgtable_ops}: a new, empty table in {@code memory}, its pages from
     * {@code allocator}, its TLB maintenance through {@code flushOps}. The format restricts
     * {@code cfg} to what it supports; the result's {@link IoPgtableOps#config()} tells what it
     * chose.
     *
     * @return the table, or null when its top-level table cannot be allocated
     * @throws IllegalArgumentException for a null argument or a {@code cfg} the format cannot
     *         serve (no page size it supports, address sizes beyond it)
     */
    IoPgtableOps allocate(IoPgtableConfig cfg, PhysicalMemory memory, PageAllocator allocator,
            IoPgtableFlushOps flushOps);
}
