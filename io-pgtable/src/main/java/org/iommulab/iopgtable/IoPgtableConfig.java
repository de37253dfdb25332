package org.iommulab.iopgtable;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The format-independent part of a page table's geometry, Linux {@code struct io_pgtable_cfg}
 * ({@code pgsize_bitmap}, {@code ias}, {@code oas}): what a driver asks a format for, and,
 * from {@link IoPgtableOps#config()}, what the format made of it (Linux's
 * {@code alloc_io_pgtable_ops} restricts the page sizes and clamps the address sizes in place).
 * A format's own config type extends it with what its registers need. Immutable.
 */
@ProviderType
public interface IoPgtableConfig {
    /** Page sizes the table maps with, one bit per size. */
    long pgsizeBitmap();

    /** Input (IOVA or IPA) address size in bits. */
    int ias();

    /** Output address size in bits. */
    int oas();

    /** A request for a table: page sizes the IOMMU supports, its input and output address sizes. */
    static IoPgtableConfig of(long pgsizeBitmap, int ias, int oas) {
        return new RequestedIoPgtableConfig(pgsizeBitmap, ias, oas);
    }
}
