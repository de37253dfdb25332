package org.iommulab.platform.internal.dma;

/**
 * What kind of call made a live mapping, dma-debug's entry types with their names as
 * {@code type2name} in Linux {@code kernel/dma/debug.c} prints them: a mapping must be released
 * by the matching call ("frees DMA memory with wrong function").
 */
public enum MappingType {
    /** {@code dma_map_page} / {@code dma_map_phys} / {@code dma_map_single}. */
    SINGLE("single"),
    /** {@code dma_map_sg} / {@code dma_map_sgtable}. */
    SCATTER_GATHER("scatter-gather"),
    /** {@code dma_alloc_coherent}. */
    COHERENT("coherent"),
    /** {@code dma_map_resource}: MMIO by physical address. */
    PHYS("phy");

    private final String linuxName;

    MappingType(String linuxName) {
        this.linuxName = linuxName;
    }

    /** The name dma-debug prints ("mapped as %s"). */
    public String linuxName() {
        return linuxName;
    }

    /** Single and resource mappings: those {@code dma_sync_single_*} may sync. */
    public boolean isStreamingSingle() {
        return this == SINGLE || this == PHYS;
    }
}
