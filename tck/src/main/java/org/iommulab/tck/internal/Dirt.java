package org.iommulab.tck.internal;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;

/**
 * Leaves the pages an allocator will hand out next full of a pattern: takes free pages from
 * each zone (single pages, which allocators keep on a last-in-first-out list, and blocks),
 * fills them, and frees them again. Linux's page allocator does not zero freed pages either,
 * so whoever allocates next must zero what it needs zeroed: a page table
 * ({@code __arm_lpae_alloc_pages} allocates with {@code __GFP_ZERO}), a coherent buffer
 * ({@code dma_alloc_coherent} returns zeroed memory).
 */
public final class Dirt {
    /** Single pages dirtied per zone: more than a per-CPU free list keeps. */
    static final int SINGLE_PAGES = 320;
    /** Block sizes dirtied per zone, in pages. */
    static final int[] BLOCKS = {2, 4, 16, 64};

    private Dirt() {
    }

    /**
     * Fills the next free pages of every zone with {@code word} repeated and frees them.
     *
     * @return the first address of each page or block dirtied (free again now)
     */
    public static List<Long> dirty(PageAllocator allocator, PhysicalMemory memory, long word) {
        byte[] page = new byte[(int) PageAllocator.PAGE_SIZE];
        for (int i = 0; i < page.length; i += 8) {
            for (int b = 0; b < 8; b++) {
                page[i + b] = (byte) (word >>> (8 * b));
            }
        }
        List<Long> dirtied = new ArrayList<>();
        for (Zone zone : new Zone[] {Zone.DMA32, Zone.HIGH}) {
            List<Long> taken = new ArrayList<>();
            for (int i = 0; i < SINGLE_PAGES; i++) {
                long a = allocator.allocPages(1, zone);
                if (a == PageAllocator.NO_MEMORY) {
                    break;
                }
                taken.add(a);
                memory.write(a, page, 0, page.length);
            }
            for (int n : BLOCKS) {
                long a = allocator.allocPages(n, zone);
                if (a == PageAllocator.NO_MEMORY) {
                    continue;
                }
                taken.add(a);
                for (int p = 0; p < n; p++) {
                    memory.write(a + p * PageAllocator.PAGE_SIZE, page, 0, page.length);
                }
            }
            // Freed in reverse, so that the page taken first is handed out first again.
            for (int i = taken.size() - 1; i >= 0; i--) {
                allocator.free(taken.get(i));
            }
            dirtied.addAll(taken);
        }
        return dirtied;
    }

    /** How many of {@code dirtied} (pages or blocks) are allocated again now. */
    public static int reused(PageAllocator allocator, List<Long> dirtied) {
        int n = 0;
        for (long a : dirtied) {
            if (allocator.isAllocated(a)) {
                n++;
            }
        }
        return n;
    }
}
