package org.iommulab.smmu.v2.internal.model;

import static org.iommulab.api.platform.AccessType.READ;
import static org.iommulab.api.platform.AccessType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.iommulab.smmu.v2.internal.model.regs.Gr1;
import org.iommulab.testkit.NoopFlushOps;
import org.junit.jupiter.api.Test;

/** Stage 1, stage 2 and nested contexts, and the context types around them. */
class StagesTest {
    private static final int SID = 1;
    private final ModelRig rig = new ModelRig();
    private final TranslationPort port = rig.port("dev", SID);

    @Test
    void stageOneTranslatesThroughItsTables() {
        LpaePageTable t = rig.table(LpaeStage.STAGE1, 48, 48);
        long pa = rig.page();
        t.map(0x8000_0000L, pa, 0x1000, ModelRig.RW);
        rig.programS1(0, t, 1);
        rig.stream(0, SID, 0);
        rig.enable(0);
        assertEquals(pa + 0x123, port.translate(SID, 0x8000_0123L, WRITE));
    }

    @Test
    void stageTwoTranslatesAndFaultsInItsOwnBank() {
        LpaePageTable t = rig.table(LpaeStage.STAGE2, 48, 48);
        long pa = rig.page();
        t.map(0x3000, pa, 0x1000, ModelRig.RW);
        rig.programS2(4, t, 7);
        rig.stream(0, SID, 4);
        rig.enable(0);
        assertEquals(pa + 8, port.translate(SID, 0x3008, READ));
        DmaFault f = ModelRig.fault(port, SID, 0x9000, READ);
        assertEquals(FaultKind.TRANSLATION, f.kind());
        assertEquals((int) Cb.FSR_TF.mask(), rig.read(rig.cb(4, Cb.FSR)));
    }

    @Test
    void stageTwoWithConcatenatedStartTables() {
        // A 40-bit IPA with 4K pages starts at level 1 with two concatenated tables (SL0 = 1).
        LpaePageTable t = LpaePageTable.allocate(LpaeConfig.of(LpaeStage.STAGE2, ModelRig.PGSIZES_4K, 40, 48), rig.mem,
                rig.alloc, NoopFlushOps.INSTANCE);
        assertEquals(1, t.config().startLevel());
        long pa = rig.page();
        long ipa = 0xC0_0000_0000L - 0x1000; // in the second concatenated table
        t.map(ipa, pa, 0x1000, ModelRig.RW);
        rig.programS2(0, t, 3);
        rig.stream(0, SID, 0);
        rig.enable(0);
        assertEquals(pa, port.translate(SID, ipa, READ));
    }

    @Test
    void stageTwoInvalidationByIpaAndVmid() {
        LpaePageTable t = rig.table(LpaeStage.STAGE2, 48, 48);
        long pa = rig.page();
        t.map(0x3000, pa, 0x2000, ModelRig.RW);
        rig.programS2(0, t, 7);
        rig.stream(0, SID, 0);
        rig.enable(0);
        port.translate(SID, 0x3000, READ);
        port.translate(SID, 0x4000, READ);
        t.unmap(0x3000, 0x2000, null);
        rig.hw.write64(rig.cb(0, Cb.TLBIIPAS2L), 0x3000 >>> 12);
        rig.sync(0);
        assertEquals(FaultKind.TRANSLATION, ModelRig.fault(port, SID, 0x3000, READ).kind());
        assertEquals(pa + 0x1000, port.translate(SID, 0x4000, READ), "0x4000 is still cached");
        rig.hw.write32(rig.gr0(Gr0.TLBIVMID), 8);
        rig.syncGlobal();
        assertEquals(pa + 0x1000, port.translate(SID, 0x4000, READ), "another VMID's invalidation");
        rig.hw.write32(rig.gr0(Gr0.TLBIVMID), 7);
        rig.syncGlobal();
        rig.hw.write32(rig.cb(0, Cb.FSR), -1);
        assertEquals(FaultKind.TRANSLATION, ModelRig.fault(port, SID, 0x4000, READ).kind());
    }

    @Test
    void tlbiipas2LDropsTheLeafButNotTheWalkCacheWhileTlbiipas2DropsBoth() {
        LpaePageTable t = rig.table(LpaeStage.STAGE2, 48, 48);
        long ipa = 0x20_0000;
        t.map(ipa, rig.page(), 0x1000, ModelRig.RW);
        rig.programS2(0, t, 7);
        rig.stream(0, SID, 0);
        rig.enable(0);
        port.translate(SID, ipa, READ);
        t.unmap(ipa, 0x1000, null); // the level-3 table empties and stays linked
        long pa2 = rig.block2m();
        // A block over it unlinks the table; the rig's flush callbacks do nothing, so the walk
        // cache still holds it until the TLBIs below.
        t.map(ipa, pa2, 0x20_0000, ModelRig.RW);
        rig.hw.write64(rig.cb(0, Cb.TLBIIPAS2L), ipa >>> 12);
        rig.sync(0);
        assertEquals(FaultKind.TRANSLATION, ModelRig.fault(port, SID, ipa, READ).kind(), "walked the old table");
        rig.hw.write32(rig.cb(0, Cb.FSR), -1);
        rig.hw.write64(rig.cb(0, Cb.TLBIIPAS2), ipa >>> 12);
        rig.sync(0);
        assertEquals(pa2, port.translate(SID, ipa, READ));
    }

    /** Stage 2 mapping the platform's RAM one to one, so stage-1 tables are reachable at IPA = PA. */
    private LpaePageTable identityStage2() {
        LpaePageTable s2 = rig.table(LpaeStage.STAGE2, 48, 48);
        assertEquals(0, s2.map(0x4000_0000L, 0x4000_0000L, 0xC000_0000L, ModelRig.RW));
        assertEquals(0, s2.map(0x1_0000_0000L, 0x1_0000_0000L, 0x1_0000_0000L, ModelRig.RW));
        return s2;
    }

    @Test
    void nestedTranslationGoesThroughBothStages() {
        LpaePageTable s2 = identityStage2();
        long data = rig.page();
        long ipa = 0x2_0000_0000L; // outside RAM: only stage 2 makes it reachable
        s2.map(ipa, data, 0x1000, ModelRig.RW);
        LpaePageTable s1 = rig.table(LpaeStage.STAGE1, 48, 48);
        s1.map(0x10_0000, ipa, 0x1000, ModelRig.RW);
        rig.programS2(6, s2, 2);
        rig.programS1(5, s1, 4, Gr1.CBAR_TYPE_S1_TRANS_S2_TRANS, 6);
        rig.stream(0, SID, 5);
        rig.enable(0);
        assertEquals(data + 0x40, port.translate(SID, 0x10_0040, READ));
        assertEquals(data + 0x48, port.translate(SID, 0x10_0048, READ));
        assertEquals(1, rig.hw.stats(5).hits(), "the combined entry lives in the stage-1 bank");
    }

    @Test
    void aStageTwoFaultOnAStageOneTableFetchIsRecordedByTheStageTwoBank() {
        LpaePageTable s2 = rig.table(LpaeStage.STAGE2, 48, 48); // maps nothing: no table is reachable
        LpaePageTable s1 = rig.table(LpaeStage.STAGE1, 48, 48);
        s1.map(0x10_0000, 0x2_0000_0000L, 0x1000, ModelRig.RW);
        rig.programS2(6, s2, 2);
        rig.programS1(5, s1, 4, Gr1.CBAR_TYPE_S1_TRANS_S2_TRANS, 6);
        rig.stream(0, SID, 5);
        rig.enable(0);
        DmaFault f = ModelRig.fault(port, SID, 0x10_0000, READ);
        assertEquals(FaultKind.TRANSLATION, f.kind());
        assertEquals(0, rig.read(rig.cb(5, Cb.FSR)));
        assertEquals((int) Cb.FSR_TF.mask(), rig.read(rig.cb(6, Cb.FSR)));
        int fsynr0 = rig.read(rig.cb(6, Cb.FSYNR0));
        assertEquals(1, Cb.FSYNR0_PTWF.get(fsynr0));
        assertEquals(5, Cb.FSYNR0_S1CBNDX.get(fsynr0));
        assertEquals(s1.ttb(), rig.hw.read64(rig.cb(6, Cb.IPAFAR)) & ~0xfffL);
    }

    @Test
    void aStageTwoFaultOnTheOutputIpa() {
        LpaePageTable s2 = identityStage2();
        LpaePageTable s1 = rig.table(LpaeStage.STAGE1, 48, 48);
        s1.map(0x10_0000, 0x2_0000_0000L, 0x1000, ModelRig.RW); // IPA stage 2 does not map
        rig.programS2(6, s2, 2);
        rig.programS1(5, s1, 4, Gr1.CBAR_TYPE_S1_TRANS_S2_TRANS, 6);
        rig.stream(0, SID, 5);
        rig.enable(0);
        ModelRig.fault(port, SID, 0x10_0000, WRITE);
        assertEquals(0x2_0000_0000L, rig.hw.read64(rig.cb(6, Cb.IPAFAR)));
        assertEquals(0, Cb.FSYNR0_PTWF.get(rig.read(rig.cb(6, Cb.FSYNR0))));
    }

    @Test
    void aNestedContextMustNameAStageTwoBank() {
        LpaePageTable s1 = rig.table(LpaeStage.STAGE1, 48, 48);
        rig.programS1(5, s1, 4, Gr1.CBAR_TYPE_S1_TRANS_S2_TRANS, 5);
        rig.stream(0, SID, 5);
        rig.enable(0);
        DmaFault f = ModelRig.fault(port, SID, 0x10_0000, READ);
        assertEquals(FaultKind.BAD_CONFIG, f.kind());
        assertTrue(f.detail().contains("stage-2 context bank"), f.detail());
    }

    @Test
    void stageOneWithStageTwoFaultFaultsEveryTransaction() {
        LpaePageTable t = rig.table(LpaeStage.STAGE1, 48, 48);
        t.map(0x1000, rig.page(), 0x1000, ModelRig.RW);
        rig.programS1(0, t, 1, Gr1.CBAR_TYPE_S1_TRANS_S2_FAULT, 0);
        rig.stream(0, SID, 0);
        rig.enable(0);
        assertEquals(FaultKind.STREAM_DISABLED, ModelRig.fault(port, SID, 0x1000, READ).kind());
        rig.hw.write32(rig.cb(0, Cb.FSR), -1);
        rig.hw.write32(rig.cb(0, Cb.SCTLR), (int) Cb.SCTLR_CFRE.mask()); // stage 1 off: still faults at stage 2
        assertEquals(FaultKind.STREAM_DISABLED, ModelRig.fault(port, SID, 0x1000, READ).kind());
    }

    @Test
    void aContextWithSctlrMClearBypasses() {
        LpaePageTable t = rig.table(LpaeStage.STAGE1, 48, 48);
        rig.programS1(0, t, 1);
        rig.hw.write32(rig.cb(0, Cb.SCTLR), 0);
        rig.stream(0, SID, 0);
        rig.enable(0);
        assertEquals(0x5555_0000L, port.translate(SID, 0x5555_0000L, READ));
    }

    @Test
    void aStageTheIdRegistersDoNotReportIsAnInvalidContext() {
        ModelRig s2only = new ModelRig(SmmuV2Params.mmu500().withStages(false, true, false).withTiming(4096, 16, 0));
        LpaePageTable t = s2only.table(LpaeStage.STAGE1, 48, 48);
        s2only.programS1(0, t, 1);
        s2only.stream(0, SID, 0);
        s2only.enable(0);
        DmaFault f = ModelRig.fault(s2only.port("dev", SID), SID, 0x1000, READ);
        assertEquals(FaultKind.BAD_CONFIG, f.kind());
        assertEquals((int) Gr0.SGFSR_ICF.mask(), s2only.read(s2only.gr0(Gr0.SGFSR)));
    }
}
