package com.example.vtd.internal.pgtable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.Zone;
import org.iommulab.iopgtable.IoPgtableConfig;
import org.iommulab.iopgtable.IoPgtableFormat;
import org.junit.jupiter.api.Test;

import com.example.vtd.internal.Seed;
import com.example.vtd.support.RecordingFlushOps;
import com.example.vtd.support.TestAllocator;
import com.example.vtd.support.TestMemory;

/**
 * The VT-d second-level format (spec §9.8) as an io-pgtable format: every expected entry is
 * worked out from the entry layout, R [0], W [1], PS [7], ADDR [47:12], and the level indexes
 * IOVA [47:39], [38:30], [29:21], [20:12].
 */
class VtdSlPageTableTest {
    private static final int RW = IommuProt.READ | IommuProt.WRITE;
    private static final long ALL = (1L << 12) | (1L << 21) | (1L << 30);

    private final TestMemory mem = new TestMemory();
    private final TestAllocator alloc = new TestAllocator();
    private final RecordingFlushOps flush = new RecordingFlushOps();

    private VtdSlPageTable table(int ias) {
        IoPgtableFormat f = VtdSlFormat.INSTANCE;
        return (VtdSlPageTable) f.allocate(IoPgtableConfig.of(ALL, ias, 48), mem, alloc, flush);
    }

    /** The entry at index {@code idx} of the table at {@code table}. */
    private long entry(long table, int idx) {
        return mem.readLong(table + 8L * idx);
    }

    private static long next(long pte) {
        return pte & 0x0000_ffff_ffff_f000L;
    }

    @Test
    void theFormatRestrictsRequestsAsAllocIoPgtableOpsDoes() {
        // 4 KiB + 16 KiB + 2 MiB asked for: 16 KiB is not a VT-d size and is dropped.
        VtdSlConfig c = VtdSlFormat.restrict(IoPgtableConfig.of((1L << 12) | (1L << 14) | (1L << 21), 32, 40));
        assertEquals((1L << 12) | (1L << 21), c.pgsizeBitmap());
        // 32 input bits fit the smallest AGAW, 39 bits: AW = 1, three levels.
        assertEquals(39, c.ias());
        assertEquals(1, c.aw());
        assertEquals(3, c.levels());
        // 48 bits: AW = 2, four levels.
        assertEquals(4, VtdSlFormat.restrict(IoPgtableConfig.of(ALL, 48, 48)).levels());
        // 57 bits would be five levels: not implemented.
        assertThrows(IllegalArgumentException.class, () -> VtdSlFormat.restrict(IoPgtableConfig.of(ALL, 57, 48)));
        // No 4 KiB page: VT-d always has it.
        assertThrows(IllegalArgumentException.class,
                () -> VtdSlFormat.restrict(IoPgtableConfig.of(1L << 21, 48, 48)));
        assertEquals("INTEL_VTD_SL", VtdSlFormat.INSTANCE.name());
    }

    @Test
    void aFourKibPageWalksFourLevels() {
        VtdSlPageTable t = table(48);
        assertEquals(0, t.map(0x1234_5000L, 0x8_0000_3000L, 0x1000, RW));
        // IOVA 0x12345000: PML4 index [47:39] = 0, PDPT index [38:30] = 0,
        // PD index [29:21] = 0x12345000 >> 21 = 0x91, PT index [20:12] = 0x12345 & 0x1ff = 0x145.
        long pml4e = entry(t.ttb(), 0);
        assertEquals(0x3, pml4e & 0xfff, "a table pointer grants R and W (pfn_to_dma_pte)");
        long pdpte = entry(next(pml4e), 0);
        long pde = entry(next(pdpte), 0x91);
        assertEquals(0x3, pde & 0xfff);
        // The leaf: ADDR 0x800003000 | W (bit 1) | R (bit 0), PS clear at level 1.
        assertEquals(0x8_0000_3003L, entry(next(pde), 0x145));
        assertEquals(4, t.tableCount());
        assertEquals(0x8_0000_3abcL, t.iovaToPhys(0x1234_5abcL));
    }

    @Test
    void permissionsAreTheRAndWBits() {
        VtdSlPageTable t = table(48);
        assertEquals(0, t.map(0x1000, 0x8_0000_1000L, 0x1000, IommuProt.READ));
        assertEquals(0, t.map(0x2000, 0x8_0000_2000L, 0x1000, IommuProt.WRITE));
        long pt = next(entry(next(entry(next(entry(t.ttb(), 0)), 0)), 0));
        assertEquals(0x8_0000_1001L, entry(pt, 1), "read-only: R = 1, W = 0");
        assertEquals(0x8_0000_2002L, entry(pt, 2), "write-only: R = 0, W = 1");
        // Neither: refused, nothing written.
        assertEquals(IommuErrno.EINVAL, t.map(0x3000, 0x8_0000_3000L, 0x1000, IommuProt.CACHE));
        assertEquals(0, entry(pt, 3));
    }

    @Test
    void superpagesSetPsAtLevelsTwoAndThree() {
        VtdSlPageTable t = table(48);
        // 2 MiB at IOVA 1 GiB: PDPT index 1, PD index 0; leaf = 0x800200000 | PS (0x80) | R | W.
        assertEquals(0, t.map(0x4000_0000L, 0x8_0020_0000L, 2L << 20, RW));
        long pdpt = next(entry(t.ttb(), 0));
        assertEquals(0x8_0020_0083L, entry(next(entry(pdpt, 1)), 0));
        // 1 GiB at IOVA 512 GiB: PML4 index 1, PDPT index 0; leaf = 0x800000000 | PS | R | W.
        assertEquals(0, t.map(0x80_0000_0000L, 0x8_0000_0000L, 1L << 30, RW));
        assertEquals(0x8_0000_0083L, entry(next(entry(t.ttb(), 1)), 0));
        assertEquals(0x8_0012_3456L, t.iovaToPhys(0x80_0012_3456L));
        // iommu_pgsize: 4 MiB + 4 KiB at 2 MiB-aligned addresses = two 2 MiB pages and one 4 KiB page.
        assertEquals(0, t.map(0x20_0000_0000L, 0x8_0400_0000L, (4L << 20) + 0x1000, RW));
        long pd = next(entry(next(entry(t.ttb(), 0)), 0x80));
        assertEquals(0x8_0400_0083L, entry(pd, 0));
        assertEquals(0x8_0420_0083L, entry(pd, 1));
        assertEquals(0x8_0440_0003L, entry(next(entry(pd, 2)), 0));
    }

    @Test
    void aThreeLevelTableStartsAtThePdpt() {
        VtdSlPageTable t = table(39);
        assertEquals(3, t.config().levels());
        assertEquals(0, t.map(0x1234_5000L, 0x8_0000_3000L, 0x1000, RW));
        // The top table is the PDPT: IOVA [38:30] = 0, then PD 0x91, PT 0x145.
        assertEquals(0x8_0000_3003L, entry(next(entry(next(entry(t.ttb(), 0)), 0x91)), 0x145));
        // Beyond 39 bits: refused.
        assertEquals(IommuErrno.EINVAL, t.map(1L << 39, 0x8_0000_3000L, 0x1000, RW));
    }

    @Test
    void mappingOverAMappingIsRefusedAndChangesNothing() {
        VtdSlPageTable t = table(48);
        assertEquals(0, t.map(0x3000, 0x8_0000_3000L, 0x1000, RW));
        int tables = t.tableCount();
        // [0x1000, 0x5000) runs into 0x3000: the first two pages mapped are unrolled.
        assertEquals(IommuErrno.EEXIST, t.map(0x1000, 0x8_0001_0000L, 0x4000, RW));
        assertEquals(0, t.iovaToPhys(0x1000));
        assertEquals(0, t.iovaToPhys(0x2000));
        assertEquals(0x8_0000_3000L, t.iovaToPhys(0x3000));
        assertEquals(tables, t.tableCount());
        // A 2 MiB page over a table that still maps a page: refused too.
        assertEquals(IommuErrno.EEXIST, t.map(0, 0x8_0020_0000L, 2L << 20, RW));
        // Misaligned: refused.
        assertEquals(IommuErrno.EINVAL, t.map(0x1800, 0x8_0000_1000L, 0x1000, RW));
    }

    @Test
    void unmapGathersEachLeafAndRefusesPartOfASuperpage() {
        VtdSlPageTable t = table(48);
        assertEquals(0, t.map(0x10_0000L, 0x8_0000_0000L, 0x3000, RW));
        assertEquals(0, t.map(0x4000_0000L, 0x8_0020_0000L, 2L << 20, RW));
        IotlbGather g = new IotlbGather();
        assertEquals(0x3000, t.unmap(0x10_0000L, 0x3000, g));
        assertEquals(List.of("page 0x100000+0x1000", "page 0x101000+0x1000", "page 0x102000+0x1000"), flush.calls);
        assertEquals(0x10_0000L, g.start());
        assertEquals(0x10_2fffL, g.end());
        assertEquals(0, t.iovaToPhys(0x10_1000L));
        // 4 KiB of a 2 MiB page: nothing is unmapped (Linux since v6.13).
        assertEquals(0, t.unmap(0x4000_1000L, 0x1000, new IotlbGather()));
        assertEquals(1, t.partialUnmapRefusals());
        assertEquals(0x8_0020_1000L, t.iovaToPhys(0x4000_1000L));
        // A hole ends the unmap.
        assertEquals(0, t.unmap(0x20_0000L, 0x1000, new IotlbGather()));
    }

    @Test
    void aSuperpageReplacesAnEmptyTableAfterFlushingItsWalk() {
        VtdSlPageTable t = table(48);
        assertEquals(0, t.map(0x20_0000L, 0x8_0000_0000L, 0x1000, RW));
        assertEquals(0x1000, t.unmap(0x20_0000L, 0x1000, null));
        int tables = t.tableCount(); // the emptied PT stays linked
        flush.calls.clear();
        assertEquals(0, t.map(0x20_0000L, 0x8_0020_0000L, 2L << 20, RW));
        assertEquals(List.of("walk 0x200000+0x200000"), flush.calls);
        assertEquals(tables - 1, t.tableCount());
        assertEquals(0x8_0020_0083L, entry(next(entry(next(entry(t.ttb(), 0)), 0)), 1));
    }

    @Test
    void tablePagesAreZeroedEvenWhenThePageWasUsedBefore() {
        // The allocator hands back freed pages with their old contents, as Linux's does.
        long used = alloc.allocPages(1, Zone.NORMAL);
        mem.fill(used, 4096, (byte) 0xa5);
        alloc.free(used);
        VtdSlPageTable t = table(48);
        assertEquals(used, t.ttb(), "the PGD reuses the dirty page");
        for (int i = 0; i < 512; i++) {
            assertEquals(0, entry(t.ttb(), i));
        }
        assertEquals(0, t.map(0x1000, 0x8_0000_1000L, 0x1000, RW));
    }

    @Test
    void freeReturnsEveryTablePageOnce() {
        long before = alloc.allocatedBytes();
        VtdSlPageTable t = table(48);
        assertEquals(0, t.map(0x1000, 0x8_0000_1000L, 0x1000, RW));
        assertEquals(0, t.map(0x7f80_0000_0000L, 0x8_0000_2000L, 0x1000, RW));
        // PGD + (PDPT, PD, PT) twice.
        assertEquals(7, t.tableCount());
        assertEquals(7 * 4096, t.tableBytes());
        assertEquals(before + 7 * 4096, alloc.allocatedBytes());
        t.free();
        t.free();
        assertEquals(before, alloc.allocatedBytes());
        assertEquals(0, t.iovaToPhys(0x1000));
        assertThrows(IllegalStateException.class, () -> t.map(0x2000, 0x8_0000_2000L, 0x1000, RW));
    }

    @Test
    void theLeakTablesSeedKeepsTheLowerTables() {
        long before = alloc.allocatedBytes();
        VtdSlPageTable t = (VtdSlPageTable) new VtdSlFormat(Seed.LEAK_TABLES).allocate(IoPgtableConfig.of(ALL, 48, 48),
                mem, alloc, flush);
        assertEquals(0, t.map(0x1000, 0x8_0000_1000L, 0x1000, RW));
        t.free();
        assertEquals(before + 3 * 4096, alloc.allocatedBytes(), "PDPT, PD and PT leaked; only the PGD went back");
    }
}
