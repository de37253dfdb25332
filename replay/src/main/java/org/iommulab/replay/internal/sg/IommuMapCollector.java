package org.iommulab.replay.internal.sg;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.replay.internal.parse.EventKind;
import org.iommulab.replay.internal.parse.TraceEvent;

/**
 * Pairs {@code iommu:map} events with the DMA-API call that produced them. The iommu events
 * name no device ({@code include/trace/events/iommu.h}: map prints only iova, paddr, size), so
 * the pairing is by CPU and task, and by order: Linux emits {@code trace_map} inside
 * {@code iommu_map_nosync} (drivers/iommu/iommu.c), called from {@code iommu_map_sg} for each
 * physically contiguous run of entries, while {@code __dma_map_sg_attrs}
 * (kernel/dma/mapping.c) emits {@code trace_dma_map_sg} only after {@code iommu_dma_map_sg}
 * returned. So the maps of a dma_map_sg call are the ones that <em>precede</em> it on the same
 * CPU by the same task, after the previous DMA-API event on that CPU. Memory is bounded: at most
 * {@value #MAX_PENDING} maps are kept per CPU.
 */
public final class IommuMapCollector {
    static final int MAX_PENDING = 1024;

    private final Map<Integer, Pending> byCpu = new HashMap<>();

    private static final class Pending {
        final List<IommuMap> maps = new ArrayList<>();
        boolean overflowed;
    }

    /**
     * Feeds the next event in trace order. Returns, for a {@code dma_map_sg} event, the maps
     * that preceded it; for every other event {@link PrecedingMaps#NONE}. Every DMA-API event
     * closes its CPU's window.
     */
    public PrecedingMaps accept(TraceEvent e) {
        if (e.kind() == EventKind.IOMMU_MAP) {
            Pending p = byCpu.computeIfAbsent(e.cpu(), c -> new Pending());
            if (p.maps.size() < MAX_PENDING) {
                p.maps.add(new IommuMap(e.iova(), e.physAddr(), e.size(), e.pid(), e.line()));
            } else {
                p.overflowed = true;
            }
            return PrecedingMaps.NONE;
        }
        if (!e.kind().isDma()) {
            return PrecedingMaps.NONE;
        }
        Pending p = byCpu.remove(e.cpu());
        if (p == null || e.kind() != EventKind.DMA_MAP_SG) {
            return PrecedingMaps.NONE;
        }
        List<IommuMap> mine = new ArrayList<>(p.maps.size());
        for (IommuMap m : p.maps) {
            if (m.pid() == e.pid()) {
                mine.add(m);
            }
        }
        return new PrecedingMaps(mine, !p.overflowed);
    }
}
