package org.iommulab.platform.internal.memory;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;

/**
 * The platform's page allocator: RAM below 4 GiB forms the DMA32 zone, RAM above it the high
 * part of the normal zone, which falls back to DMA32 when it runs out (Linux's zonelist order).
 * Page allocations of up to 512 pages are naturally aligned to their power-of-two size, as the
 * buddy allocator's orders are. kmalloc sizes up to 2 KiB come from power-of-two slabs of at
 * least {@link #KMALLOC_MIN_ALIGN} bytes that share pages; larger sizes take whole pages.
 * Memory is not zeroed on allocation or free, as in Linux: stale data is part of the model.
 * Thread-safe (one lock).
 */
public final class ZonedPageAllocator implements PageAllocator {
    private static final long FOUR_GIB = 1L << 32;
    /** Largest kmalloc size served from a slab; bigger ones take pages. */
    static final int SLAB_MAX = 2048;
    /** Natural alignment stops at 2 MiB (order 9), a buddy allocator's usual block. */
    private static final long MAX_NATURAL_ALIGN = 512 * PAGE_SIZE;

    private final PhysicalMemory memory;
    private final FreeExtents low = new FreeExtents();
    private final FreeExtents high = new FreeExtents();
    /** Page allocations: start -> size in bytes (slab pages included, marked by {@link #slabs}). */
    private final TreeMap<Long, Long> pageAllocations = new TreeMap<>();
    private final Map<Long, Slab> slabs = new HashMap<>();
    private final Map<Zone, ArrayDeque<Slab>[]> partial = new EnumMap<>(Zone.class);
    private long allocatedBytes;

    public ZonedPageAllocator(PhysicalMemory memory) {
        if (memory == null) {
            throw new IllegalArgumentException("physical memory must not be null");
        }
        this.memory = memory;
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
        pageAllocations.put(addr, bytes);
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
            pageAllocations.put(page, PAGE_SIZE);
            list.addFirst(slab);
        }
        long addr = slab.take();
        if (slab.full()) {
            list.removeFirst();
        }
        allocatedBytes += objectSize;
        return addr;
    }

    @Override
    public synchronized void free(long addr) {
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
                pageAllocations.remove(slab.page);
                give(slab.page, PAGE_SIZE);
            } else if (wasFull) {
                list.addFirst(slab);
            }
            return;
        }
        Long size = pageAllocations.get(addr);
        if (size == null) {
            throw new IllegalArgumentException(String.format("free of 0x%x: no allocation starts there", addr));
        }
        pageAllocations.remove(addr);
        allocatedBytes -= size;
        give(addr, size);
    }

    @Override
    public synchronized boolean isAllocated(long addr) {
        return allocationStart(addr) != NO_MEMORY;
    }

    @Override
    public synchronized long allocationStart(long addr) {
        Long start = pageAllocations.floorKey(addr);
        if (start == null || addr >= start + pageAllocations.get(start)) {
            return NO_MEMORY;
        }
        Slab slab = slabs.get(start);
        if (slab == null) {
            return start;
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
        Long size = pageAllocations.get(start);
        return size == null ? 0 : size;
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
