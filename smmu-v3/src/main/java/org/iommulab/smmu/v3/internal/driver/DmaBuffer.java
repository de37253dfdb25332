package org.iommulab.smmu.v3.internal.driver;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;

/**
 * A zeroed, naturally aligned buffer for SMMU structures, Linux {@code dmam_alloc_coherent}
 * (whose buffers are aligned to their size, which the queues and stream tables need: the SMMU
 * ignores base address bits below their size). The platform allocator aligns only up to
 * 2 MiB, so a larger buffer is carved out of an allocation twice its size. Immutable.
 */
final class DmaBuffer {
    private final PageAllocator allocator;
    private final long allocation;
    private final long base;
    private final long size;

    private DmaBuffer(PageAllocator allocator, long allocation, long base, long size) {
        this.allocator = allocator;
        this.allocation = allocation;
        this.base = base;
        this.size = size;
    }

    /** A buffer of at least {@code bytes} (rounded up to pages), aligned to its power-of-two size; null if memory ran out. */
    static DmaBuffer allocate(PhysicalMemory memory, PageAllocator allocator, long bytes, Zone zone) {
        long size = bytes <= PageAllocator.PAGE_SIZE ? PageAllocator.PAGE_SIZE : Long.highestOneBit(bytes - 1) << 1;
        long pages = size / PageAllocator.PAGE_SIZE;
        long a = allocator.allocPages(pages, zone);
        if (a == PageAllocator.NO_MEMORY) {
            return null;
        }
        long base = a;
        if ((a & (size - 1)) != 0) {
            allocator.free(a);
            a = allocator.allocPages(pages * 2, zone);
            if (a == PageAllocator.NO_MEMORY) {
                return null;
            }
            base = (a + size - 1) & -size;
        }
        memory.fill(base, size, (byte) 0);
        return new DmaBuffer(allocator, a, base, size);
    }

    long base() {
        return base;
    }

    long size() {
        return size;
    }

    void free() {
        allocator.free(allocation);
    }
}
