package org.iommulab.devices.internal.mmc;

import org.iommulab.api.dma.SgTable;

/**
 * Where a driver puts (or takes) the bytes of a DMA segment that the host's DMA engine did not
 * move: the one decision in which the seed case's two MMC drivers differ.
 */
interface PioPlacement {
    /** One CPU range: {@code length} bytes at physical address {@code phys}, at {@code bufferOffset} of the PIO buffer. */
    @FunctionalInterface
    interface Chunk {
        void at(long phys, int bufferOffset, int length);
    }

    /**
     * Calls {@code chunk} for the CPU ranges the driver uses for the {@code length} PIO bytes that
     * come {@code inSegment} bytes into DMA segment {@code segment}, which is byte
     * {@code transferOffset} of the whole transfer.
     */
    void locate(SgTable sg, int segment, int inSegment, long transferOffset, int length, Chunk chunk);

    /**
     * The CPU entry this placement takes DMA segment {@code segment} to be, or -1 for a
     * placement that finds bytes through the CPU view and pairs nothing.
     */
    default int pairedEntry(int segment) {
        return -1;
    }
}
