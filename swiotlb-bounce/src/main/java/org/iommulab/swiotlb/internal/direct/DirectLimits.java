package org.iommulab.swiotlb.internal.direct;

import java.util.List;

import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PageAllocator;

/**
 * dma-direct's reach arithmetic, on unsigned 64-bit values as in Linux: {@code dma_capable}
 * ({@code include/linux/dma-direct.h}), {@code dma_direct_supported} and
 * {@code dma_direct_get_required_mask} ({@code kernel/dma/direct.c}).
 */
public final class DirectLimits {
    private DirectLimits() {
    }

    /**
     * Linux {@code dma_capable(dev, addr, size, is_ram)} with a 64-bit {@code dma_addr_t} (so
     * the {@code min_low_pfn} check does not apply): the address is not the mapping error and
     * its last byte is within {@code min_not_zero(*dma_mask, bus_dma_limit)}.
     */
    public static boolean dmaCapable(long addr, long size, long dmaMask, long busDmaLimit) {
        long end = addr + size - 1;
        if (addr == DmaMasks.MAPPING_ERROR) {
            return false;
        }
        return Long.compareUnsigned(end, DmaMasks.minNotZero(dmaMask, busDmaLimit)) <= 0;
    }

    /** First address past the highest RAM region: {@code max_pfn << PAGE_SHIFT}. */
    public static long topOfRam(List<MemoryRegion> ram) {
        long top = 0;
        for (MemoryRegion r : ram) {
            top = Math.max(top, r.end());
        }
        return top;
    }

    /** {@code (max_pfn - 1) << PAGE_SHIFT}: the last page of RAM. */
    static long lastRamPage(List<MemoryRegion> ram) {
        return ((topOfRam(ram) >>> PageAllocator.PAGE_SHIFT) - 1) << PageAllocator.PAGE_SHIFT;
    }

    /**
     * Linux {@code dma_direct_get_required_mask}: the smallest 2^n-1 mask that covers the DMA
     * address of the last page of RAM.
     */
    public static long requiredMask(DmaRangeMap map, List<MemoryRegion> ram) {
        long maxDma = map.physToDma(lastRamPage(ram));
        return Long.highestOneBit(maxDma) * 2 - 1;
    }

    /**
     * Linux {@code dma_direct_supported}: every mask of 32 bits or more (ZONE_DMA32 serves
     * them); a narrower one only if it covers the last page of RAM, since this platform has no
     * ZONE_DMA below DMA32.
     */
    public static boolean supported(long mask, DmaRangeMap map, List<MemoryRegion> ram) {
        if (Long.compareUnsigned(mask, DmaMasks.bits(32)) >= 0) {
            return true;
        }
        return Long.compareUnsigned(mask, map.physToDma(lastRamPage(ram))) >= 0;
    }
}
