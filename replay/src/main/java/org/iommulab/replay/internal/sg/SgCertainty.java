package org.iommulab.replay.internal.sg;

/** How well a dma_map_sg call's CPU entry lengths could be rebuilt from the trace. */
public enum SgCertainty {
    /** The trace pins every length down. */
    CERTAIN,
    /**
     * More than one layout fits the trace. {@link SgRebuild#lengths()} holds a guess (each
     * merged, non-final entry one IOMMU granule) when one fits, else null; replayed only when
     * asked to, and then counted as guessed.
     */
    UNCERTAIN,
    /** The trace lacks the data (arrays capped at 128 entries) or contradicts itself. */
    IMPOSSIBLE
}
