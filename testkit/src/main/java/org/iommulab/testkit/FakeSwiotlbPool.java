package org.iommulab.testkit;

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
 * A minimal stand-in for the swiotlb-bounce bundle's pool, for testing a backend's use of the
 * {@link SwiotlbPool} service without that bundle: a bump allocator in a fixed region
 * {@code [base, base + size)} (slots are never reused; {@link #releaseAll} forgets them) that
 * copies exactly as Linux's swiotlb does for each direction and each sync, keeps the offset
 * bits under the device's {@code min_align_mask}, and zero-pads on request. A mapping that does
 * not fit returns the mapping error. Unmapping something that is not a live bounce buffer
 * throws IllegalStateException.
 *
 * <p>Thread safety: every method is synchronized on the pool; safe from any thread.
 */
public final class FakeSwiotlbPool implements SwiotlbPool {
    private final PhysicalMemory mem;
    private final long base;
    private final long size;
    private long next;
    /** bounce address -> {original, size, allocation start, allocation size}. */
    private final Map<Long, long[]> live = new HashMap<>();

    /** A pool over {@code [base, base + size)} of {@code mem}; the test owns that memory. */
    public FakeSwiotlbPool(PhysicalMemory mem, long base, long size) {
        this.mem = mem;
        this.base = base;
        this.size = size;
        this.next = base;
    }

    /** Bounce buffers mapped and not yet unmapped. */
    public synchronized int liveCount() {
        return live.size();
    }

    @Override
    public synchronized long map(DmaDevice dev, long orig, long len, long allocAlignMask, DmaDirection dir, int attrs) {
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
    public synchronized long mapZeroPadded(DmaDevice dev, long orig, long len, long allocAlignMask, DmaDirection dir,
            int attrs) {
        long bounce = map(dev, orig, len, allocAlignMask, dir, attrs);
        if (bounce != DmaMasks.MAPPING_ERROR) {
            long[] e = live.get(bounce);
            mem.fill(e[2], bounce - e[2], (byte) 0);
            mem.fill(bounce + len, e[2] + e[3] - bounce - len, (byte) 0);
        }
        return bounce;
    }

    @Override
    public synchronized long unmap(DmaDevice dev, long bounce, long len, DmaDirection dir, int attrs) {
        long[] e = live.remove(bounce);
        if (e == null) {
            throw new IllegalStateException("not a live bounce buffer: 0x" + Long.toHexString(bounce));
        }
        return dir.deviceWrites() && (attrs & DmaAttrs.SKIP_CPU_SYNC) == 0 ? copy(bounce, e[0], len) : 0;
    }

    /** Device to CPU: copies the bounce buffer back to the original when the device wrote. */
    @Override
    public synchronized long syncForCpu(DmaDevice dev, long bounce, long len, DmaDirection dir) {
        return dir.deviceWrites() ? copy(bounce, live.get(bounce)[0], len) : 0;
    }

    /** CPU to device: copies the original into the bounce buffer when the device reads. */
    @Override
    public synchronized long syncForDevice(DmaDevice dev, long bounce, long len, DmaDirection dir) {
        return dir.deviceReads() ? copy(live.get(bounce)[0], bounce, len) : 0;
    }

    /** Copies {@code len} bytes and returns how many it bounced. */
    private long copy(long from, long to, long len) {
        mem.copy(from, to, len);
        return len;
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
    public synchronized int releaseAll(DmaDevice dev) {
        int n = live.size();
        live.clear();
        return n;
    }

    @Override
    public synchronized SwiotlbStats stats() {
        return new SwiotlbStats(base, size >> IO_TLB_SHIFT, 1, 0, 0, live.size(), 0, 0, 0, 0);
    }
}
