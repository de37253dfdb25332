package org.iommulab.iommu.dma.internal.dma;

import java.util.HashMap;
import java.util.Map;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.api.swiotlb.SwiotlbStats;

/**
 * A minimal stand-in for the swiotlb-bounce bundle's pool: a bump allocator in a fixed region
 * that copies exactly as Linux's table says, enough to test iommu-dma's use of the service.
 */
final class FakeSwiotlbPool implements SwiotlbPool {
    private final PhysicalMemory mem;
    private final long base;
    private final long size;
    private long next;
    /** bounce address -> {original, size, allocation start, allocation size}. */
    final Map<Long, long[]> live = new HashMap<>();

    FakeSwiotlbPool(PhysicalMemory mem, long base, long size) {
        this.mem = mem;
        this.base = base;
        this.size = size;
        this.next = base;
    }

    @Override
    public long map(DmaDevice dev, long orig, long len, long allocAlignMask, DmaDirection dir, int attrs) {
        long align = Math.max(allocAlignMask + 1, IO_TLB_SIZE);
        // swiotlb keeps only the bits under the device's min_align_mask.
        long offset = orig & dev.descriptor().minAlignMask() & (allocAlignMask | (IO_TLB_SIZE - 1));
        long start = (next + align - 1) & -align;
        long alloc = (len + offset + align - 1) & -align;
        if (start + alloc > base + size) {
            return DmaMasks.MAPPING_ERROR;
        }
        next = start + alloc;
        long bounce = start + offset;
        mem.copy(orig, bounce, len);
        live.put(bounce, new long[] {orig, len, start, alloc});
        return bounce;
    }

    @Override
    public long mapZeroPadded(DmaDevice dev, long orig, long len, long allocAlignMask, DmaDirection dir, int attrs) {
        long bounce = map(dev, orig, len, allocAlignMask, dir, attrs);
        if (bounce != DmaMasks.MAPPING_ERROR) {
            long[] e = live.get(bounce);
            mem.fill(e[2], bounce - e[2], (byte) 0);
            mem.fill(bounce + len, e[2] + e[3] - bounce - len, (byte) 0);
        }
        return bounce;
    }

    @Override
    public long unmap(DmaDevice dev, long bounce, long len, DmaDirection dir, int attrs) {
        long[] e = live.remove(bounce);
        if (e == null) {
            throw new IllegalStateException("not a live bounce buffer: 0x" + Long.toHexString(bounce));
        }
        if (dir.deviceWrites() && (attrs & DmaAttrs.SKIP_CPU_SYNC) == 0) {
            mem.copy(bounce, e[0], len);
            return len;
        }
        return 0;
    }

    @Override
    public long syncForCpu(DmaDevice dev, long bounce, long len, DmaDirection dir) {
        long[] e = live.get(bounce);
        if (dir.deviceWrites()) {
            mem.copy(bounce, e[0], len);
            return len;
        }
        return 0;
    }

    @Override
    public long syncForDevice(DmaDevice dev, long bounce, long len, DmaDirection dir) {
        long[] e = live.get(bounce);
        if (dir.deviceReads()) {
            mem.copy(e[0], bounce, len);
            return len;
        }
        return 0;
    }

    @Override
    public boolean isBounce(long phys) {
        return phys >= base && phys < base + size;
    }

    @Override
    public long maxMappingSize(DmaDevice dev) {
        return (long) IO_TLB_SIZE * IO_TLB_SEGSIZE;
    }

    @Override
    public int releaseAll(DmaDevice dev) {
        int n = live.size();
        live.clear();
        return n;
    }

    @Override
    public SwiotlbStats stats() {
        return new SwiotlbStats(base, size >> IO_TLB_SHIFT, 1, 0, 0, live.size(), 0, 0, 0, 0);
    }
}
