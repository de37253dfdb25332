package org.iommulab.iopgtable.lpae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.Zone;
import org.iommulab.iopgtable.DescriptorReader;
import org.iommulab.iopgtable.IoPgtableFlushOps;
import org.iommulab.iopgtable.TestMemory;
import org.iommulab.iopgtable.TestPageAllocator;
import org.junit.jupiter.api.Test;

class LpaePageTableTest {
    private static final long SZ_4K = 1L << 12;
    private static final long SZ_2M = 1L << 21;
    private static final long SZ_1G = 1L << 30;
    private static final long PG4K = SZ_4K | SZ_2M | SZ_1G;
    private static final int RW = IommuProt.READ | IommuProt.WRITE;

    private final TestMemory mem = TestMemory.defaultLayout();
    private final TestPageAllocator alloc = new TestPageAllocator(mem);
    private final RecordingTlb tlb = new RecordingTlb();
    private final LpaeWalker walker = new LpaeWalker(DescriptorReader.of(mem));
    private final LpaeWalkResult r = new LpaeWalkResult();

    private LpaePageTable s1(int ias) {
        return LpaePageTable.allocate(LpaeConfig.of(LpaeStage.STAGE1, PG4K, ias, 48), mem, alloc, tlb);
    }

    private LpaeTranslationConfig hw(LpaePageTable t) {
        LpaeConfig c = t.config();
        return LpaeTranslationConfig.builder(c.stage(), c.granule()).inputSize(c.ias()).startLevel(c.startLevel())
                .outputSize(c.oas()).ttb(t.ttb()).build();
    }

    @Test
    void geometryFollowsLinux() {
        LpaeConfig c = LpaeConfig.of(LpaeStage.STAGE1, PG4K, 48, 48);
        assertEquals(0, c.startLevel());
        assertEquals(9, c.pgdBits());
        c = LpaeConfig.of(LpaeStage.STAGE1, PG4K, 32, 48);
        assertEquals(1, c.startLevel());
        assertEquals(2, c.pgdBits());
        // Stage 2, 40 bits: level 0 would have 2 entries, so it concatenates 1024 entries at level 1.
        c = LpaeConfig.of(LpaeStage.STAGE2, PG4K, 40, 40);
        assertEquals(1, c.startLevel());
        assertEquals(10, c.pgdBits());
        assertEquals(8192, c.pgdSize());
        assertEquals(1, c.sl0(), "VTCR.SL0 = ~(start_level + 1) & 3 for 4K");
        // The CPU page size wins; 64K with a 52-bit OAS gains the 4 TB block.
        c = LpaeConfig.of(LpaeStage.STAGE1, SZ_4K | (1L << 16) | SZ_2M, 48, 48);
        assertEquals(LpaeGranule.G4K, c.granule());
        assertEquals(SZ_4K | SZ_2M, c.pgsizeBitmap());
        c = LpaeConfig.of(LpaeStage.STAGE1, (1L << 16) | (1L << 29) | (1L << 42), 52, 52);
        assertEquals((1L << 16) | (1L << 29) | (1L << 42), c.pgsizeBitmap());
        assertEquals(52, c.ias());
        assertEquals(48, LpaeConfig.of(LpaeStage.STAGE1, PG4K, 52, 52).ias(), "4K clamps to 48 bits");
        assertThrows(IllegalArgumentException.class, () -> LpaeConfig.of(LpaeStage.STAGE1, 1L << 13, 48, 48));
        assertThrows(IllegalArgumentException.class, () -> LpaeConfig.of(LpaeStage.STAGE1, PG4K, 48, 38));
    }

    @Test
    void protectionBitsFollowArmLpaeProtToPte() {
        LpaePageTable s1 = s1(48);
        long ro = s1.protToPte(IommuProt.READ);
        assertEquals(LpaeFormat.PTE_NG | LpaeFormat.PTE_AP_RDONLY | LpaeFormat.PTE_AP_UNPRIV | LpaeFormat.PTE_SH_OS
                | LpaeFormat.PTE_AF, ro);
        long cached = s1.protToPte(RW | IommuProt.CACHE | IommuProt.PRIV | IommuProt.NOEXEC);
        assertEquals(LpaeFormat.PTE_NG | (1L << LpaeFormat.PTE_ATTRINDX_SHIFT) | LpaeFormat.PTE_SH_IS | LpaeFormat.PTE_XN
                | LpaeFormat.PTE_AF, cached);
        assertEquals(2L << 2, s1.protToPte(RW | IommuProt.MMIO) & LpaeFormat.PTE_ATTRINDX_MASK);
        LpaePageTable s2 = LpaePageTable.allocate(LpaeConfig.of(LpaeStage.STAGE2, PG4K, 40, 40), mem, alloc, tlb);
        assertEquals(LpaeFormat.PTE_HAP_READ | LpaeFormat.PTE_HAP_WRITE | LpaeFormat.PTE_MEMATTR_OIWB | LpaeFormat.PTE_SH_IS
                | LpaeFormat.PTE_AF, s2.protToPte(RW | IommuProt.CACHE));
        assertEquals(LpaeFormat.PTE_HAP_WRITE | LpaeFormat.PTE_MEMATTR_NC | LpaeFormat.PTE_SH_OS | LpaeFormat.PTE_AF,
                s2.protToPte(IommuProt.WRITE));
    }

    @Test
    void mapSplitsIntoTheLargestPagesAlignmentAllows() {
        LpaePageTable t = s1(48);
        LpaeTranslationConfig hw = hw(t);
        long iova = SZ_2M - SZ_4K;
        long pa = 0x8000_0000L - SZ_4K;
        assertEquals(0, t.map(iova, pa, SZ_4K + 2 * SZ_2M + SZ_4K, RW));
        assertTrue(walker.walk(hw, iova, AccessType.WRITE, false, r));
        assertEquals(SZ_4K, r.blockSize());
        assertTrue(walker.walk(hw, SZ_2M + 5, AccessType.READ, false, r));
        assertEquals(SZ_2M, r.blockSize());
        assertEquals(0x8000_0000L + 5, r.outputAddress());
        assertTrue(walker.walk(hw, 3 * SZ_2M, AccessType.READ, false, r));
        assertEquals(SZ_4K, r.blockSize());
        assertEquals(0x8000_0000L + 2 * SZ_2M, r.outputAddress());
        assertEquals(SZ_4K + 2 * SZ_2M + SZ_4K, t.unmap(iova, SZ_4K + 2 * SZ_2M + SZ_4K, null));
    }

    @Test
    void failedMapLeavesNothingMapped() {
        LpaePageTable t = s1(48);
        assertEquals(0, t.map(0x20_0000, 0x4020_0000L, 0x1000, RW));
        int tables = t.tableCount();
        long bytes = alloc.allocatedBytes();
        tlb.calls.clear();
        // The first two pages land in a new level-3 table; the third clashes in the next one.
        assertEquals(IommuErrno.EEXIST, t.map(0x1f_e000, 0x4001_e000L, 0x4000, RW));
        assertEquals(0, t.iovaToPhys(0x1f_e000), "the pages mapped before the clash were unrolled");
        assertEquals(0x4020_0000L, t.iovaToPhys(0x20_0000));
        // __iommu_map's unroll unmaps what was mapped; the level-3 table this map installed is
        // unlinked too (a failed map changes nothing), and one walk flush for the range covers
        // both before the table's page goes back.
        assertEquals(List.of("walk 0x1fe000+0x2000"), tlb.calls);
        assertEquals(tables, t.tableCount());
        assertEquals(bytes, alloc.allocatedBytes());
        // Sixteen pages mapped, the seventeenth clashes: all sixteen are unrolled.
        assertEquals(IommuErrno.EEXIST, t.map(0x1f_0000, 0x4001_0000L, 0x11000, RW));
        assertEquals(0, t.iovaToPhys(0x1f_0000));
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        LpaePageTable t = s1(39);
        long bytes = alloc.allocatedBytes();
        assertEquals(IommuErrno.EINVAL, t.map(0x800, 0x4000_0000L, 0x1000, RW), "misaligned iova");
        assertEquals(IommuErrno.EINVAL, t.map(0x1000, 0x4000_0000L, 0x1000, IommuProt.CACHE), "no access");
        assertEquals(IommuErrno.EINVAL, t.map(1L << 39, 0x4000_0000L, 0x1000, RW), "beyond the IAS");
        assertEquals(IommuErrno.EINVAL, t.map((1L << 39) - 0x1000, 0x4000_0000L, 0x2000, RW), "end beyond the IAS");
        assertEquals(IommuErrno.EINVAL, t.map(0x1000, 1L << 48, 0x1000, RW), "beyond the OAS");
        assertEquals(IommuErrno.EINVAL, t.mapPages(0x1000, 0x4000_0000L, 0x3000, 1, RW), "not a page size");
        assertEquals(0, t.unmap(0x800, 0x1000, null));
        assertEquals(1, t.tableCount());
        assertEquals(bytes, alloc.allocatedBytes());
    }

    @Test
    void partialUnmapOfABlockIsRefusedAndLeavesItMapped() {
        // Linux since v6.13 (33729a5fc0ca): "Unmap of a partial large IOPTE is not allowed".
        LpaePageTable t = s1(48);
        assertEquals(0, t.map(SZ_1G, 0x8000_0000L, SZ_2M, RW));
        IotlbGather g = new IotlbGather();
        assertEquals(0, t.unmap(SZ_1G + SZ_4K, SZ_4K, g));
        assertEquals(1, t.partialUnmapRefusals());
        assertEquals(0x8000_0000L + SZ_4K + 42, t.iovaToPhys(SZ_1G + SZ_4K + 42), "the block is still mapped");
        assertEquals(List.of(), tlb.calls, "nothing to invalidate");
        assertTrue(g.isEmpty());
        assertEquals(SZ_2M, t.unmap(SZ_1G, SZ_2M, g), "the whole block unmaps");
        assertEquals(0, t.iovaToPhys(SZ_1G));
    }

    @Test
    void emptiedTablesStayLinkedUntilTheTableIsFreedAsInLinux() {
        // io-pgtable-arm's unmap never frees a table because it emptied: a 4 KiB map at
        // 0x7f00_0000_0000 (48-bit IAS, 4K granule: start level 0) needs tables at levels 1, 2
        // and 3 besides the pgd, and all four stay after the last leaf goes.
        long none = alloc.allocatedBytes();
        LpaePageTable t = s1(48);
        assertEquals(0, t.map(0x7f00_0000_0000L, 0x4000_0000L, SZ_4K, RW));
        assertEquals(0, t.map(0x7f00_0000_1000L, 0x4000_1000L, SZ_4K, RW));
        assertEquals(4, t.tableCount());
        long mapped = alloc.allocatedBytes();
        IotlbGather g = new IotlbGather();
        assertEquals(SZ_4K, t.unmap(0x7f00_0000_0000L, SZ_4K, g));
        assertEquals(SZ_4K, t.unmap(0x7f00_0000_1000L, SZ_4K, g));
        assertEquals(List.of("page 0x7f0000000000+0x1000", "page 0x7f0000001000+0x1000"), tlb.calls,
                "leaves gathered for iotlb_sync; no table unlinked, so no walk flushed");
        assertEquals(4, t.tableCount(), "levels 1-3 stay linked, empty");
        assertEquals(mapped, alloc.allocatedBytes());
        assertEquals(0, t.map(0x7f00_0000_0000L, 0x4000_0000L, SZ_4K, RW), "and are reused by the next map");
        assertEquals(mapped, alloc.allocatedBytes(), "without a new page");
        t.free();
        assertEquals(none, alloc.allocatedBytes(), "free_io_pgtable_ops returns every table, the pgd included");
    }

    @Test
    void aBlockMappedOverAnEmptiedTableUnlinksItFlushesItsWalkAndFreesIt() {
        // arm_lpae_init_pte: a table where the block goes is unmapped through __arm_lpae_unmap:
        // clear, tlb_flush_walk for the block's span, free; then the block is written.
        LpaePageTable t = s1(48);
        assertEquals(0, t.map(SZ_1G, 0x4000_0000L, SZ_4K, RW));
        assertEquals(SZ_4K, t.unmap(SZ_1G, SZ_4K, new IotlbGather()));
        long withL3 = alloc.allocatedBytes();
        int tables = t.tableCount();
        tlb.calls.clear();
        assertEquals(0, t.map(SZ_1G, 0x8000_0000L, SZ_2M, RW));
        assertEquals(List.of(String.format("walk 0x%x+0x%x", SZ_1G, SZ_2M)), tlb.calls);
        assertEquals(tables - 1, t.tableCount(), "the level-3 table went");
        assertEquals(withL3 - SZ_4K, alloc.allocatedBytes(), "and its page is back");
        assertEquals(0x8000_0000L + 0x1234, t.iovaToPhys(SZ_1G + 0x1234));
    }

    @Test
    void aBlockOverATableThatStillMapsAPageIsRefusedAndChangesNothing() {
        // Linux would unmap the live page silently (arm_lpae_init_pte); the model refuses.
        LpaePageTable t = s1(48);
        assertEquals(0, t.map(SZ_1G + SZ_4K, 0x4000_1000L, SZ_4K, RW));
        long bytes = alloc.allocatedBytes();
        tlb.calls.clear();
        assertEquals(IommuErrno.EEXIST, t.map(SZ_1G, 0x8000_0000L, SZ_2M, RW));
        assertEquals(List.of(), tlb.calls);
        assertEquals(bytes, alloc.allocatedBytes());
        assertEquals(0x4000_1000L, t.iovaToPhys(SZ_1G + SZ_4K), "the page still translates");
    }

    @Test
    void unmapAtBlockSizeOverATableFreesItAndFlushesTheWalk() {
        LpaePageTable t = s1(48);
        for (long off = 0; off < 4 * SZ_4K; off += SZ_4K) {
            assertEquals(0, t.map(SZ_1G + off, 0x4000_0000L + off, SZ_4K, RW));
        }
        int tables = t.tableCount();
        long bytes = t.tableBytes();
        IotlbGather g = new IotlbGather();
        assertEquals(SZ_2M, t.unmapPages(SZ_1G, SZ_2M, 1, g));
        // __arm_lpae_unmap: the level-3 table goes with its leaves, its walk flushed first; then
        // tlb_add_page for the entry, as Linux adds every entry it cleared. Levels 1 and 2 stay.
        assertEquals(List.of(String.format("walk 0x%x+0x%x", SZ_1G, SZ_2M), String.format("page 0x%x+0x%x", SZ_1G, SZ_2M)),
                tlb.calls);
        assertEquals(0, t.iovaToPhys(SZ_1G + SZ_4K));
        assertEquals(tables - 1, t.tableCount());
        assertEquals(bytes - SZ_4K, t.tableBytes());
    }

    @Test
    void queuedGatherGetsNoPages() {
        LpaePageTable t = s1(48);
        assertEquals(0, t.map(SZ_1G, 0x4000_0000L, 4 * SZ_4K, RW));
        IotlbGather g = new IotlbGather();
        g.setQueued(true);
        assertEquals(4 * SZ_4K, t.unmap(SZ_1G, 4 * SZ_4K, g));
        assertTrue(g.isEmpty());
        assertTrue(tlb.calls.stream().noneMatch(c -> c.startsWith("page")), tlb.calls.toString());
        tlb.calls.clear();
        IotlbGather g2 = new IotlbGather();
        assertEquals(0, t.map(SZ_1G, 0x4000_0000L, 2 * SZ_4K, RW));
        assertEquals(2 * SZ_4K, t.unmap(SZ_1G, 2 * SZ_4K, g2));
        assertEquals(2, tlb.calls.stream().filter(c -> c.startsWith("page")).count(), tlb.calls.toString());
        assertEquals(SZ_1G + 2 * SZ_4K - 1, g2.end());
    }

    @Test
    void unmapStopsAtAHole() {
        LpaePageTable t = s1(48);
        assertEquals(0, t.map(SZ_1G, 0x4000_0000L, SZ_4K, RW));
        assertEquals(0, t.map(SZ_1G + 2 * SZ_4K, 0x4000_0000L, SZ_4K, RW));
        assertEquals(SZ_4K, t.unmap(SZ_1G, 3 * SZ_4K, null));
        assertEquals(0x4000_0000L, t.iovaToPhys(SZ_1G + 2 * SZ_4K));
    }

    @Test
    void outOfMemoryLeavesNothingBehind() {
        TestMemory small = new TestMemory(new MemoryRegion(0x4000_0000L, 0x10000));
        TestPageAllocator a = new TestPageAllocator(small);
        // Eat all but one page: the pgd fits, the next-level table does not.
        for (int i = 0; i < 15; i++) {
            a.allocPages(1, Zone.NORMAL);
        }
        LpaePageTable t = LpaePageTable.allocate(LpaeConfig.of(LpaeStage.STAGE1, PG4K, 48, 48), small, a, tlb);
        assertNotNull(t);
        long bytes = a.allocatedBytes();
        assertEquals(IommuErrno.ENOMEM, t.map(SZ_1G, 0x4000_0000L, SZ_4K, RW));
        assertEquals(bytes, a.allocatedBytes());
        assertEquals(1, t.tableCount());
        assertNull(LpaePageTable.allocate(LpaeConfig.of(LpaeStage.STAGE1, PG4K, 48, 48), small, a, tlb));
    }

    @Test
    void fiftyTwoBitAddressesWith64K() {
        LpaeConfig c = LpaeConfig.of(LpaeStage.STAGE1, (1L << 16) | (1L << 29), 52, 52);
        LpaePageTable t = LpaePageTable.allocate(c, mem, alloc, tlb);
        long pa = 0x000f_1234_5678_0000L;
        long iova = 0x000e_0000_0001_0000L;
        assertEquals(0, t.map(iova, pa, 1L << 16, RW));
        assertEquals(pa + 0x42, t.iovaToPhys(iova + 0x42));
        assertTrue(walker.walk(hw(t), iova + 0x42, AccessType.READ, false, r), r.toString());
        assertEquals(pa + 0x42, r.outputAddress());
    }

    @Test
    void freedTableRefusesWork() {
        LpaePageTable t = s1(48);
        t.free();
        assertThrows(IllegalStateException.class, () -> t.map(0, 0x4000_0000L, SZ_4K, RW));
        assertEquals(0, alloc.allocatedBytes());
    }

    @Test
    void mapRunsRefusesBadArraysBeforeMappingAnything() {
        LpaePageTable t = s1(48);
        long iova = 0x4000_0000L;
        long a = alloc.allocPages(1, Zone.NORMAL);
        long b = alloc.allocPages(1, Zone.NORMAL);
        // Warm the walk cache on this last-level table, so the fast path would take the runs.
        assertEquals(0, t.map(iova, a, SZ_4K, RW));
        long next = iova + SZ_4K;
        long[] phys = {b, a};
        long[] len = {SZ_4K, SZ_4K};
        assertThrows(IllegalArgumentException.class, () -> t.mapRuns(next, phys, len, 3, RW));
        assertThrows(IllegalArgumentException.class, () -> t.mapRuns(next, phys, new long[1], 2, RW));
        assertThrows(IllegalArgumentException.class, () -> t.mapRuns(next, null, len, 1, RW));
        assertThrows(IllegalArgumentException.class, () -> t.mapRuns(next, phys, len, -1, RW));
        assertEquals(0, t.iovaToPhys(next), "nothing of a refused list is mapped");
        assertEquals(0, t.iovaToPhys(next + SZ_4K));
        assertEquals(a, t.iovaToPhys(iova), "the mapping before it is untouched");
        // The same arrays with a count they hold map both runs, one page after the other.
        assertEquals(0, t.mapRuns(next, phys, len, 2, RW));
        assertEquals(b, t.iovaToPhys(next));
        assertEquals(a, t.iovaToPhys(next + SZ_4K));
    }

    /**
     * iova_to_phys after the last-level table it last went through was freed: a 2 MiB block
     * mapped over the span's empty table replaces (unlinks and frees) the table, so Linux's
     * walk (arm_lpae_iova_to_phys) ends at the level-2 block: 0x8000_0000 + 0x3008. And from
     * another thread, which takes no lock, the same answers.
     */
    @Test
    void iovaToPhysFollowsABlockThatReplacedItsTable() throws Exception {
        LpaePageTable t = s1(48);
        long iova = 0x4020_0000L;
        assertEquals(0, t.map(iova + 0x3000, 0x9000_0000L, SZ_4K, RW));
        assertEquals(0x9000_0008L, t.iovaToPhys(iova + 0x3008));
        assertEquals(SZ_4K, t.unmap(iova + 0x3000, SZ_4K, null));
        assertEquals(0, t.iovaToPhys(iova + 0x3008));
        assertEquals(0, t.map(iova, 0x8000_0000L, SZ_2M, RW));
        assertEquals(0x8000_3008L, t.iovaToPhys(iova + 0x3008));
        long[] other = new long[1];
        Thread th = new Thread(() -> other[0] = t.iovaToPhys(iova + 0x3008));
        th.start();
        th.join();
        assertEquals(0x8000_3008L, other[0]);
    }
}
