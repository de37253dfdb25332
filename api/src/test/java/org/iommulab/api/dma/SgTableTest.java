package org.iommulab.api.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SgTableTest {

    private static SgTable fourPages() {
        return SgTable.of(new long[] {0x4000_0000L, 0x4000_3000L, 0x4001_0000L, 0x4000_8000L},
                new int[] {4096, 4096, 4096, 4096});
    }

    @Test
    void cpuViewKeepsEntriesAndSplitsPageAndOffset() {
        SgTable t = new SgTable(1).add(0x4000_0123L, 100).add(0x5000_0000L, 8192);
        assertEquals(2, t.origNents());
        assertEquals(0x4000_0000L, t.cpuPage(0));
        assertEquals(0x123, t.cpuOffset(0));
        assertEquals(0x4000_0123L, t.cpuPhys(0));
        assertEquals(8192, t.cpuLength(1));
        assertEquals(8292, t.totalLength());
        assertFalse(t.isMapped());
    }

    @Test
    void mergedMappingHidesDmaSegmentsBeyondNents() {
        SgTable t = fourPages();
        t.setDmaSegment(0, 0xffff_0000L, 16384);
        for (int i = 1; i < 4; i++) {
            t.setDmaSegment(i, DmaMasks.MAPPING_ERROR, 0);
        }
        t.setNents(1);
        assertEquals(1, t.nents());
        assertEquals(0xffff_0000L, t.dmaAddress(0));
        assertEquals(16384, t.dmaLength(0));
        assertEquals(16384, t.totalDmaLength());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.dmaAddress(1));
        assertTrue(e.getMessage().contains("1 DMA segment(s) for 4 CPU entries"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> t.dmaLength(3));
        assertEquals(DmaMasks.MAPPING_ERROR, t.dmaAddressField(3));
        assertEquals(0, t.dmaLengthField(3));
        // The CPU view is untouched by the mapping.
        assertEquals(0x4000_3000L, t.cpuPhys(1));
    }

    @Test
    void unmappedTableHasNoDmaView() {
        SgTable t = fourPages();
        assertThrows(IllegalStateException.class, () -> t.dmaAddress(0));
    }

    @Test
    void mappedTableRefusesChanges() {
        SgTable t = fourPages();
        t.setNents(4);
        assertThrows(IllegalStateException.class, () -> t.add(0x4000_0000L, 1));
        assertThrows(IllegalStateException.class, t::clear);
        assertEquals(4, t.origNents());
        t.invalidateDma();
        assertEquals(0, t.nents());
        t.clear();
        assertEquals(0, t.origNents());
    }

    @Test
    void badInputIsRejectedAndChangesNothing() {
        SgTable t = fourPages();
        assertThrows(IllegalArgumentException.class, () -> t.add(0x1000, 0));
        assertThrows(IllegalArgumentException.class, () -> t.add(0x1000, -5));
        assertThrows(IllegalArgumentException.class, () -> t.add(-4096, 10));
        assertThrows(IllegalArgumentException.class, () -> t.add(Long.MAX_VALUE - 2, 10));
        assertThrows(IllegalArgumentException.class, () -> t.setNents(5));
        assertThrows(IllegalArgumentException.class, () -> t.setNents(-1));
        assertThrows(IllegalArgumentException.class, () -> t.setDmaSegment(0, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.cpuPhys(4));
        assertThrows(IllegalArgumentException.class, () -> new SgTable(0));
        assertThrows(IllegalArgumentException.class, () -> SgTable.of(new long[] {1}, new int[] {1, 2}));
        assertEquals(4, t.origNents());
        assertEquals(16384, t.totalLength());
    }

    @Test
    void growsBeyondInitialCapacity() {
        SgTable t = new SgTable(1);
        for (int i = 0; i < 100; i++) {
            t.add(0x4000_0000L + i * 8192L, 4096);
        }
        assertEquals(100, t.origNents());
        assertEquals(0x4000_0000L + 99 * 8192L, t.cpuPhys(99));
        assertEquals(DmaMasks.MAPPING_ERROR, t.dmaAddressField(99));
    }

    @Test
    void cpuPhysAtFindsByteOfTransfer() {
        SgTable t = fourPages();
        assertEquals(0x4000_0000L, t.cpuPhysAt(0));
        assertEquals(0x4000_3000L + 5, t.cpuPhysAt(4096 + 5));
        assertEquals(0x4000_8fffL, t.cpuPhysAt(16383));
        assertThrows(IndexOutOfBoundsException.class, () -> t.cpuPhysAt(16384));
        assertThrows(IndexOutOfBoundsException.class, () -> t.cpuPhysAt(-1));
    }
}
