package org.iommulab.platform.internal.dma;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.PageAllocator;

/**
 * The DMA API's bad-input checks ({@link IllegalArgumentException}, nothing changed): what Linux
 * catches with {@code BUG_ON(!valid_dma_direction(dir))} and friends, and what its types rule out
 * (a negative size_t, a page that is not a page). Each message names the call and the value.
 * Nothing here allocates unless it throws.
 */
final class DmaArgs {
    private DmaArgs() {
    }

    /** A direction a mapping, unmap or sync may carry: not null, not {@code NONE}. */
    static void direction(String call, DmaDirection dir) {
        if (dir == null || !dir.isValidForMapping()) {
            throw new IllegalArgumentException(call + ": direction must be BIDIRECTIONAL, TO_DEVICE or FROM_DEVICE, got "
                    + dir + " (Linux: BUG_ON(!valid_dma_direction(dir)))");
        }
    }

    static void attrs(String call, int attrs) {
        if (!DmaAttrs.isKnown(attrs)) {
            throw new IllegalArgumentException(String.format("%s: unknown DMA attribute bits 0x%x in 0x%x",
                    call, attrs & ~DmaAttrs.KNOWN, attrs));
        }
    }

    static void size(String call, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException(call + ": size must be positive, got " + size);
        }
    }

    /** A physical range {@code [phys, phys+size)} inside the 63-bit physical space. */
    static void physRange(String call, long phys, long size) {
        size(call, size);
        if (phys < 0 || phys + size < phys) {
            throw new IllegalArgumentException(String.format("%s: physical range 0x%x+0x%x overflows the 63-bit physical space",
                    call, phys, size));
        }
    }

    /**
     * Memory that exists: a streaming mapping's range in one RAM region, a resource mapping's
     * ({@code dma_map_resource}, {@code DMA_ATTR_MMIO}) in RAM or one declared MMIO region.
     * Checked before any backend sees the call, so mapping memory that does not exist (which an
     * IOMMU would happily put in its tables) changes nothing.
     */
    static void exists(String call, AddressMap map, long phys, long size, boolean resource) {
        if (resource ? map.isResource(phys, size) : map.isRam(phys, size)) {
            return;
        }
        throw new IllegalArgumentException(String.format(resource
                ? "%s: physical range 0x%x+0x%x is neither RAM nor a declared MMIO region (%s); nothing was mapped"
                : "%s: physical range 0x%x+0x%x is not RAM (%s), so there is nothing to map (Linux maps only memory that "
                        + "has a struct page, pfn_valid); nothing was mapped. For MMIO use dma_map_resource",
                call, phys, size, map.describe()));
    }

    /**
     * Linux {@code dma_max_mapping_size()}: drivers must not map more in one mapping (nvme,
     * virtio-blk and the block layer size their requests by it). Refused before the backend is
     * called, so an oversized mapping touches no IOVA space, table or pool.
     */
    static void maxSize(String call, long size, long max, String backend) {
        if (Long.compareUnsigned(size, max) > 0) {
            throw new IllegalArgumentException(String.format("%s: %d bytes is more than dma_max_mapping_size() = %d bytes of "
                    + "this device on backend %s; nothing was mapped", call, size, max, backend));
        }
    }

    /** Every CPU entry of the first {@code nents} of {@code sg} in RAM (a scatterlist holds pages). */
    static void sgExists(String call, AddressMap map, SgTable sg, int nents) {
        for (int i = 0; i < nents; i++) {
            long p = sg.cpuPhys(i);
            int len = sg.cpuLength(i);
            if (!map.isRam(p, len)) {
                throw new IllegalArgumentException(String.format("%s: sg entry %d, physical range 0x%x+0x%x, is not RAM (%s); "
                        + "nothing was mapped", call, i, p, len, map.describe()));
            }
        }
    }

    /** A page address and an offset into it, as {@code dma_map_page} takes them. */
    static void page(String call, long pagePhys, long offset) {
        if ((pagePhys & (PageAllocator.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException(String.format("%s: page address 0x%x is not page-aligned (%d bytes)",
                    call, pagePhys, PageAllocator.PAGE_SIZE));
        }
        if (offset < 0) {
            throw new IllegalArgumentException(call + ": offset must not be negative, got " + offset);
        }
        if (pagePhys < 0 || pagePhys + offset < pagePhys) {
            throw new IllegalArgumentException(String.format("%s: page 0x%x + offset 0x%x overflows the 63-bit physical space",
                    call, pagePhys, offset));
        }
    }

    /** A DMA range {@code [dma, dma+size)} that does not wrap around the 64-bit bus space. */
    static void dmaRange(String call, long dmaAddr, long size) {
        size(call, size);
        if (Long.compareUnsigned(dmaAddr + size - 1, dmaAddr) < 0) {
            throw new IllegalArgumentException(String.format("%s: DMA range 0x%x+0x%x wraps around the 64-bit bus space",
                    call, dmaAddr, size));
        }
    }

    /** A table and an entry count in {@code 1..origNents}. */
    static void sg(String call, SgTable sg, int nents) {
        if (sg == null) {
            throw new IllegalArgumentException(call + ": sg table must not be null");
        }
        if (nents < 1 || nents > sg.origNents()) {
            throw new IllegalArgumentException(call + ": nents " + nents + " outside 1.." + sg.origNents()
                    + " (the table's CPU entries)");
        }
    }

    static void mask(String call, long mask) {
        if (!DmaMasks.isValidMask(mask)) {
            throw new IllegalArgumentException(String.format("%s: DMA mask must be 2^n-1 with n in 1..64, got 0x%x", call, mask));
        }
    }
}
