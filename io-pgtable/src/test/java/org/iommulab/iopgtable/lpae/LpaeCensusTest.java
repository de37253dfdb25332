package org.iommulab.iopgtable.lpae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.PageTableCensus;
import org.iommulab.iopgtable.TestMemory;
import org.iommulab.iopgtable.TestPageAllocator;
import org.junit.jupiter.api.Test;

/**
 * The census of an LPAE tree against counts worked out by hand from the format (Arm ARM D8,
 * Linux io-pgtable-arm.c): a stage-1 table of 48-bit IAS with the 4 KiB granule resolves
 * 12 + 4 x 9 bits, so it starts at level 0 and has four levels of 512-entry, 4 KiB tables;
 * a level-shift of 39, 30, 21 and 12 bits; a 2 MiB block is a level-2 leaf, a 1 GiB block a
 * level-1 leaf, a 4 KiB page a level-3 leaf.
 */
class LpaeCensusTest {
    private static final long SZ_4K = 1L << 12;
    private static final long SZ_2M = 1L << 21;
    private static final long SZ_1G = 1L << 30;
    private static final int RW = IommuProt.READ | IommuProt.WRITE;

    private final TestMemory mem = TestMemory.defaultLayout();
    private final TestPageAllocator alloc = new TestPageAllocator(mem);

    @Test
    void aPageAndBlocksCountedPerLevel() {
        LpaePageTable t = LpaePageTable.allocate(LpaeConfig.of(LpaeStage.STAGE1, SZ_4K | SZ_2M | SZ_1G, 48, 48), mem,
                alloc, new RecordingTlb());
        // Fresh: the level-0 table alone, 4 KiB.
        assertEquals(new PageTableCensus(0, List.of(1L, 0L, 0L, 0L), 0, 0, 4096), t.census());

        // A 4 KiB page at IOVA 0x1000: L0[0] -> new L1 table, L1[0] -> new L2, L2[0] -> new L3,
        // L3[1] the page. A 2 MiB block at 0x200000 shares L0[0] and L1[0] and is L2[1]:
        // tables 1, 1, 1, 1 (16 KiB), one block, one page.
        assertEquals(0, t.map(0x1000L, 0x4000_0000L, SZ_4K, RW));
        assertEquals(0, t.map(0x20_0000L, 0x4020_0000L, SZ_2M, RW));
        assertEquals(new PageTableCensus(0, List.of(1L, 1L, 1L, 1L), 1, 1, 4 * 4096), t.census());

        // A 2 MiB block at 1 GiB: L1[1] is empty, so a second L2 table; L2'[0] the block.
        // A 1 GiB block at 2 GiB is L1[2] itself: no table. Tables 1, 1, 2, 1 (20 KiB), 3 blocks.
        assertEquals(0, t.map(SZ_1G, 0x4040_0000L, SZ_2M, RW));
        assertEquals(0, t.map(2 * SZ_1G, 0x8000_0000L, SZ_1G, RW));
        assertEquals(new PageTableCensus(0, List.of(1L, 1L, 2L, 1L), 3, 1, 5 * 4096), t.census());
        assertEquals(5, t.census().tables());

        // Unmapping the page leaves its (now empty) level-3 table linked, as io-pgtable-arm does.
        assertEquals(SZ_4K, t.unmap(0x1000L, SZ_4K, null));
        assertEquals(new PageTableCensus(0, List.of(1L, 1L, 2L, 1L), 3, 0, 5 * 4096), t.census());

        t.free();
        assertNull(t.census(), "a freed table takes no census");
    }
}
