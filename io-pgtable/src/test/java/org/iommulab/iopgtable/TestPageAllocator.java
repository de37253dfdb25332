package org.iommulab.iopgtable;

import java.util.Map;
import java.util.TreeMap;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;

/**
 * A page allocator over a {@link TestMemory}, for this bundle's tests (see there why not the
 * platform's): first fit, each allocation naturally aligned to its power-of-two size up to
 * 2 MiB as the buddy allocator's orders (and the platform's allocator) are, zones as
 * {@link Zone} says (DMA32 below 4 GiB, HIGH above, NORMAL above first, then below). It keeps
 * the live allocations, so a test sees every table page come back. kmalloc takes whole pages.
 *
 * <p>Not thread-safe: one test thread.
 */
public final class TestPageAllocator implements PageAllocator {
    private static final long FOUR_GIB = 1L << 32;
    private static final long MAX_ALIGN = 512 * PAGE_SIZE;
    private final PhysicalMemory memory;
    /** Start -> size of every live allocation. */
    private final TreeMap<Long, Long> live = new TreeMap<>();
    private long allocated;

    public TestPageAllocator(PhysicalMemory memory) {
        this.memory = memory;
    }

    @Override
    public long allocPages(long count, Zone zone) {
        if (count <= 0 || zone == null) {
            throw new IllegalArgumentException("bad page count or zone: " + count + ", " + zone);
        }
        long size = count * PAGE_SIZE;
        long align = Math.min(Long.highestOneBit(size) == size ? size : Long.highestOneBit(size) << 1, MAX_ALIGN);
        long at = NO_MEMORY;
        if (zone != Zone.DMA32) {
            at = firstFit(size, align, FOUR_GIB, Long.MAX_VALUE);
        }
        if (at == NO_MEMORY && zone != Zone.HIGH) {
            at = firstFit(size, align, 0, FOUR_GIB);
        }
        if (at != NO_MEMORY) {
            live.put(at, size);
            allocated += size;
        }
        return at;
    }

    private long firstFit(long size, long align, long lo, long hi) {
        for (MemoryRegion r : memory.regions()) {
            long end = Math.min(r.end(), hi);
            long a = alignUp(Math.max(r.base(), lo), align);
            while (a + size <= end) {
                Map.Entry<Long, Long> last = live.floorEntry(a + size - 1);
                if (last == null || last.getKey() + last.getValue() <= a) {
                    return a;
                }
                a = alignUp(last.getKey() + last.getValue(), align);
            }
        }
        return NO_MEMORY;
    }

    private static long alignUp(long v, long align) {
        return (v + align - 1) & -align;
    }

    @Override
    public long kmalloc(long size, Zone zone) {
        return allocPages((size + PAGE_SIZE - 1) / PAGE_SIZE, zone);
    }

    @Override
    public void free(long addr) {
        Long size = live.remove(addr);
        if (size == null) {
            throw new IllegalArgumentException("no allocation starts at 0x" + Long.toHexString(addr));
        }
        allocated -= size;
    }

    @Override
    public boolean isAllocated(long addr) {
        return allocationStart(addr) != NO_MEMORY;
    }

    @Override
    public long allocationStart(long addr) {
        Map.Entry<Long, Long> e = live.floorEntry(addr);
        return e != null && addr - e.getKey() < e.getValue() ? e.getKey() : NO_MEMORY;
    }

    @Override
    public long allocationSize(long start) {
        return live.getOrDefault(start, 0L);
    }

    @Override
    public long allocatedBytes() {
        return allocated;
    }

    @Override
    public long freeBytes(Zone zone) {
        long lo = zone == Zone.HIGH ? FOUR_GIB : 0;
        long hi = zone == Zone.DMA32 ? FOUR_GIB : Long.MAX_VALUE;
        long free = 0;
        for (MemoryRegion r : memory.regions()) {
            free += Math.max(0, Math.min(r.end(), hi) - Math.max(r.base(), lo));
        }
        for (Map.Entry<Long, Long> e : live.entrySet()) {
            free -= Math.max(0, Math.min(e.getKey() + e.getValue(), hi) - Math.max(e.getKey(), lo));
        }
        return free;
    }
}
