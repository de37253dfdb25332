package org.iommulab.platform.internal.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.junit.jupiter.api.Test;

/**
 * The allocator's allocation-free queries for the checker agree with its public API (through
 * the generic adapter that any PageAllocator gets), over random allocations and frees.
 */
class AllocationMapTest {
    private final ZonedPageAllocator alloc = new ZonedPageAllocator(SparsePhysicalMemory.defaultLayout());
    private final AllocationMap generic = publicOnly(alloc);

    /** {@code a} through the public queries only: AllocationMap.of cannot see that it is a ZonedPageAllocator. */
    private static AllocationMap publicOnly(ZonedPageAllocator a) {
        return AllocationMap.of(new PageAllocator() {
            @Override public long allocPages(long count, Zone zone) { return a.allocPages(count, zone); }
            @Override public long kmalloc(long size, Zone zone) { return a.kmalloc(size, zone); }
            @Override public void free(long addr) { a.free(addr); }
            @Override public boolean isAllocated(long addr) { return a.isAllocated(addr); }
            @Override public long allocationStart(long addr) { return a.allocationStart(addr); }
            @Override public long allocationSize(long start) { return a.allocationSize(start); }
            @Override public long allocatedBytes() { return a.allocatedBytes(); }
            @Override public long freeBytes(Zone zone) { return a.freeBytes(zone); }
        });
    }

    @Test
    void firstUnallocatedFindsTheFirstHole() {
        long a = alloc.kmalloc(64, Zone.HIGH);
        long b = alloc.kmalloc(64, Zone.HIGH);
        assertEquals(-1, alloc.firstUnallocated(a, b + 64));
        assertEquals(b + 64, alloc.firstUnallocated(a, b + 65));
        long p = alloc.allocPages(3, Zone.DMA32);
        assertEquals(-1, alloc.firstUnallocated(p, p + 3 * 4096));
        assertEquals(p + 3 * 4096, alloc.firstUnallocated(p + 5, p + 3 * 4096 + 1));
        assertEquals(0x10, alloc.firstUnallocated(0x10, 0x20), "not RAM is not allocated");
    }

    @Test
    void foreignBytesCountsOnlyWhatTheMappingDoesNotOwn() {
        long a = alloc.kmalloc(100, Zone.HIGH); // 128-byte class
        long b = alloc.kmalloc(100, Zone.HIGH);
        long page = a & -4096;
        assertEquals(128, alloc.foreignBytes(page, page + 4096, (s, e) -> s <= a && a < e));
        assertEquals(0, alloc.foreignBytes(page, page + 4096, (s, e) -> true));
        assertEquals(28, alloc.foreignBytes(page, b + 28, (s, e) -> s <= a && a < e), "clipped to the range");
        long pages = alloc.allocPages(4, Zone.DMA32);
        assertEquals(2 * 4096, alloc.foreignBytes(pages + 4096, pages + 3 * 4096, (s, e) -> false), "clipped page allocation");
    }

    @Test
    void theOwnMapAndTheGenericAdapterAgree() {
        Random rnd = new Random(3);
        List<Long> live = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            Zone z = rnd.nextBoolean() ? Zone.HIGH : Zone.DMA32;
            live.add(rnd.nextBoolean() ? alloc.kmalloc(1 + rnd.nextInt(3000), z) : alloc.allocPages(1 + rnd.nextInt(5), z));
            if (rnd.nextInt(3) == 0) {
                alloc.free(live.remove(rnd.nextInt(live.size())));
            }
        }
        for (int i = 0; i < 2000; i++) {
            long base = live.get(rnd.nextInt(live.size()));
            long from = base - 8192 + rnd.nextInt(16384);
            long to = from + 1 + rnd.nextInt(3 * 4096);
            long keep = base;
            AllocationMap.OwnAllocations own = (s, e) -> s <= keep && keep < e;
            assertEquals(generic.firstUnallocated(from, to), alloc.firstUnallocated(from, to), "hole in " + from + ".." + to);
            assertEquals(generic.foreignBytes(from, to, own), alloc.foreignBytes(from, to, own), "foreign in " + from + ".." + to);
        }
    }
    /**
     * Ranges of hundreds of pages, across 64-page bitmap words and from one RAM region into the
     * next (adjacent, and apart with a hole between), with slab pages among whole allocations:
     * the word-wide scan finds the same first hole as the public API page by page.
     */
    @Test
    void longRangesAgreeAcrossBitmapWordsAndRegions() {
        // Two adjacent regions of 1 MiB (256 pages) each, then a hole of 1 MiB, then 1 MiB more.
        long base = 0x4000_0000L;
        ZonedPageAllocator own = new ZonedPageAllocator(new SparsePhysicalMemory(List.of(
                new MemoryRegion(base, 0x10_0000L), new MemoryRegion(base + 0x10_0000L, 0x10_0000L),
                new MemoryRegion(base + 0x30_0000L, 0x10_0000L))));
        AllocationMap byPublicApi = publicOnly(own);
        Random rnd = new Random(11);
        List<Long> live = new ArrayList<>();
        // Fill most of the memory, so that long runs of whole pages cross words and regions.
        for (int i = 0; i < 400; i++) {
            long a = rnd.nextInt(8) == 0 ? own.kmalloc(1 + rnd.nextInt(2000), Zone.DMA32)
                    : own.allocPages(1 + rnd.nextInt(4), Zone.DMA32);
            if (a != PageAllocator.NO_MEMORY) {
                live.add(a);
            }
        }
        long end = base + 0x40_0000L;
        int stoppedEarly = 0;
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 400; i++) {
                long from = base - 4096 + (long) rnd.nextInt((int) (end - base + 8192));
                long to = from + 1 + rnd.nextInt(rnd.nextBoolean() ? 600 * 4096 : 3 * 4096);
                long want = byPublicApi.firstUnallocated(from, to);
                assertEquals(want, own.firstUnallocated(from, to), "hole in 0x" + Long.toHexString(from) + "..0x" + Long.toHexString(to));
                if (want > from + 64 * 4096) {
                    stoppedEarly++;
                }
            }
            // Free some, so that holes open inside long allocated runs.
            for (int k = 0; k < 60 && !live.isEmpty(); k++) {
                own.free(live.remove(rnd.nextInt(live.size())));
            }
        }
        // The ranges did cross whole words of allocated pages before their first hole.
        assertTrue(stoppedEarly > 10, "ranges passing over 64 allocated pages: " + stoppedEarly);
    }
}
