package org.iommulab.swiotlb.internal.pool;

import static org.iommulab.api.swiotlb.SwiotlbPool.IO_TLB_SEGSIZE;
import static org.iommulab.api.swiotlb.SwiotlbPool.IO_TLB_SHIFT;
import static org.iommulab.api.swiotlb.SwiotlbPool.IO_TLB_SIZE;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.api.swiotlb.SwiotlbStats;
import org.iommulab.swiotlb.internal.direct.DmaRangeMap;

/**
 * One swiotlb pool: its slots ({@link SlotAllocator}) over pages of simulated memory below
 * 4 GiB, with Linux's map, unmap, sync and bounce copies (kernel/dma/swiotlb.c). Thread-safe:
 * the slot table locks per area; copies run outside the locks, as in Linux, on slots the
 * caller owns.
 */
public final class BouncePool implements SwiotlbPool {
    private final PhysicalMemory memory;
    private final PageAllocator allocator;
    private final SlotAllocator slots;
    private final long start;
    private final long end;

    private final AtomicLong mappings = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong bytesToDevice = new AtomicLong();
    private final AtomicLong bytesFromDevice = new AtomicLong();
    private final AtomicBoolean alignWarned = new AtomicBoolean();
    /** No new bounce buffer after {@link #close}; the live ones keep working until they are released. */
    private volatile boolean closed;
    /** The pages went back to the allocator: closed and no bounce buffer left. */
    private volatile boolean freed;

    /**
     * Linux {@code swiotlb_init_remap} / {@code swiotlb_init_io_tlb_pool}: takes the pool's
     * pages from {@link Zone#DMA32} ({@code memblock_alloc_low}) and zeroes them.
     *
     * @throws IllegalStateException when the allocator has no such room below 4 GiB
     */
    public BouncePool(PhysicalMemory memory, PageAllocator allocator, PoolGeometry geometry) {
        if (memory == null || allocator == null || geometry == null) {
            throw new IllegalArgumentException("swiotlb pool needs memory, an allocator and a geometry");
        }
        this.memory = memory;
        this.allocator = allocator;
        this.slots = new SlotAllocator(geometry.nslabs(), geometry.nareas());
        long pages = geometry.bytes() / PageAllocator.PAGE_SIZE;
        long base = allocator.allocPages(pages, Zone.DMA32);
        if (base == PageAllocator.NO_MEMORY) {
            throw new IllegalStateException("swiotlb: cannot allocate " + geometry.bytes()
                    + " bytes below 4 GiB for the bounce pool (" + geometry + ")");
        }
        this.start = base;
        this.end = base + geometry.bytes();
        memory.fill(base, geometry.bytes(), (byte) 0);
    }

    /**
     * Closes the pool: every later map throws. Bounce buffers still live (a device behind an
     * IOMMU may hold some when the pool's service goes) keep working, unmap, sync and
     * {@link #releaseAll} included, and the pool's pages go back to the allocator when the last
     * of them is released, at once when there is none: a pool lives as long as its buffers, as
     * Linux frees a swiotlb pool only once it is empty. Freeing the pages under a live buffer
     * would let a device write into whatever the allocator hands them to next, and lose the
     * bytes its unmap should copy back. Idempotent.
     */
    public void close() {
        closed = true;
        freeIfDrained();
    }

    /** Frees the pages once the pool is closed and holds no bounce buffer; runs at most once. */
    private void freeIfDrained() {
        if (!closed || freed || slots.usedSlots() != 0) {
            return;
        }
        synchronized (this) {
            if (!freed && slots.usedSlots() == 0) {
                freed = true;
                allocator.free(start);
            }
        }
    }

    /** True once {@link #close} was called and no bounce buffer was left: the pages are back with the allocator. */
    public boolean isFreed() {
        return freed;
    }

    /** The slot table, for tests and statistics. */
    SlotAllocator slots() {
        return slots;
    }

    // ---- map ---------------------------------------------------------------------------------

    @Override
    public long map(DmaDevice dev, long orig, long size, long allocAlignMask, DmaDirection dir, int attrs) {
        return map(dev, orig, size, allocAlignMask, dir, attrs, false);
    }

    @Override
    public long mapZeroPadded(DmaDevice dev, long orig, long size, long allocAlignMask, DmaDirection dir, int attrs) {
        return map(dev, orig, size, allocAlignMask, dir, attrs, true);
    }

    /** Linux {@code swiotlb_tbl_map_single}. */
    private long map(DmaDevice dev, long orig, long size, long allocAlignMask, DmaDirection dir, int attrs,
            boolean zeroPadding) {
        checkOpen();
        checkDevice(dev);
        checkDirection(dir);
        checkAttrs(attrs);
        if (size <= 0) {
            throw new IllegalArgumentException("swiotlb map size must be positive, got " + size);
        }
        if (orig < 0 || orig + size < orig) {
            throw new IllegalArgumentException(String.format("swiotlb map of 0x%x+%d overflows the physical space", orig, size));
        }
        if (!memory.isRam(orig, size)) {
            throw new IllegalArgumentException(String.format(
                    "swiotlb cannot bounce 0x%x+%d: not RAM (or not within one RAM region)", orig, size));
        }
        if (allocAlignMask < 0 || allocAlignMask > 0xffff_ffffL || (allocAlignMask & (allocAlignMask + 1)) != 0) {
            throw new IllegalArgumentException("swiotlb alloc_align_mask must be 0 or 2^n-1 below 2^32, got 0x"
                    + Long.toHexString(allocAlignMask));
        }
        // dev_WARN_ONCE: a larger alignment may leave no slot for mappings near the maximum size.
        if (allocAlignMask > PageAllocator.PAGE_SIZE - 1 && alignWarned.compareAndSet(false, true)) {
            dev.warn("Alloc alignment may prevent fulfilling requests with max mapping_size");
        }
        long minAlignMask = minAlignMask(dev);
        long boundaryMask = dev.descriptor().segmentBoundaryMask();
        long poolDma = DmaRangeMap.physToDma(dev.descriptor().dmaRanges(), start);
        // Alignment is checked on the slots' DMA addresses; a pool the device's range map does
        // not cover (behind an IOMMU, say) is checked on its physical addresses instead.
        long tblDmaAddr = (poolDma == DmaMasks.MAPPING_ERROR ? start : poolDma) & boundaryMask;

        int head = size > SlotAllocator.MAX_ALLOC_SIZE ? -1
                : slots.allocate(callerArea(), orig, size, allocAlignMask, minAlignMask, boundaryMask, tblDmaAddr, dev);
        if (head < 0) {
            failures.incrementAndGet();
            if (!DmaAttrs.has(attrs, DmaAttrs.NO_WARN)) {
                dev.warn(String.format("swiotlb buffer is full (sz: %d bytes), total %d (slots), used %d (slots)",
                        SlotAllocator.allocationSize(orig, size, allocAlignMask, minAlignMask), slots.nslabs(),
                        slots.usedSlots()));
            }
            return DmaMasks.MAPPING_ERROR;
        }
        long tlbAddr = slotAddr(head) + slots.alignOffset(head);
        // Always copy the original in, whatever the direction: a device that writes only part
        // of a FROM_DEVICE buffer must not leave stale pool bytes behind (CVE-2022-0854 fix).
        memory.copy(orig, tlbAddr, size);
        bytesToDevice.addAndGet(size);
        mappings.incrementAndGet();
        if (zeroPadding) {
            long allocStart = slotAddr(slots.firstSlot(head));
            long allocEnd = allocStart + slots.allocationBytes(head);
            zero(allocStart, tlbAddr - allocStart);
            zero(tlbAddr + size, allocEnd - (tlbAddr + size));
        }
        return tlbAddr;
    }

    private void zero(long addr, long len) {
        if (len > 0) {
            memory.fill(addr, len, (byte) 0);
        }
    }

    // ---- unmap and sync ----------------------------------------------------------------------

    /** Linux {@code swiotlb_tbl_unmap_single}: sync for the CPU unless skipped, then release. */
    @Override
    public long unmap(DmaDevice dev, long bounce, long size, DmaDirection dir, int attrs) {
        checkNotFreed();
        checkDevice(dev);
        checkDirection(dir);
        checkAttrs(attrs);
        checkSize(size);
        if (slots.liveHead(bounce - start) < 0) {
            throw new DmaUsageException(String.format(
                    "swiotlb: unmap of 0x%x, which is not the address of a live bounce buffer", bounce));
        }
        long copied = 0;
        if (!DmaAttrs.has(attrs, DmaAttrs.SKIP_CPU_SYNC) && dir.deviceWrites()) {
            copied = bounce(dev, bounce, size, false);
        }
        if (!slots.release(bounce - start)) {
            throw new DmaUsageException(String.format("swiotlb: 0x%x was unmapped concurrently", bounce));
        }
        freeIfDrained();
        return copied;
    }

    /** Linux {@code swiotlb_sync_single_for_cpu}. */
    @Override
    public long syncForCpu(DmaDevice dev, long bounce, long size, DmaDirection dir) {
        checkSync(dev, bounce, size, dir);
        return dir.deviceWrites() ? bounce(dev, bounce, size, false) : 0;
    }

    /** Linux {@code swiotlb_sync_single_for_device}: FROM_DEVICE copies nothing (ath9k re-arms with it). */
    @Override
    public long syncForDevice(DmaDevice dev, long bounce, long size, DmaDirection dir) {
        checkSync(dev, bounce, size, dir);
        return dir.deviceReads() ? bounce(dev, bounce, size, true) : 0;
    }

    private void checkSync(DmaDevice dev, long bounce, long size, DmaDirection dir) {
        checkNotFreed();
        checkDevice(dev);
        checkDirection(dir);
        checkSize(size);
        if (slots.liveSlot(bounce - start) < 0) {
            throw new DmaUsageException(String.format(
                    "swiotlb: sync of 0x%x, which is not inside a live bounce buffer", bounce));
        }
    }

    /**
     * Linux {@code swiotlb_bounce}: copies between {@code tlbAddr} and the matching original
     * bytes; the original is found from the slot's {@code orig_addr} and the position inside
     * the slot, so a sync at an offset copies exactly the bytes asked for. A size past the
     * allocation's end is clamped with Linux's warning.
     */
    private long bounce(DmaDevice dev, long tlbAddr, long size, boolean toDevice) {
        int index = (int) ((tlbAddr - start) >>> IO_TLB_SHIFT);
        long origAddr = slots.origAddr(index);
        long allocSize = slots.allocSize(index);
        // May be negative past the first slot: the min_align offset shifts every slot alike.
        long tlbOffset = (tlbAddr & (IO_TLB_SIZE - 1)) - slots.alignOffset(index);
        origAddr += tlbOffset;
        allocSize -= tlbOffset;
        if (size > allocSize) {
            dev.warn(String.format("Buffer overflow detected. Allocation size: %d. Mapping size: %d.", allocSize, size));
            size = Math.max(allocSize, 0);
        }
        if (size > 0) {
            if (toDevice) {
                memory.copy(origAddr, tlbAddr, size);
                bytesToDevice.addAndGet(size);
            } else {
                memory.copy(tlbAddr, origAddr, size);
                bytesFromDevice.addAndGet(size);
            }
        }
        return size;
    }

    // ---- the rest ----------------------------------------------------------------------------

    @Override
    public boolean isBounce(long phys) {
        return !freed && phys >= start && phys < end;
    }

    /** Linux {@code swiotlb_max_mapping_size}. */
    @Override
    public long maxMappingSize(DmaDevice dev) {
        checkDevice(dev);
        long minAlignMask = minAlignMask(dev);
        long minAlign = minAlignMask == 0 ? 0 : (minAlignMask + IO_TLB_SIZE - 1) / IO_TLB_SIZE * IO_TLB_SIZE;
        return (long) IO_TLB_SIZE * IO_TLB_SEGSIZE - minAlign;
    }

    /** Works on a closed pool too (its last buffers may be the device's); on a freed one nothing is live: 0. */
    @Override
    public int releaseAll(DmaDevice dev) {
        checkDevice(dev);
        if (freed) {
            return 0;
        }
        String name = dev.name();
        int released = slots.releaseIf(o -> o == dev || o instanceof DmaDevice && name.equals(((DmaDevice) o).name()));
        freeIfDrained();
        return released;
    }

    @Override
    public SwiotlbStats stats() {
        return new SwiotlbStats(start, slots.nslabs(), slots.nareas(), slots.usedSlots(), slots.highWaterSlots(),
                slots.liveAllocations(), mappings.get(), failures.get(), bytesToDevice.get(), bytesFromDevice.get());
    }

    private long slotAddr(int index) {
        return start + ((long) index << IO_TLB_SHIFT);
    }

    /** Linux {@code dma_get_min_align_mask} returns an {@code unsigned int}. */
    private static long minAlignMask(DmaDevice dev) {
        return dev.descriptor().minAlignMask() & 0xffff_ffffL;
    }

    /**
     * The area a search starts in, Linux's {@code raw_smp_processor_id() & (nareas - 1)}: here
     * a hash of the calling thread, so threads spread over the areas and contend less.
     */
    @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+
    private int callerArea() {
        long id = Thread.currentThread().getId();
        return (int) ((id * 0x9E37_79B9_7F4A_7C15L) >>> 40);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("swiotlb pool is closed");
        }
    }

    private void checkNotFreed() {
        if (freed) {
            throw new IllegalStateException("swiotlb pool is closed and its memory given back");
        }
    }

    private static void checkDevice(DmaDevice dev) {
        if (dev == null) {
            throw new IllegalArgumentException("swiotlb needs the device");
        }
    }

    private static void checkDirection(DmaDirection dir) {
        if (dir == null || !dir.isValidForMapping()) {
            throw new IllegalArgumentException("swiotlb needs a mapping direction, got " + dir);
        }
    }

    private static void checkAttrs(int attrs) {
        if (!DmaAttrs.isKnown(attrs)) {
            throw new IllegalArgumentException("unknown DMA attribute bits 0x" + Integer.toHexString(attrs & ~DmaAttrs.KNOWN));
        }
    }

    private static void checkSize(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("swiotlb size must be positive, got " + size);
        }
    }
}
