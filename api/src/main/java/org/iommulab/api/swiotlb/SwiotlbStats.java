package org.iommulab.api.swiotlb;

/**
 * A snapshot of a {@link SwiotlbPool}: its geometry, occupancy (Linux's debugfs
 * {@code io_tlb_nslabs}, {@code io_tlb_used}, {@code io_tlb_used_hiwater}) and traffic.
 * Immutable.
 */
public final class SwiotlbStats {
    private final long poolStart;
    private final long totalSlots;
    private final int areas;
    private final long usedSlots;
    private final long highWaterSlots;
    private final long liveMappings;
    private final long mappings;
    private final long failures;
    private final long bytesToDevice;
    private final long bytesFromDevice;

    public SwiotlbStats(long poolStart, long totalSlots, int areas, long usedSlots, long highWaterSlots,
            long liveMappings, long mappings, long failures, long bytesToDevice, long bytesFromDevice) {
        this.poolStart = poolStart;
        this.totalSlots = totalSlots;
        this.areas = areas;
        this.usedSlots = usedSlots;
        this.highWaterSlots = highWaterSlots;
        this.liveMappings = liveMappings;
        this.mappings = mappings;
        this.failures = failures;
        this.bytesToDevice = bytesToDevice;
        this.bytesFromDevice = bytesFromDevice;
    }

    /** Physical address of the first slot. */
    public long poolStart() {
        return poolStart;
    }

    /** Bytes of simulated memory the pool occupies. */
    public long poolBytes() {
        return totalSlots << SwiotlbPool.IO_TLB_SHIFT;
    }

    /** Linux {@code io_tlb_nslabs}. */
    public long totalSlots() {
        return totalSlots;
    }

    /** Number of areas, each searched under its own lock. */
    public int areas() {
        return areas;
    }

    /** Linux {@code io_tlb_used}: slots allocated now, padding included. */
    public long usedSlots() {
        return usedSlots;
    }

    /** Linux {@code io_tlb_used_hiwater}: the most slots allocated at once. */
    public long highWaterSlots() {
        return highWaterSlots;
    }

    /** Bounce buffers mapped now. */
    public long liveMappings() {
        return liveMappings;
    }

    /** Successful maps since the pool was created. */
    public long mappings() {
        return mappings;
    }

    /** Maps that found no room ("swiotlb buffer is full"). */
    public long failures() {
        return failures;
    }

    /** Bytes copied from originals into bounce buffers (map and sync for device). */
    public long bytesToDevice() {
        return bytesToDevice;
    }

    /** Bytes copied from bounce buffers back to originals (unmap and sync for CPU). */
    public long bytesFromDevice() {
        return bytesFromDevice;
    }

    @Override
    public String toString() {
        return String.format("swiotlb [0x%x+0x%x) areas %d: used %d/%d slots (hiwater %d), live %d, maps %d,"
                + " full %d, bounced %d to device, %d from device", poolStart, poolBytes(), areas, usedSlots,
                totalSlots, highWaterSlots, liveMappings, mappings, failures, bytesToDevice, bytesFromDevice);
    }
}
