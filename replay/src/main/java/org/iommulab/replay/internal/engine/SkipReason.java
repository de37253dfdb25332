package org.iommulab.replay.internal.engine;

/** Why a traced call was not passed to the DMA API. Every skip is counted; none is silent. */
public enum SkipReason {
    /** dma_map_sg whose entry lengths the trace does not pin down (and no --sg-guess). */
    SG_UNCERTAIN,
    /** dma_map_sg the trace cannot describe (arrays capped at 128, inconsistent counts). */
    SG_IMPOSSIBLE,
    /** Unmap, sync or free of a mapping that was itself skipped or failed in the replay. */
    MAP_NOT_REPLAYED,
    /** The trace recorded a failed call (dma_map_sg_err, dma_alloc_sgt_err, an allocation with no address). */
    TRACE_FAILED,
    /**
     * A call with no counterpart in the replay: dma_alloc_sgt of several entries (whose lengths
     * are not traced), a single sync inside an sg segment the replay laid out differently.
     */
    UNSUPPORTED,
    /** The simulated device is unavailable on this backend (refused, no DMA API). */
    DEVICE_UNAVAILABLE,
    /** The simulated RAM had no room for the memory the call names. */
    NO_MEMORY
}
