package org.iommulab.api.backend;

import java.util.Locale;

/**
 * A range of a device's DMA address space its backend keeps out of the allocator, as the
 * backend reports it ({@link DmaOps#reservedRegions()}): behind an IOMMU, what Linux
 * {@code iova_reserve_iommu_regions} ({@code drivers/iommu/dma-iommu.c}) reserves in the
 * domain's IOVA space, and the software MSI window it does not reserve but allocates doorbell
 * pages from. Immutable.
 *
 * @param start first DMA address of the region
 * @param length bytes, positive, not wrapping
 * @param kind what reserves it
 */
public record ReservedRegion(long start, long length, Kind kind) {
    /** Where a reserved region comes from. */
    public enum Kind {
        /** A PCI host bridge's memory window ({@code iova_reserve_pci_windows}): a PCI device's writes there reach a peer. */
        PCI_WINDOW,
        /** {@code IOMMU_RESV_SW_MSI}: the window software maps MSI doorbells in; not reserved by iommu-dma. */
        SW_MSI,
        /** {@code IOMMU_RESV_MSI}: an untranslated hardware MSI window, reserved. */
        MSI,
        /** {@code IOMMU_RESV_DIRECT}: reserved and mapped 1:1. */
        DIRECT,
        /** {@code IOMMU_RESV_DIRECT_RELAXABLE}: reserved and mapped 1:1 while the DMA domain is in use. */
        DIRECT_RELAXABLE,
        /** {@code IOMMU_RESV_RESERVED}: reserved, never mapped. */
        RESERVED;

        /** The kind's name in lower case with dashes ({@code sw-msi}, {@code pci-window}). */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public ReservedRegion {
        if (kind == null) {
            throw new IllegalArgumentException("a reserved region needs a kind");
        }
        if (length <= 0 || Long.compareUnsigned(start + length - 1, start) < 0) {
            throw new IllegalArgumentException(String.format("reserved region 0x%x+0x%x is empty or wraps", start, length));
        }
    }

    /** Last address of the region, inclusive. */
    public long end() {
        return start + length - 1;
    }

    @Override
    public String toString() {
        return String.format("%s 0x%x+0x%x", kind.label(), start, length);
    }
}
