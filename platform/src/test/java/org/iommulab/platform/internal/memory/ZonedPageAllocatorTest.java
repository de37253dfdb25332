package org.iommulab.platform.internal.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.junit.jupiter.api.Test;

class ZonedPageAllocatorTest {
    private static final long FOUR_GIB = 1L << 32;
    private final ZonedPageAllocator alloc = new ZonedPageAllocator(SparsePhysicalMemory.defaultLayout());

    @Test
    void zonesPlaceMemoryBelowOrAbove4G() {
        long low = alloc.allocPages(1, Zone.DMA32);
        long high = alloc.allocPages(1, Zone.HIGH);
        long normal = alloc.allocPages(1, Zone.NORMAL);
        assertTrue(low >= 0x4000_0000L && low < FOUR_GIB);
        assertTrue(high >= FOUR_GIB);
        assertTrue(normal >= FOUR_GIB, "normal prefers memory above 4 GiB");
        assertEquals(3 * PageAllocator.PAGE_SIZE, alloc.allocatedBytes());
    }

    @Test
    void normalFallsBackToDma32WhenHighIsExhausted() {
        ZonedPageAllocator small = new ZonedPageAllocator(new SparsePhysicalMemory(List.of(
                new MemoryRegion(0x4000_0000L, 0x10_0000L), new MemoryRegion(FOUR_GIB, 0x1_0000L))));
        long a = small.allocPages(16, Zone.NORMAL);
        assertTrue(a >= FOUR_GIB);
        long b = small.allocPages(1, Zone.NORMAL);
        assertTrue(b < FOUR_GIB);
        assertEquals(PageAllocator.NO_MEMORY, small.allocPages(1, Zone.HIGH));
    }

    @Test
    void pageAllocationsAreNaturallyAligned() {
        alloc.allocPages(1, Zone.DMA32);
        long four = alloc.allocPages(4, Zone.DMA32);
        assertEquals(0, four % (4 * PageAllocator.PAGE_SIZE));
        long three = alloc.allocPages(3, Zone.DMA32);
        assertEquals(0, three % (4 * PageAllocator.PAGE_SIZE));
        long big = alloc.allocPages(1024, Zone.HIGH);
        assertEquals(0, big % (2 << 20), "alignment caps at 2 MiB");
    }

    @Test
    void kmallocPacksObjectsIntoSharedPages() {
        long a = alloc.kmalloc(100, Zone.DMA32);
        long b = alloc.kmalloc(100, Zone.DMA32);
        assertEquals(a & -4096, b & -4096, "two 128-byte objects share a page");
        assertEquals(128, Math.abs(b - a));
        assertEquals(128, alloc.allocationSize(a));
        assertEquals(a, alloc.allocationStart(a + 99));
        long tiny = alloc.kmalloc(1, Zone.DMA32);
        assertEquals(0, tiny % PageAllocator.KMALLOC_MIN_ALIGN);
        long big = alloc.kmalloc(5000, Zone.DMA32);
        assertEquals(0, big % 4096);
        assertEquals(8192, alloc.allocationSize(big));
    }

    @Test
    void knowsWhatIsAllocatedDownToTheObject() {
        long a = alloc.kmalloc(64, Zone.DMA32);
        assertTrue(alloc.isAllocated(a));
        assertTrue(alloc.isAllocated(a + 63));
        assertFalse(alloc.isAllocated(a + 64), "the next object slot is free");
        long p = alloc.allocPages(2, Zone.HIGH);
        assertTrue(alloc.isAllocated(p + 8191));
        assertFalse(alloc.isAllocated(p + 8192));
        alloc.free(a);
        assertFalse(alloc.isAllocated(a));
        assertEquals(PageAllocator.NO_MEMORY, alloc.allocationStart(a));
    }

    @Test
    void freeingEverythingRestoresTheZones() {
        long freeLow = alloc.freeBytes(Zone.DMA32);
        long freeHigh = alloc.freeBytes(Zone.HIGH);
        Random rnd = new Random(7);
        List<Long> live = new ArrayList<>();
        TreeMap<Long, Long> ranges = new TreeMap<>();
        for (int i = 0; i < 2000; i++) {
            Zone z = Zone.values()[rnd.nextInt(3)];
            long addr = rnd.nextBoolean() ? alloc.kmalloc(1 + rnd.nextInt(3000), z) : alloc.allocPages(1 + rnd.nextInt(20), z);
            assertNotEquals(PageAllocator.NO_MEMORY, addr);
            long size = alloc.allocationSize(addr);
            Long prev = ranges.floorKey(addr + size - 1);
            assertTrue(prev == null || prev + ranges.get(prev) <= addr, "allocations overlap at 0x" + Long.toHexString(addr));
            ranges.put(addr, size);
            live.add(addr);
            if (rnd.nextInt(3) == 0) {
                long victim = live.remove(rnd.nextInt(live.size()));
                ranges.remove(victim);
                alloc.free(victim);
            }
        }
        for (long addr : live) {
            alloc.free(addr);
        }
        assertEquals(0, alloc.allocatedBytes());
        assertEquals(freeLow, alloc.freeBytes(Zone.DMA32));
        assertEquals(freeHigh, alloc.freeBytes(Zone.HIGH));
    }

    @Test
    void badInputIsRejectedAndChangesNothing() {
        long a = alloc.kmalloc(64, Zone.DMA32);
        long before = alloc.allocatedBytes();
        long free = alloc.freeBytes(Zone.NORMAL);
        assertThrows(IllegalArgumentException.class, () -> alloc.allocPages(0, Zone.DMA32));
        assertThrows(IllegalArgumentException.class, () -> alloc.allocPages(-3, Zone.DMA32));
        assertThrows(IllegalArgumentException.class, () -> alloc.allocPages(1, null));
        assertThrows(IllegalArgumentException.class, () -> alloc.kmalloc(0, Zone.DMA32));
        assertThrows(IllegalArgumentException.class, () -> alloc.free(a + 8), "not the start of an object");
        assertThrows(IllegalArgumentException.class, () -> alloc.free(0x7000_0000L), "never allocated");
        alloc.free(a);
        assertThrows(IllegalArgumentException.class, () -> alloc.free(a), "double free");
        assertEquals(before - 64, alloc.allocatedBytes());
        assertEquals(free + 4096, alloc.freeBytes(Zone.NORMAL), "the emptied slab page went back");
        assertEquals(PageAllocator.NO_MEMORY, alloc.allocPages(Long.MAX_VALUE / 2, Zone.HIGH));
    }

    @Test
    void exhaustionReturnsNoMemory() {
        ZonedPageAllocator small = new ZonedPageAllocator(new SparsePhysicalMemory(List.of(new MemoryRegion(0x4000_0000L, 0x1_0000L))));
        assertNotEquals(PageAllocator.NO_MEMORY, small.allocPages(16, Zone.DMA32));
        assertEquals(PageAllocator.NO_MEMORY, small.allocPages(1, Zone.DMA32));
        assertEquals(PageAllocator.NO_MEMORY, small.kmalloc(8, Zone.DMA32));
    }

    @Test
    void aFreedPageIsHandedOutAgainFirst() {
        long a = alloc.allocPages(1, Zone.HIGH);
        long b = alloc.allocPages(1, Zone.HIGH);
        alloc.free(a);
        assertEquals(a, alloc.allocPages(1, Zone.HIGH), "the hot list is last in, first out");
        alloc.free(b);
        assertEquals(b, alloc.kmalloc(64, Zone.HIGH) & -PageAllocator.PAGE_SIZE, "slab pages come from it too");
    }

    @Test
    void hotPagesDrainBackForAContiguousRequest() {
        ZonedPageAllocator small = new ZonedPageAllocator(new SparsePhysicalMemory(List.of(new MemoryRegion(0x4000_0000L, 0x1_0000L))));
        long[] pages = new long[16];
        for (int i = 0; i < 16; i++) {
            pages[i] = small.allocPages(1, Zone.DMA32);
        }
        assertEquals(PageAllocator.NO_MEMORY, small.allocPages(1, Zone.DMA32));
        for (long p : pages) {
            small.free(p);
        }
        assertEquals(16 * PageAllocator.PAGE_SIZE, small.freeBytes(Zone.DMA32), "hot pages count as free");
        long run = small.allocPages(16, Zone.DMA32);
        assertEquals(0x4000_0000L, run, "the hot pages merged back into one extent");
        assertEquals(0, small.freeBytes(Zone.DMA32));
    }

    /**
     * drain_all_pages(): after it, single pages come first fit from the coalesced extents, so
     * two allocators that freed the same pages in opposite orders hand out the same addresses
     * again (without it, each first hands out the page it freed last). Four pages at the start
     * of a 16-page zone, freed and drained, merge with the free rest into one extent from the
     * zone's base: the next pages are base, base + 4 KiB, base + 8 KiB.
     */
    @Test
    void drainAllPagesMakesTheNextPlacementIndependentOfTheFreeOrder() {
        long base = 0x4000_0000L;
        long[][] next = new long[2][];
        for (int order = 0; order < 2; order++) {
            ZonedPageAllocator small = new ZonedPageAllocator(new SparsePhysicalMemory(List.of(new MemoryRegion(base, 0x1_0000L))));
            long[] pages = new long[4];
            for (int i = 0; i < 4; i++) {
                pages[i] = small.allocPages(1, Zone.DMA32);
            }
            for (int i = 0; i < 4; i++) {
                small.free(pages[order == 0 ? i : 3 - i]);
            }
            long free = small.freeBytes(Zone.DMA32);
            small.drainAllPages();
            assertEquals(free, small.freeBytes(Zone.DMA32), "a drain frees nothing and takes nothing");
            assertEquals(0, small.allocatedBytes());
            next[order] = new long[] {small.allocPages(1, Zone.DMA32), small.allocPages(1, Zone.DMA32), small.allocPages(1, Zone.DMA32)};
        }
        long page = PageAllocator.PAGE_SIZE;
        assertArrayEquals(new long[] {base, base + page, base + 2 * page}, next[0]);
        assertArrayEquals(next[0], next[1]);
    }
}
