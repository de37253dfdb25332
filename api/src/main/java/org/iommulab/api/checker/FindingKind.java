package org.iommulab.api.checker;

/**
 * What the checker found, with Linux's dma-debug wording ({@code kernel/dma/debug.c}) where
 * Linux has a check; the kinds marked "beyond Linux" are this model's own.
 */
public enum FindingKind {
    // ---- unmap (check_unmap) ----
    UNMAP_INVALID_ADDRESS("device driver tries to free an invalid DMA memory address"),
    UNMAP_NOT_MAPPED("device driver tries to free DMA memory it has not allocated"),
    UNMAP_SIZE_MISMATCH("device driver frees DMA memory with different size"),
    UNMAP_WRONG_FUNCTION("device driver frees DMA memory with wrong function"),
    UNMAP_CPU_ADDRESS_MISMATCH("device driver frees DMA memory with different CPU address"),
    UNMAP_SG_COUNT_MISMATCH("device driver frees DMA sg list with different entry count"),
    UNMAP_DIRECTION_MISMATCH("device driver frees DMA memory with different direction"),
    MAP_ERROR_NOT_CHECKED("device driver failed to check map error"),
    // ---- sync (check_sync) ----
    SYNC_NOT_MAPPED("device driver tries to sync DMA memory it has not allocated"),
    SYNC_OUT_OF_RANGE("device driver syncs DMA memory outside allocated range"),
    SYNC_DIRECTION_MISMATCH("device driver syncs DMA memory with different direction"),
    SYNC_READ_ONLY_FOR_CPU("device driver syncs device read-only DMA memory for cpu"),
    SYNC_WRITE_ONLY_FOR_DEVICE("device driver syncs device write-only DMA memory to device"),
    SYNC_SG_COUNT_MISMATCH("device driver syncs DMA sg list with different entry count"),
    // ---- map ----
    SG_SEGMENT_TOO_LONG("mapping sg segment longer than device claims to support"),
    SG_SEGMENT_ACROSS_BOUNDARY("mapping sg segment across boundary"),
    OVERLAPPING_MAPPING("cacheline tracking EEXIST, overlapping mappings aren't supported"),
    SG_ALREADY_MAPPED("device driver maps an sg table that is already mapped"),
    // ---- release ----
    LEAK("device driver has pending DMA allocations while released from device"),
    // ---- beyond Linux ----
    /** The CPU touched a streaming buffer while the device owns it (mapped, not synced for the CPU). */
    CPU_ACCESS_DEVICE_OWNED("cpu touches a streaming DMA buffer the device owns"),
    /** The CPU touched memory that no allocation holds. */
    CPU_ACCESS_UNALLOCATED("cpu touches memory outside any allocation"),
    /** A mapping lets the device reach bytes of other allocations that share its pages. */
    SUB_PAGE_EXPOSURE("mapping exposes other allocations that share its pages"),
    /**
     * In dma-debug's style: the device did DMA through the bus master of a driver that was
     * released since (a swap or unbind). The access was refused and reached no memory.
     */
    DMA_AFTER_RELEASE("device DMA after driver release"),
    /**
     * Beyond Linux: a CPU access that starts inside one entry of an sg table (an address taken
     * from the table's CPU view or an {@code SgMiter}) and runs past that entry's end, whatever
     * lies beyond: the seed case's bug of treating DMA segment N as CPU entry N, caught even when
     * the bytes past the entry are a neighbour's. Last, so the constants before it keep their
     * order.
     */
    CPU_ACCESS_PAST_SG_ENTRY("cpu access runs past the end of the sg entry it started in");

    private final String linuxMessage;

    FindingKind(String linuxMessage) {
        this.linuxMessage = linuxMessage;
    }

    /** The message after Linux's "DMA-API: " prefix (or this model's own, for its checks). */
    public String message() {
        return linuxMessage;
    }
}
