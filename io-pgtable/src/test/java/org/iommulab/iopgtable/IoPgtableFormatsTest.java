package org.iommulab.iopgtable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.iopgtable.lpae.LpaeStage;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The format table: the two ARM LPAE stages, each under the granule the page sizes select. */
class IoPgtableFormatsTest {
    private static final long SZ_4K = 1L << 12;
    private static final long PG4K = SZ_4K | (1L << 21) | (1L << 30);
    private static final int RW = IommuProt.READ | IommuProt.WRITE;

    private final TestMemory mem = TestMemory.defaultLayout();
    private final TestPageAllocator alloc = new TestPageAllocator(mem);

    @Test
    void theBuiltInFormatsAreTheArmLpaeStages() {
        assertEquals(List.of("ARM_64_LPAE_S1", "ARM_64_LPAE_S2"),
                IoPgtableFormats.builtIn().stream().map(IoPgtableFormat::name).toList());
        assertSame(IoPgtableFormats.ARM_64_LPAE_S2, IoPgtableFormats.byName("ARM_64_LPAE_S2"));
        assertNull(IoPgtableFormats.byName("ARM_V7S"));
    }

    @ParameterizedTest
    @EnumSource(LpaeGranule.class)
    void stageOneUnderEachGranuleMapsAndGivesEverythingBack(LpaeGranule g) {
        IoPgtableOps ops = IoPgtableFormats.ARM_64_LPAE_S1.allocate(IoPgtableConfig.of(g.pageSizes(48), 48, 48), mem,
                alloc, new NoFlushOps());
        LpaeConfig cfg = (LpaeConfig) ops.config();
        assertEquals(LpaeStage.STAGE1, cfg.stage());
        assertEquals(g, cfg.granule());
        assertEquals(g.pageSizes(48), ops.config().pgsizeBitmap());
        long iova = 0x12_3400_0000L;
        long pa = 0x8000_0000L;
        assertEquals(0, ops.map(iova, pa, g.size(), RW));
        int tables = ops.tableCount();
        assertEquals(pa + 0x18, ops.iovaToPhys(iova + 0x18));
        IotlbGather gather = new IotlbGather();
        assertEquals(g.size(), ops.unmap(iova, g.size(), gather));
        assertEquals(iova, gather.start());
        assertEquals(0, ops.iovaToPhys(iova));
        assertEquals(tables, ops.tableCount(), "emptied tables stay until the table is freed, as in Linux");
        ops.free();
        assertEquals(0, alloc.allocatedBytes());
    }

    @Test
    void stageTwoConcatenatesItsStartLevel() {
        IoPgtableOps ops = IoPgtableFormats.ARM_64_LPAE_S2.allocate(IoPgtableConfig.of(PG4K, 40, 40), mem, alloc,
                new NoFlushOps());
        LpaeConfig cfg = (LpaeConfig) ops.config();
        assertEquals(LpaeStage.STAGE2, cfg.stage());
        assertEquals(1, cfg.startLevel());
        assertEquals(8192, ops.tableBytes(), "two concatenated level-1 tables");
    }

    @Test
    void aConfigTheFormatCannotServeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> IoPgtableFormats.ARM_64_LPAE_S1
                .allocate(IoPgtableConfig.of(1L << 13, 48, 48), mem, alloc, new NoFlushOps()), "no 8K granule");
        assertThrows(IllegalArgumentException.class,
                () -> IoPgtableFormats.ARM_64_LPAE_S1.allocate(IoPgtableConfig.of(PG4K, 48, 48), mem, alloc, null));
        assertEquals(0, alloc.allocatedBytes());
    }
}
