package org.iommulab.devices.internal.core;

import java.util.Arrays;

import org.iommulab.api.platform.MemoryAccess;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;

/**
 * Separately allocated pages for a scatterlist, as a page cache or a user buffer hands them to
 * a driver: no two of them physically adjacent. Each page is allocated with a spacer page
 * after it, and the spacers are freed again, so in unfragmented memory the page after every
 * entry is free. That is what makes a driver that writes past an entry visible to the checker:
 * it touches memory no allocation holds. (In fragmented memory an entry may land in a hole
 * whose next page belongs to someone else, as in a real kernel; the stray write then corrupts
 * that allocation, and the data check still sees the bytes missing from the entries.)
 */
public final class Scatter {
    /** Linux's {@code PAGE_POISON} (include/linux/poison.h), the fill of a poisoned free page. */
    public static final byte PAGE_POISON = (byte) 0xaa;

    private Scatter() {
    }

    /**
     * {@code count} scattered pages (each a {@code pagesPerEntry}-page contiguous block), or null
     * when memory ran out (nothing is left allocated then).
     */
    public static long[] pages(PageAllocator allocator, int count, int pagesPerEntry, Zone zone) {
        return pages(allocator, null, count, pagesPerEntry, zone);
    }

    /**
     * As {@link #pages(PageAllocator, int, int, Zone)}, and with {@code poisonWith} not null the
     * spacers are filled with {@link #PAGE_POISON} before they are freed, as Linux's page
     * poisoning ({@code CONFIG_PAGE_POISONING}, mm/page_poison.c) fills freed pages: what a
     * driver that reads past an entry finds there is then that pattern, not whatever an earlier
     * run left in the page.
     */
    public static long[] pages(PageAllocator allocator, MemoryAccess poisonWith, int count, int pagesPerEntry, Zone zone) {
        long[] pages = new long[count];
        long[] spacers = new long[count];
        Arrays.fill(pages, PageAllocator.NO_MEMORY);
        Arrays.fill(spacers, PageAllocator.NO_MEMORY);
        boolean ok = true;
        for (int i = 0; i < count && ok; i++) {
            pages[i] = allocator.allocPages(pagesPerEntry, zone);
            spacers[i] = allocator.allocPages(1, zone);
            ok = pages[i] != PageAllocator.NO_MEMORY && spacers[i] != PageAllocator.NO_MEMORY;
        }
        if (poisonWith != null) {
            byte[] poison = new byte[(int) PageAllocator.PAGE_SIZE];
            Arrays.fill(poison, PAGE_POISON);
            for (long spacer : spacers) {
                if (spacer != PageAllocator.NO_MEMORY) {
                    poisonWith.write(spacer, poison, 0, poison.length);
                }
            }
        }
        freeAll(allocator, spacers);
        if (!ok) {
            freeAll(allocator, pages);
            return null;
        }
        return pages;
    }

    /** Frees every address of {@code addrs} that is not {@link PageAllocator#NO_MEMORY}. */
    public static void freeAll(PageAllocator allocator, long[] addrs) {
        if (addrs == null) {
            return;
        }
        for (int i = 0; i < addrs.length; i++) {
            if (addrs[i] != PageAllocator.NO_MEMORY) {
                allocator.free(addrs[i]);
                addrs[i] = PageAllocator.NO_MEMORY;
            }
        }
    }
}
