package org.iommulab.replay.internal.engine;

import org.iommulab.api.checker.FindingKind;

/**
 * Misuse of the DMA API found while replaying, in dma-debug's categories
 * ({@code kernel/dma/debug.c} check_unmap and check_sync). Mismatches are what the platform's
 * checker reported with a {@link org.iommulab.api.dma.DmaUsageException}, classified by its
 * dma-debug wording; {@link #NEVER_MAPPED} of an address the replay never handed out is decided
 * by the replay itself, without calling the platform with an address that may belong to another
 * replayed mapping.
 */
public enum MisuseKind {
    /** Unmap, sync or free of something never mapped ("has not allocated", "invalid DMA memory address"). */
    NEVER_MAPPED,
    /** "frees DMA memory with different size". */
    SIZE_MISMATCH,
    /** "with different direction", and syncs against the mapping's direction ("read-only", "write-only"). */
    DIRECTION_MISMATCH,
    /** "frees DMA memory with wrong function". */
    WRONG_FUNCTION,
    /** "sg list with different entry count". */
    SG_COUNT_MISMATCH,
    /** "syncs DMA memory outside allocated range". */
    SYNC_OUTSIDE_RANGE,
    /** "frees DMA memory with different CPU address". */
    CPU_ADDRESS_MISMATCH,
    /** Sync of coherent memory, which is never synced. */
    SYNC_COHERENT,
    /** Mapping an sg table that is already mapped. */
    ALREADY_MAPPED,
    /** Any other refusal. */
    OTHER;

    /**
     * The kind of a {@link org.iommulab.api.dma.DmaUsageException} message: by the checker's
     * {@link FindingKind} wording first, then by dma-debug's key phrases.
     */
    public static MisuseKind classify(String message) {
        String m = message == null ? "" : message;
        for (FindingKind k : FindingKind.values()) {
            if (m.contains(k.message())) {
                return of(k);
            }
        }
        if (m.contains("has not allocated") || m.contains("invalid DMA memory address")) {
            return NEVER_MAPPED;
        }
        if (m.contains("different size")) {
            return SIZE_MISMATCH;
        }
        if (m.contains("different direction") || m.contains("read-only") || m.contains("write-only")) {
            return DIRECTION_MISMATCH;
        }
        if (m.contains("wrong function")) {
            return WRONG_FUNCTION;
        }
        if (m.contains("entry count")) {
            return SG_COUNT_MISMATCH;
        }
        if (m.contains("outside allocated range")) {
            return SYNC_OUTSIDE_RANGE;
        }
        if (m.contains("different CPU address")) {
            return CPU_ADDRESS_MISMATCH;
        }
        if (m.contains("coherent")) {
            return SYNC_COHERENT;
        }
        if (m.contains("already mapped")) {
            return ALREADY_MAPPED;
        }
        return OTHER;
    }

    /** The misuse a checker finding of kind {@code k} stands for. */
    public static MisuseKind of(FindingKind k) {
        switch (k) {
            case UNMAP_INVALID_ADDRESS:
            case UNMAP_NOT_MAPPED:
            case SYNC_NOT_MAPPED:
                return NEVER_MAPPED;
            case UNMAP_SIZE_MISMATCH:
                return SIZE_MISMATCH;
            case UNMAP_DIRECTION_MISMATCH:
            case SYNC_DIRECTION_MISMATCH:
            case SYNC_READ_ONLY_FOR_CPU:
            case SYNC_WRITE_ONLY_FOR_DEVICE:
                return DIRECTION_MISMATCH;
            case UNMAP_WRONG_FUNCTION:
                return WRONG_FUNCTION;
            case UNMAP_SG_COUNT_MISMATCH:
            case SYNC_SG_COUNT_MISMATCH:
                return SG_COUNT_MISMATCH;
            case SYNC_OUT_OF_RANGE:
                return SYNC_OUTSIDE_RANGE;
            case UNMAP_CPU_ADDRESS_MISMATCH:
                return CPU_ADDRESS_MISMATCH;
            case SG_ALREADY_MAPPED:
                return ALREADY_MAPPED;
            default:
                return OTHER;
        }
    }
}
