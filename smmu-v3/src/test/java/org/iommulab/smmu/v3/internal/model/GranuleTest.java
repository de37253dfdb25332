package org.iommulab.smmu.v3.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.AccessType;
import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.smmu.v3.internal.format.CdFormat;
import org.iommulab.smmu.v3.internal.format.SteFormat;
import org.iommulab.testkit.NoopFlushOps;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The same translation under the three granules, with tables written by generic-iommu's LPAE
 * writer (the driver side) and walked by its walker through the SMMU: stage 1 through a CD
 * (TG0 encodings 0, 2, 1) and stage 2 through an STE (S2TG encodings 0, 2, 1, with the start
 * level the writer chose as S2SL0).
 */
class GranuleTest {
    private static final long IOVA = 0x12_3400_0000L;
    private static final long PA = 0x1_2340_0000L;
    private static final long SIZE = 0x20_0000L;

    private static void check(SmmuHarness h, int sid, LpaeGranule g) {
        for (long off : new long[] {0, 0x10, g.size() - 8, g.size(), SIZE - 8}) {
            assertEquals(PA + off, h.read(sid, IOVA + off), g + " offset 0x" + Long.toHexString(off));
        }
        h.fault(sid, IOVA + SIZE, AccessType.READ);
    }

    @ParameterizedTest
    @EnumSource(LpaeGranule.class)
    void stage1UnderEveryGranule(LpaeGranule g) {
        SmmuHarness h = SmmuHarness.stage1().up();
        LpaeConfig cfg = LpaeConfig.of(LpaeStage.STAGE1, g.pageSizes(44), 48, 44);
        LpaePageTable t = LpaePageTable.allocate(cfg, h.mem, h.alloc, NoopFlushOps.INSTANCE);
        assertEquals(0, t.map(IOVA, PA, SIZE, IommuProt.READ | IommuProt.WRITE));
        long cd = h.pages(1);
        long d0 = CdFormat.D0_TG0.set(SmmuHarness.cdDword0(cfg.t0sz(), 9), cfg.tg0());
        h.writeEntry(cd, d0, t.ttb());
        h.writeEntry(h.steAddr(4), SmmuHarness.steS1(cd));
        check(h, 4, g);
    }

    @ParameterizedTest
    @EnumSource(LpaeGranule.class)
    void stage2UnderEveryGranule(LpaeGranule g) {
        SmmuHarness h = SmmuHarness.of(SmmuV3Features.builder().stages(SmmuV3Features.Stages.S2)).up();
        LpaeConfig cfg = LpaeConfig.of(LpaeStage.STAGE2, g.pageSizes(44), 44, 44);
        LpaePageTable t = LpaePageTable.allocate(cfg, h.mem, h.alloc, NoopFlushOps.INSTANCE);
        assertEquals(0, t.map(IOVA, PA, SIZE, IommuProt.READ | IommuProt.WRITE));
        long d2 = SteFormat.D2_S2VMID.of(1) | SteFormat.D2_S2T0SZ.of(cfg.t0sz()) | SteFormat.D2_S2SL0.of(cfg.sl0())
                | SteFormat.D2_S2TG.of(g == LpaeGranule.G4K ? 0 : g == LpaeGranule.G64K ? 1 : 2)
                | SteFormat.D2_S2PS.of(cfg.ps()) | SteFormat.D2_S2AA64.of(1) | SteFormat.D2_S2R.of(1);
        h.writeEntry(h.steAddr(4), SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_S2), 0, d2, t.ttb());
        check(h, 4, g);
    }
}
