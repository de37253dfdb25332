package org.iommulab.replay.internal.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.junit.jupiter.api.Test;

class PhysTranslatorTest {
    private final ZonedPageAllocator allocator = new ZonedPageAllocator(SparsePhysicalMemory.defaultLayout());
    private final PhysTranslator t = new PhysTranslator(allocator);

    @Test
    void aTracePageAlwaysGetsTheSameHomeAndOffsetsAreKept() {
        long a = t.translate(0x10a3c5800L, 2048);
        long b = t.translate(0x10a3c5000L, 64);
        assertEquals(0x800, a & 0xfff);
        assertEquals(a - 0x800, b);
        assertEquals(1, t.pages());
    }

    @Test
    void rangesStayContiguousAndPagesAreShared() {
        long run = t.translate(0x10b200000L, 3 * 4096);
        assertEquals(run + 4096, t.translate(0x10b201000L, 4096));
        assertEquals(run + 2 * 4096 + 0x10, t.translate(0x10b202010L, 16));
        assertEquals(3, t.pages());
        assertEquals(0, t.aliases());
    }

    @Test
    void zonesFollowTheTraceAddress() {
        assertTrue(t.translate(0x8a2c1040L, 0x200) < (1L << 32), "below 4 GiB in the trace, below 4 GiB here");
        assertTrue(t.translate(0x10b7a20c2L, 98) >= (1L << 32));
    }

    @Test
    void aRangeOverPagesThatLandedApartGetsARunOfItsOwn() {
        long first = t.translate(0x20000000L, 4096);
        t.translate(0x50000000L, 4096); // something else allocated in between
        long spanning = t.translate(0x20000000L, 2 * 4096);
        assertNotEquals(first, spanning);
        assertEquals(1, t.aliases());
        assertEquals(first, t.translate(0x20000000L, 16), "the first home stays");
        assertEquals(spanning + 4096, t.translate(0x20001000L, 16), "the new page took its home in the alias run");
    }

    @Test
    void releaseFreesEverything() {
        long before = allocator.allocatedBytes();
        t.translate(0x10b200000L, 3 * 4096);
        t.translate(0x8a2c1040L, 0x200);
        assertEquals(before + 4 * 4096, allocator.allocatedBytes());
        t.release();
        assertEquals(before, allocator.allocatedBytes());
    }

    @Test
    void fullRamIsReportedNotThrown() {
        ZonedPageAllocator small = new ZonedPageAllocator(new SparsePhysicalMemory(List.of(new MemoryRegion(0x4000_0000L, 0x1_0000))));
        PhysTranslator tiny = new PhysTranslator(small);
        assertEquals(PageAllocator.NO_MEMORY, tiny.translate(0x10000000L, 0x2_0000));
        assertEquals(1, tiny.failures());
        assertThrows(IllegalArgumentException.class, () -> tiny.translate(0x1000, 0));
    }
}
