package org.iommulab.api.dma;

/**
 * Direction of a streaming DMA mapping, Linux {@code enum dma_data_direction} with the same
 * numeric values ({@code include/linux/dma-direction.h}).
 */
public enum DmaDirection {
    /** The device may read and write the buffer. */
    BIDIRECTIONAL(0),
    /** The device only reads the buffer (memory to device). */
    TO_DEVICE(1),
    /** The device only writes the buffer (device to memory). */
    FROM_DEVICE(2),
    /** Debugging value; mapping with it is an error, as in Linux ({@code valid_dma_direction}). */
    NONE(3);

    private final int linuxValue;

    DmaDirection(int linuxValue) {
        this.linuxValue = linuxValue;
    }

    /** The value Linux uses for this direction, as it appears in {@code dma:} trace events. */
    public int linuxValue() {
        return linuxValue;
    }

    /** True when the device may read memory under this direction. */
    public boolean deviceReads() {
        return this == BIDIRECTIONAL || this == TO_DEVICE;
    }

    /** True when the device may write memory under this direction. */
    public boolean deviceWrites() {
        return this == BIDIRECTIONAL || this == FROM_DEVICE;
    }

    /** Linux {@code valid_dma_direction()}: every direction but {@link #NONE}. */
    public boolean isValidForMapping() {
        return this != NONE;
    }
}
