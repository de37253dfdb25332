package org.iommulab.api.checker;

import org.iommulab.api.dma.DmaDirection;

/**
 * One finding of the checker: the device and backend, the kind, the full message in dma-debug's
 * format ("DMA-API: nic0: device driver frees DMA memory with different size [device
 * address=0x...] [map size=4096 bytes] [unmap size=2048 bytes]"), the mapping involved (address,
 * size, direction; -1 / null where none applies), where the mapping was made and where the
 * offending call was made (the driver's stack frames, outside the platform's own). Immutable.
 */
public final class Finding {
    private final long sequence;
    private final String device;
    private final String backend;
    private final FindingKind kind;
    private final String message;
    private final long dmaAddress;
    private final long size;
    private final DmaDirection direction;
    private final String mappedAt;
    private final String calledAt;

    public Finding(long sequence, String device, String backend, FindingKind kind, String message, long dmaAddress,
            long size, DmaDirection direction, String mappedAt, String calledAt) {
        if (kind == null || device == null) {
            throw new IllegalArgumentException("a finding needs a device and a kind");
        }
        this.sequence = sequence;
        this.device = device;
        this.backend = backend;
        this.kind = kind;
        this.message = message;
        this.dmaAddress = dmaAddress;
        this.size = size;
        this.direction = direction;
        this.mappedAt = mappedAt;
        this.calledAt = calledAt;
    }

    /** Order of the finding on the platform, from 1. */
    public long sequence() {
        return sequence;
    }

    public String device() {
        return device;
    }

    public String backend() {
        return backend;
    }

    public FindingKind kind() {
        return kind;
    }

    /** The whole message, in dma-debug's format. */
    public String message() {
        return message;
    }

    /** DMA address of the mapping involved, or -1. */
    public long dmaAddress() {
        return dmaAddress;
    }

    /** Size of the mapping involved, or -1. */
    public long size() {
        return size;
    }

    /** Direction of the mapping involved, or null. */
    public DmaDirection direction() {
        return direction;
    }

    /** Where the mapping involved was made ("Class.method(File:line)"), or null. */
    public String mappedAt() {
        return mappedAt;
    }

    /** Where the offending call was made, or null. */
    public String calledAt() {
        return calledAt;
    }

    @Override
    public String toString() {
        return message + (calledAt == null ? "" : " at " + calledAt) + (mappedAt == null ? "" : " (mapped at " + mappedAt + ")");
    }
}
