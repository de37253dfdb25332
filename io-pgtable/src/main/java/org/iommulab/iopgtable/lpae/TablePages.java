package org.iommulab.iopgtable.lpae;

import java.util.HashMap;
import java.util.Map;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;

/**
 * The memory behind one writer's tables, Linux {@code __arm_lpae_alloc_pages} and
 * {@code __arm_lpae_free_pages}. Tables are zeroed, aligned to their size and below 2^OAS. A
 * table is freed only once it is unlinked and its walk flushed ({@link LpaeUnmapWalk}).
 * Thread-safe: the writers of one table allocate and free under this object's monitor (tables
 * come and go rarely; the page allocator is shared anyway).
 */
final class TablePages {
    private final PhysicalMemory mem;
    private final PageAllocator alloc;
    private final Zone zone;
    private final int oas;
    /** Tables whose start is not their allocation's start (only if the allocator misaligns). */
    private final Map<Long, Long> allocationOf = new HashMap<>();
    private long bytes;

    TablePages(PhysicalMemory mem, PageAllocator alloc, int oas) {
        this.mem = mem;
        this.alloc = alloc;
        this.oas = oas;
        this.zone = oas <= 32 ? Zone.DMA32 : Zone.NORMAL;
    }

    /** Zeroed pages for a table of {@code tableBytes}, or -1 when there are none. */
    synchronized long allocate(long tableBytes) {
        long size = Math.max(tableBytes, PageAllocator.PAGE_SIZE);
        long pages = size / PageAllocator.PAGE_SIZE;
        long addr = alloc.allocPages(pages, zone);
        if (addr == PageAllocator.NO_MEMORY) {
            return -1;
        }
        long start = addr;
        if ((addr & (size - 1)) != 0) {
            // The allocator did not align this size: take twice as much and use the aligned part.
            alloc.free(addr);
            start = alloc.allocPages(pages * 2, zone);
            if (start == PageAllocator.NO_MEMORY) {
                return -1;
            }
            addr = (start + size - 1) & -size;
        }
        if (addr + size > (1L << oas)) {
            alloc.free(start);
            return -1;
        }
        if (start != addr) {
            allocationOf.put(addr, start);
        }
        mem.fill(addr, size, (byte) 0);
        bytes += alloc.allocationSize(start);
        return addr;
    }

    /** The walk cache told of every free ({@link LeafTableCache#tableFreed}); null for none. */
    private LeafTableCache freeListener;

    void onFree(LeafTableCache cache) {
        freeListener = cache;
    }

    /** Returns a table's pages at once. */
    synchronized void free(long table) {
        if (freeListener != null) {
            freeListener.tableFreed();
        }
        Long start = allocationOf.isEmpty() ? null : allocationOf.remove(table);
        long s = start == null ? table : start;
        bytes -= alloc.allocationSize(s);
        alloc.free(s);
    }

    /** Bytes the tables hold now. */
    synchronized long bytes() {
        return bytes;
    }
}
