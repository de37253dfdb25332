package org.iommulab.swiotlb.internal.direct;

import java.util.List;

import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DmaRange;
import org.iommulab.api.platform.MemoryRegion;

/**
 * A device's {@code dma_range_map} as arrays, Linux {@code phys_to_dma} and
 * {@code dma_to_phys} ({@code include/linux/dma-direct.h}, {@code translate_phys_to_dma} and
 * {@code translate_dma_to_phys}): identity without ranges; otherwise the first range that
 * holds the address translates it, and an address outside every range gives
 * {@link DmaMasks#MAPPING_ERROR} (to the DMA side) or {@link #NO_PHYS} (to the CPU side).
 * Immutable; translating allocates nothing.
 */
public final class DmaRangeMap {
    /** Linux's {@code (phys_addr_t)-1}: no CPU address for this DMA address. */
    public static final long NO_PHYS = -1L;

    private final long[] cpuStart;
    private final long[] dmaStart;
    private final long[] size;

    public DmaRangeMap(List<DmaRange> ranges) {
        int n = ranges.size();
        cpuStart = new long[n];
        dmaStart = new long[n];
        size = new long[n];
        for (int i = 0; i < n; i++) {
            DmaRange r = ranges.get(i);
            cpuStart[i] = r.cpuStart();
            dmaStart[i] = r.dmaStart();
            size[i] = r.size();
        }
    }

    /** True without a range map: bus addresses are physical addresses. */
    public boolean isIdentity() {
        return size.length == 0;
    }

    /** Linux {@code phys_to_dma}. */
    public long physToDma(long phys) {
        if (size.length == 0) {
            return phys;
        }
        for (int i = 0; i < size.length; i++) {
            if (Long.compareUnsigned(phys, cpuStart[i]) >= 0 && Long.compareUnsigned(phys - cpuStart[i], size[i]) < 0) {
                return dmaStart[i] + (phys - cpuStart[i]);
            }
        }
        // Make dma_capable() fail when no translation is available.
        return DmaMasks.MAPPING_ERROR;
    }

    /** Linux {@code dma_to_phys}. */
    public long dmaToPhys(long dma) {
        if (size.length == 0) {
            return dma;
        }
        for (int i = 0; i < size.length; i++) {
            if (Long.compareUnsigned(dma, dmaStart[i]) >= 0 && Long.compareUnsigned(dma - dmaStart[i], size[i]) < 0) {
                return cpuStart[i] + (dma - dmaStart[i]);
            }
        }
        return NO_PHYS;
    }

    /**
     * {@link #physToDma} straight from a descriptor's range list, without building arrays:
     * for callers that translate once per call (the pool's start, for its alignment rules).
     */
    public static long physToDma(List<DmaRange> ranges, long phys) {
        int n = ranges.size();
        if (n == 0) {
            return phys;
        }
        for (int i = 0; i < n; i++) {
            DmaRange r = ranges.get(i);
            if (Long.compareUnsigned(phys, r.cpuStart()) >= 0 && Long.compareUnsigned(phys - r.cpuStart(), r.size()) < 0) {
                return r.dmaStart() + (phys - r.cpuStart());
            }
        }
        return DmaMasks.MAPPING_ERROR;
    }

    /**
     * Linux {@code dma_direct_all_ram_mapped}: true when every byte of RAM has a DMA address
     * (always, for the identity).
     */
    public boolean coversAllRam(List<MemoryRegion> ram) {
        if (size.length == 0) {
            return true;
        }
        for (MemoryRegion region : ram) {
            long cursor = region.base();
            while (cursor < region.end()) {
                long next = -1;
                for (int i = 0; i < size.length; i++) {
                    if (cursor >= cpuStart[i] && cursor - cpuStart[i] < size[i]) {
                        next = cpuStart[i] + size[i];
                        break;
                    }
                }
                if (next < 0) {
                    return false;
                }
                cursor = next;
            }
        }
        return true;
    }

    /**
     * The largest block size, as a shift of at most {@code maxShift}, such that every
     * naturally aligned block of bus addresses lies wholly inside or wholly outside each range
     * and its image wholly inside or outside each RAM region: the shift at which one
     * translation holds for the whole block ({@code TranslationPort.pageShift}).
     */
    public int blockShift(List<MemoryRegion> ram, int maxShift) {
        int shift = maxShift;
        for (int i = 0; i < size.length; i++) {
            shift = Math.min(shift, alignmentOf(cpuStart[i]));
            shift = Math.min(shift, alignmentOf(dmaStart[i]));
            shift = Math.min(shift, alignmentOf(cpuStart[i] + size[i]));
            shift = Math.min(shift, alignmentOf(dmaStart[i] + size[i]));
        }
        for (MemoryRegion region : ram) {
            shift = Math.min(shift, alignmentOf(region.base()));
            shift = Math.min(shift, alignmentOf(region.end()));
        }
        return shift;
    }

    private static int alignmentOf(long boundary) {
        return Long.numberOfTrailingZeros(boundary); // 64 for 0: aligned to everything
    }
}
