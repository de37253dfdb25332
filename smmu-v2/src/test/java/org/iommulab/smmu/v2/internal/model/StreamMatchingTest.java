package org.iommulab.smmu.v2.internal.model;

import static org.iommulab.api.platform.AccessType.READ;
import static org.iommulab.api.platform.AccessType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.junit.jupiter.api.Test;

class StreamMatchingTest {
    private final ModelRig rig = new ModelRig();
    private final TranslationPort port = rig.port("dev", 0x10, 0x11, 0x12, 0x13, 0x20, 0x42);

    @Test
    void clientpdBypassesEveryStream() {
        rig.enable(Gr0.SCR0_CLIENTPD.mask() | Gr0.SCR0_USFCFG.mask());
        assertEquals(0x5000, port.translate(0x42, 0x5000, READ));
    }

    @Test
    void aMaskedSmrMatchesEveryStreamItCovers() {
        LpaePageTable t = rig.table(LpaeStage.STAGE1, 48, 48);
        long pa = rig.page();
        t.map(0x10000, pa, 0x1000, ModelRig.RW);
        rig.programS1(0, t, 0);
        rig.s2cr(0, Gr0.S2CR_TYPE_TRANS, 0);
        rig.smr(0, 0x10, 0x3); // 0x10..0x13
        rig.enable(Gr0.SCR0_USFCFG.mask());
        for (int sid = 0x10; sid <= 0x13; sid++) {
            assertEquals(pa + 8, port.translate(sid, 0x10008, READ));
        }
        DmaFault f = ModelRig.fault(port, 0x20, 0x10008, READ);
        assertEquals(FaultKind.UNIDENTIFIED_STREAM, f.kind());
    }

    @Test
    void anUnmatchedStreamBypassesWhenUsfcfgIsClear() {
        rig.enable(0);
        assertEquals(0x7000, port.translate(0x42, 0x7000, WRITE));
        assertEquals(0, rig.read(rig.gr0(Gr0.SGFSR)));
    }

    @Test
    void anUnmatchedStreamFaultsWhenUsfcfgIsSet() {
        rig.enable(Gr0.SCR0_USFCFG.mask());
        DmaFault f = ModelRig.fault(port, 0x42, 0x7123, WRITE);
        assertEquals(FaultKind.UNIDENTIFIED_STREAM, f.kind());
        assertEquals(FaultOrigin.ACCESS, f.origin());
        assertEquals(0x42, f.streamId());
        assertEquals("dev", f.device());
        int gfsr = rig.read(rig.gr0(Gr0.SGFSR));
        assertEquals((int) Gr0.SGFSR_USF.mask(), gfsr);
        assertEquals(0x42, Gr0.SGFSYNR1_STREAMID.get(rig.read(rig.gr0(Gr0.SGFSYNR1))));
        assertEquals(1, Gr0.SGFSYNR0_WNR.get(rig.read(rig.gr0(Gr0.SGFSYNR0))));
        assertEquals(0x7123, rig.hw.read64(rig.gr0(Gr0.SGFAR)));
        assertEquals(1, rig.irq.global, "sCR0.GFIE raises the global interrupt");
        assertEquals((long) gfsr, f.syndrome().get("sGFSR"));
    }

    @Test
    void overlappingSmrsAreAStreamMatchConflictNotASilentPick() {
        rig.s2cr(0, Gr0.S2CR_TYPE_BYPASS, 0);
        rig.smr(0, 0x10, 0x3);
        rig.s2cr(1, Gr0.S2CR_TYPE_BYPASS, 0);
        rig.smr(1, 0x12, 0x0);
        rig.enable(0);
        assertEquals(0x9000, port.translate(0x11, 0x9000, READ), "0x11 matches only SMR 0");
        DmaFault f = ModelRig.fault(port, 0x12, 0x9000, READ);
        assertEquals(FaultKind.STREAM_MATCH_CONFLICT, f.kind());
        assertEquals(FaultOrigin.MISPROGRAMMED, f.origin());
        assertEquals((int) Gr0.SGFSR_SMCF.mask(), rig.read(rig.gr0(Gr0.SGFSR)));
    }

    @Test
    void s2crTypesBypassAndFault() {
        rig.s2cr(0, Gr0.S2CR_TYPE_BYPASS, 0);
        rig.smr(0, 0x20, 0);
        rig.s2cr(1, Gr0.S2CR_TYPE_FAULT, 0);
        rig.smr(1, 0x42, 0);
        rig.enable(Gr0.SCR0_USFCFG.mask());
        assertEquals(0xabc000, port.translate(0x20, 0xabc000, READ));
        DmaFault f = ModelRig.fault(port, 0x42, 0xabc000, READ);
        assertEquals(FaultKind.STREAM_DISABLED, f.kind());
        assertEquals((int) Gr0.SGFSR_ICF.mask(), rig.read(rig.gr0(Gr0.SGFSR)));
    }

    @Test
    void anS2crNamingAnUnimplementedBankFaults() {
        rig.stream(0, 0x20, 200);
        rig.enable(0);
        DmaFault f = ModelRig.fault(port, 0x20, 0x1000, READ);
        assertEquals(FaultKind.BAD_CONFIG, f.kind());
        assertEquals(FaultOrigin.MISPROGRAMMED, f.origin());
        assertEquals((int) Gr0.SGFSR_UCBF.mask(), rig.read(rig.gr0(Gr0.SGFSR)));
    }

    @Test
    void aSecondGlobalFaultBeforeTheFirstIsClearedSetsMulti() {
        rig.enable(Gr0.SCR0_USFCFG.mask());
        ModelRig.fault(port, 0x42, 0x1000, READ);
        ModelRig.fault(port, 0x20, 0x2000, WRITE);
        assertEquals((int) (Gr0.SGFSR_USF.mask() | Gr0.SGFSR_MULTI.mask()), rig.read(rig.gr0(Gr0.SGFSR)));
        assertEquals(0x42, Gr0.SGFSYNR1_STREAMID.get(rig.read(rig.gr0(Gr0.SGFSYNR1))), "the syndrome keeps the first");
        assertEquals(0x1000, rig.hw.read64(rig.gr0(Gr0.SGFAR)));
    }

    @Test
    void withoutGfieNoGlobalInterruptIsRaised() {
        rig.hw.write32(rig.gr0(Gr0.SCR0), (int) (Gr0.SCR0_GFRE.mask() | Gr0.SCR0_USFCFG.mask()));
        DmaFault f = ModelRig.fault(port, 0x42, 0x1000, READ);
        assertEquals(0, rig.irq.global);
        assertEquals(FaultKind.UNIDENTIFIED_STREAM, f.kind());
    }

    @Test
    void withoutGfreTheAbortSaysRazWiIsNotModelled() {
        rig.hw.write32(rig.gr0(Gr0.SCR0), (int) Gr0.SCR0_USFCFG.mask());
        DmaFault f = ModelRig.fault(port, 0x42, 0x1000, READ);
        assertTrue(f.detail().contains("GFRE=0"), f.detail());
    }

    @Test
    void aStreamIdWiderThanNumsidbIsRefusedAtThePort() {
        ModelRig narrow = new ModelRig(new SmmuV2Params(4, 2, 4096, 48, 48, true, false, false, true, true, false, 4, 16,
                0));
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> narrow.port("wide", 0x10)).getMessage().contains("NUMSIDB"));
    }
}
