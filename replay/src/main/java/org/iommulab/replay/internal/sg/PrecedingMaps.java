package org.iommulab.replay.internal.sg;

import java.util.List;

/**
 * The {@code iommu:map} events a DMA-API call produced: those on its CPU, by its task, since the
 * previous DMA-API event on that CPU. {@code complete} is false when more were seen than the
 * collector keeps.
 */
public record PrecedingMaps(List<IommuMap> maps, boolean complete) {
    public static final PrecedingMaps NONE = new PrecedingMaps(List.of(), true);

    public PrecedingMaps {
        maps = List.copyOf(maps);
    }

    public boolean isEmpty() {
        return maps.isEmpty();
    }
}
