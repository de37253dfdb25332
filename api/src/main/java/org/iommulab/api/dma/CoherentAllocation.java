package org.iommulab.api.dma;

/**
 * A coherent buffer from {@link DmaApi#allocCoherent}: the CPU address (in this model the
 * physical address the CPU uses) and the DMA handle the device uses, Linux's return value and
 * {@code *dma_handle} of {@code dma_alloc_coherent}. Immutable.
 */
public final class CoherentAllocation {
    private final long cpuAddress;
    private final long dmaHandle;
    private final long size;

    public CoherentAllocation(long cpuAddress, long dmaHandle, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("coherent allocation size must be positive, got " + size);
        }
        this.cpuAddress = cpuAddress;
        this.dmaHandle = dmaHandle;
        this.size = size;
    }

    /** Where the CPU reads and writes the buffer. */
    public long cpuAddress() {
        return cpuAddress;
    }

    /** Where the device reads and writes the buffer. */
    public long dmaHandle() {
        return dmaHandle;
    }

    /** The size the driver asked for. */
    public long size() {
        return size;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CoherentAllocation)) {
            return false;
        }
        CoherentAllocation c = (CoherentAllocation) o;
        return c.cpuAddress == cpuAddress && c.dmaHandle == dmaHandle && c.size == size;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(cpuAddress) * 31 + Long.hashCode(dmaHandle);
    }

    @Override
    public String toString() {
        return String.format("coherent cpu 0x%x dma 0x%x size %d", cpuAddress, dmaHandle, size);
    }
}
