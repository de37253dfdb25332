package org.iommulab.swiotlb.internal.direct;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;

/**
 * Coherent buffers the dma-direct way, Linux {@code dma_direct_alloc} and
 * {@code __dma_direct_alloc_pages} ({@code kernel/dma/direct.c}): pages from the zone the
 * coherent mask reaches ({@code dma_direct_optimal_gfp_mask}), checked with
 * {@code dma_coherent_ok}, retried in ZONE_DMA32 when the first zone gave memory out of reach,
 * zeroed, with {@code phys_to_dma} as the handle. The same for the swiotlb backend: Linux's
 * {@code swiotlb=force} does not bounce coherent allocations.
 */
final class CoherentAllocator {
    private final DmaDevice dev;
    private final DmaRangeMap map;

    CoherentAllocator(DmaDevice dev, DmaRangeMap map) {
        this.dev = dev;
        this.map = map;
    }

    /** A zeroed buffer within {@code min_not_zero(coherent_dma_mask, bus_dma_limit)}, or null. */
    CoherentAllocation alloc(long size, int attrs) {
        long dmaLimit = DmaMasks.minNotZero(dev.coherentDmaMask(), dev.descriptor().busDmaLimit());
        // dma_direct_optimal_gfp_mask: try the zone the physical limit falls into first.
        long physLimit = map.dmaToPhys(dmaLimit);
        Zone zone = Long.compareUnsigned(physLimit, DmaMasks.bits(32)) <= 0 ? Zone.DMA32 : Zone.NORMAL;
        long pages = (size + PageAllocator.PAGE_SIZE - 1) >>> PageAllocator.PAGE_SHIFT;
        PageAllocator allocator = dev.allocator();
        while (true) {
            long phys = allocator.allocPages(pages, zone);
            if (phys == PageAllocator.NO_MEMORY) {
                return fail(size, attrs, "no free pages in " + zone);
            }
            if (coherentOk(phys, size, dmaLimit)) {
                dev.memory().fill(phys, size, (byte) 0);
                return new CoherentAllocation(phys, map.physToDma(phys), size);
            }
            allocator.free(phys);
            // Out of reach: fall back to ZONE_DMA32 once; there is no ZONE_DMA below it here.
            if (zone == Zone.NORMAL && physLimit != DmaMasks.bits(64)) {
                zone = Zone.DMA32;
                continue;
            }
            return fail(size, attrs, "no memory the coherent mask reaches");
        }
    }

    /** Linux {@code dma_coherent_ok}. */
    private boolean coherentOk(long phys, long size, long dmaLimit) {
        long dma = map.physToDma(phys);
        if (dma == DmaMasks.MAPPING_ERROR) {
            return false;
        }
        return Long.compareUnsigned(dma + size - 1, dmaLimit) <= 0;
    }

    private CoherentAllocation fail(long size, int attrs, String why) {
        if (!DmaAttrs.has(attrs, DmaAttrs.NO_WARN)) {
            dev.warn(String.format("dma_direct_alloc: cannot allocate %d bytes: %s (coherent mask %x, bus limit %x)",
                    size, why, dev.coherentDmaMask(), dev.descriptor().busDmaLimit()));
        }
        return null;
    }

    /** Linux {@code dma_direct_free}: the pages go back to the allocator. */
    void free(CoherentAllocation buffer) {
        dev.allocator().free(buffer.cpuAddress());
    }
}
