package org.iommulab.platform.internal.memory;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.util.LongKeyMap;

/**
 * The platform's page allocator: RAM below 4 GiB forms the DMA32 zone, RAM above it the high
 * part of the normal zone, which falls back to DMA32 when it runs out (Linux's zonelist order).
 * Page allocations of up to 512 pages are naturally aligned to their power-of-two size, as the
 * buddy allocator's orders are. kmalloc sizes up to 2 KiB come from power-of-two slabs of at
 * least {@link #KMALLOC_MIN_ALIGN} bytes that share pages; larger sizes take whole pages.
 * Memory is not zeroed on allocation or free, as in Linux: stale data is part of the model.
 * Live allocations are kept in {@link PageBitmaps} and a primitive page-to-slab map, so the
 * queries ({@link #isAllocated}, and the checker's {@link AllocationMap}) allocate nothing.
 * Thread-safe (one lock).
 */
public final class ZonedPageAllocator implements PageAllocator, AllocationMap {
    private static final long FOUR_GIB = 1L << 32;
    /** Largest kmalloc size served from a slab; bigger ones take pages. */
    static final int SLAB_MAX = 2048;
    /** Natural alignment stops at 2 MiB (order 9), a buddy allocator's usual block. */
    private static final long MAX_NATURAL_ALIGN = 512 * PAGE_SIZE;

    private final PhysicalMemory memory;
    private final FreeExtents low = new FreeExtents();
    private final FreeExtents high = new FreeExtents();
    /** Page allocations, slab pages included (each a one-page allocation). */
    private final PageBitmaps pages;
    /** Slab pages by page address. */
    private final LongKeyMap<Slab> slabs = new LongKeyMap<>(64);
    private final Map<Zone, ArrayDeque<Slab>[]> partial = new EnumMap<>(Zone.class);
    private long allocatedBytes;

    public ZonedPageAllocator(PhysicalMemory memory) {
        if (memory == null) {
            throw new IllegalArgumentException("physical memory must not be null");
        }
        this.memory = memory;
        this.pages = new PageBitmaps(memory.regions());
        for (MemoryRegion r : memory.regions()) {
            long base = (r.base() + PAGE_SIZE - 1) & -PAGE_SIZE;
            long end = r.end() & -PAGE_SIZE;
            if (base < FOUR_GIB) {
                long split = Math.min(end, FOUR_GIB);
                if (split > base) {
                    low.add(base, split - base);
                }
            }
            if (end > FOUR_GIB) {
                long from = Math.max(base, FOUR_GIB);
                high.add(from, end - from);
            }
        }
        for (Zone z : Zone.values()) {
            @SuppressWarnings("unchecked")
            ArrayDeque<Slab>[] perClass = new ArrayDeque[Integer.numberOfTrailingZeros(SLAB_MAX) + 1];
            for (int i = 0; i < perClass.length; i++) {
                perClass[i] = new ArrayDeque<>();
            }
            partial.put(z, perClass);
        }
    }

    /** The memory this allocator hands out. */
    public PhysicalMemory memory() {
        return memory;
    }

    @Override
    public synchronized long allocPages(long count, Zone zone) {
        if (count <= 0) {
            throw new IllegalArgumentException("page count must be positive, got " + count);
        }
        if (zone == null) {
            throw new IllegalArgumentException("zone must not be null");
        }
        if (count > Long.MAX_VALUE / PAGE_SIZE) {
            return NO_MEMORY;
        }
        long bytes = count * PAGE_SIZE;
        long addr = take(bytes, Math.min(roundUpPow2(bytes), MAX_NATURAL_ALIGN), zone);
        if (addr == NO_MEMORY) {
            return NO_MEMORY;
        }
        pages.mark(addr, bytes);
        allocatedBytes += bytes;
        return addr;
    }

    @Override
    public synchronized long kmalloc(long size, Zone zone) {
        if (size <= 0) {
            throw new IllegalArgumentException("kmalloc size must be positive, got " + size);
        }
        if (zone == null) {
            throw new IllegalArgumentException("zone must not be null");
        }
        if (size > SLAB_MAX) {
            return allocPages((size + PAGE_SIZE - 1) / PAGE_SIZE, zone);
        }
        int objectSize = (int) Math.max(KMALLOC_MIN_ALIGN, roundUpPow2(size));
        ArrayDeque<Slab> list = partial.get(zone)[Integer.numberOfTrailingZeros(objectSize)];
        Slab slab = list.peekFirst();
        if (slab == null) {
            long page = take(PAGE_SIZE, PAGE_SIZE, zone);
            if (page == NO_MEMORY) {
                return NO_MEMORY;
            }
            slab = new Slab(page, objectSize, (int) PAGE_SIZE, zone);
            slabs.put(page, slab);
            pages.mark(page, PAGE_SIZE);
            pages.slab(page >>> PAGE_SHIFT, true);
            list.addFirst(slab);
        }
        long addr = slab.take();
        if (slab.full()) {
            list.removeFirst();
        }
        allocatedBytes += objectSize;
        return addr;
    }

    /** Spills both zones' hot lists back into their extents ({@link FreeExtents#drainHot}). */
    @Override
    public synchronized void drainAllPages() {
        low.drainHot();
        high.drainHot();
    }

    /** Told of every free, after the allocator's lock is released (the DMA-API checker's sg entry watch). */
    @FunctionalInterface
    public interface FreeListener {
        /** {@code [start, start+size)} was freed. */
        void freed(long start, long size);
    }

    private final java.util.concurrent.CopyOnWriteArrayList<FreeListener> freeListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public void addFreeListener(FreeListener l) {
        if (l != null) {
            freeListeners.addIfAbsent(l);
        }
    }

    public void removeFreeListener(FreeListener l) {
        freeListeners.remove(l);
    }

    @Override
    public void free(long addr) {
        long size = freeLocked(addr);
        for (FreeListener l : freeListeners) {
            l.freed(addr, size);
        }
    }

    /** Frees the allocation at {@code addr} and returns its size. */
    private synchronized long freeLocked(long addr) {
        Slab slab = slabs.get(addr & -PAGE_SIZE);
        if (slab != null) {
            if (!slab.isLiveStart(addr)) {
                throw new IllegalArgumentException(String.format("free of 0x%x: no kmalloc object starts there", addr));
            }
            boolean wasFull = slab.full();
            slab.release(addr);
            allocatedBytes -= slab.objectSize;
            ArrayDeque<Slab> list = partial.get(slab.zone)[Integer.numberOfTrailingZeros(slab.objectSize)];
            if (slab.empty()) {
                list.remove(slab);
                slabs.remove(slab.page);
                pages.slab(slab.page >>> PAGE_SHIFT, false);
                pages.unmark(slab.page, PAGE_SIZE);
                give(slab.page, PAGE_SIZE);
            } else if (wasFull) {
                list.addFirst(slab);
            }
            return slab.objectSize;
        }
        if ((addr & (PAGE_SIZE - 1)) != 0 || !pages.isStart(addr >>> PAGE_SHIFT)) {
            throw new IllegalArgumentException(String.format("free of 0x%x: no allocation starts there", addr));
        }
        long size = (pages.endOf(addr >>> PAGE_SHIFT) << PAGE_SHIFT) - addr;
        pages.unmark(addr, size);
        allocatedBytes -= size;
        give(addr, size);
        return size;
    }

    @Override
    public synchronized boolean isAllocated(long addr) {
        return allocationStart(addr) != NO_MEMORY;
    }

    @Override
    public synchronized long allocationStart(long addr) {
        long page = addr >>> PAGE_SHIFT;
        if (addr < 0 || !pages.allocated(page)) {
            return NO_MEMORY;
        }
        Slab slab = slabs.get(addr & -PAGE_SIZE);
        if (slab == null) {
            return pages.startOf(page) << PAGE_SHIFT;
        }
        long obj = slab.liveObjectContaining(addr);
        return obj < 0 ? NO_MEMORY : obj;
    }

    @Override
    public synchronized long allocationSize(long start) {
        Slab slab = slabs.get(start & -PAGE_SIZE);
        if (slab != null) {
            return slab.isLiveStart(start) ? slab.objectSize : 0;
        }
        long page = start >>> PAGE_SHIFT;
        if (start < 0 || (start & (PAGE_SIZE - 1)) != 0 || !pages.isStart(page)) {
            return 0;
        }
        return (pages.endOf(page) - page) << PAGE_SHIFT;
    }

    // ---- the checker's queries (AllocationMap): no allocation --------------------------------

    @Override
    public synchronized long firstUnallocated(long from, long to) {
        long addr = from;
        while (addr < to) {
            if (addr < 0) {
                return addr;
            }
            // Whole allocated pages are passed over a bitmap word at a time (the checker asks
            // this of every CPU access, and a camera frame is a thousand pages); only a free
            // page or a slab page, whose live objects decide, stops the scan.
            long page = addr >>> PAGE_SHIFT;
            long lastPage = (to - 1) >>> PAGE_SHIFT;
            long p = pages.firstNotWhole(page, lastPage + 1);
            if (p > lastPage) {
                return -1;
            }
            if (p != page) {
                addr = p << PAGE_SHIFT;
            }
            if (!pages.allocated(p)) {
                return addr;
            }
            if (!pages.isSlab(p)) {
                continue; // a RAM region ended and the next one goes on, allocated
            }
            Slab slab = slabs.get(p << PAGE_SHIFT);
            long pageEnd = (p + 1) << PAGE_SHIFT;
            long stop = Math.min(to, pageEnd);
            while (addr < stop) {
                long obj = slab.liveObjectContaining(addr);
                if (obj < 0) {
                    return addr;
                }
                addr = obj + slab.objectSize;
            }
            addr = pageEnd;
        }
        return -1;
    }

    @Override
    public synchronized long foreignBytes(long from, long to, OwnAllocations own) {
        long sum = 0;
        long addr = from & -PAGE_SIZE;
        while (addr < to) {
            long page = addr >>> PAGE_SHIFT;
            if (addr < 0 || !pages.allocated(page)) {
                addr += PAGE_SIZE;
                continue;
            }
            Slab slab = slabs.get(addr);
            if (slab != null) {
                for (int i = 0; i < slab.capacity; i++) {
                    long obj = addr + (long) i * slab.objectSize;
                    long end = obj + slab.objectSize;
                    if (slab.isLive(i) && end > from && obj < to && !own.owns(obj, end)) {
                        sum += Math.min(end, to) - Math.max(obj, from);
                    }
                }
                addr += PAGE_SIZE;
                continue;
            }
            long start = pages.startOf(page) << PAGE_SHIFT;
            long end = pages.endOf(start >>> PAGE_SHIFT) << PAGE_SHIFT;
            if (!own.owns(start, end)) {
                sum += Math.min(end, to) - Math.max(start, from);
            }
            addr = end;
        }
        return sum;
    }

    @Override
    public synchronized long allocatedBytes() {
        return allocatedBytes;
    }

    @Override
    public synchronized long freeBytes(Zone zone) {
        switch (zone) {
            case DMA32: return low.freeBytes();
            case HIGH: return high.freeBytes();
            default: return low.freeBytes() + high.freeBytes();
        }
    }

    private long take(long bytes, long align, Zone zone) {
        switch (zone) {
            case DMA32:
                return low.take(bytes, align);
            case HIGH:
                return high.take(bytes, align);
            default: {
                long a = high.take(bytes, align);
                return a >= 0 ? a : low.take(bytes, align);
            }
        }
    }

    private void give(long addr, long bytes) {
        if (addr < FOUR_GIB) {
            low.add(addr, bytes);
        } else {
            high.add(addr, bytes);
        }
    }

    private static long roundUpPow2(long v) {
        return v <= 1 ? 1 : Long.highestOneBit(v - 1) << 1;
    }
}
