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
