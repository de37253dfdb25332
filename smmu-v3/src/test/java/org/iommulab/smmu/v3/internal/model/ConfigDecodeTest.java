package org.iommulab.smmu.v3.internal.model;

import static org.iommulab.smmu.v3.internal.format.EventFormat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.smmu.v3.internal.format.CdFormat;
import org.iommulab.smmu.v3.internal.format.CmdFormat;
import org.iommulab.smmu.v3.internal.format.EventRecord;
import org.iommulab.smmu.v3.internal.format.SteFormat;
import org.junit.jupiter.api.Test;

/**
 * STE and CD decoding: C_BAD_STE / C_BAD_CD with MISPROGRAMMED for values no SMMU accepts or
 * that ignore the ID registers, NOT_MODELLED for features this model never implements; the
 * silent abort of Config 0b0xx; F_CD_FETCH; F_STREAM_DISABLED; and the configuration cache,
 * which keeps a decoded STE until CMD_CFGI_* drops it.
 */
class ConfigDecodeTest {
    private static final int SID = 1;
    private static final long ADDR = 0x4000_0000L;

    private static DmaFault badSte(SmmuHarness h, long... ste) {
        h.writeEntry(h.steAddr(SID), ste);
        h.cfgiAll();
        DmaFault f = h.fault(SID, ADDR, AccessType.READ);
        assertEquals(FaultKind.BAD_CONFIG, f.kind());
        List<EventRecord> ev = h.events();
        assertEquals(1, ev.size(), ev.toString());
        assertEquals(C_BAD_STE, ev.get(0).id());
        assertEquals(SID, ev.get(0).streamId());
        assertEquals(C_BAD_STE, f.syndrome().get("EVT.ID"));
        return f;
    }

    private static DmaFault badCd(SmmuHarness h, long cd0) {
        TableBuilder pt = TableBuilder.stage1(h.mem, h.alloc, 12, 48);
        long cd = h.stage1Stream(SID, pt, 1);
        h.writeEntry(cd, cd0, pt.root);
        h.cfgiAll();
        DmaFault f = h.fault(SID, ADDR, AccessType.READ);
        assertEquals(FaultKind.BAD_CONFIG, f.kind());
        List<EventRecord> ev = h.events();
        assertEquals(1, ev.size(), ev.toString());
        assertEquals(C_BAD_CD, ev.get(0).id());
        return f;
    }

    @Test
    void invalidSteIsMisprogrammed() {
        SmmuHarness h = SmmuHarness.stage1().up();
        assertEquals(FaultOrigin.MISPROGRAMMED, badSte(h, 0).origin());
    }

    @Test
    void stageNotAdvertisedIsMisprogrammed() {
        SmmuHarness h = SmmuHarness.stage1().up();
        DmaFault f = badSte(h, SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_S2));
        assertEquals(FaultOrigin.MISPROGRAMMED, f.origin());
        assertTrue(f.detail().contains("S2P"), f.detail());
    }

    @Test
    void stallAndHttuAndAarch32AreNotModelled() {
        SmmuHarness h = SmmuHarness.of(SmmuV3Features.builder().stages(SmmuV3Features.Stages.NESTED)).up();
        long s1 = SmmuHarness.steS1(h.pages(1));
        assertEquals(FaultOrigin.NOT_MODELLED, badSte(h, s1, SteFormat.D1_S1STALLD.of(1)).origin());
        long s2 = SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_S2);
        long d2 = SmmuHarness.steS2Dword2(1, 20, 2);
        long ttb = h.pages(1);
        assertEquals(FaultOrigin.NOT_MODELLED, badSte(h, s2, 0, d2 | SteFormat.D2_S2S.of(1), ttb).origin());
        assertEquals(FaultOrigin.NOT_MODELLED, badSte(h, s2, 0, d2 | SteFormat.D2_S2HA.of(1), ttb).origin());
        assertEquals(FaultOrigin.NOT_MODELLED, badSte(h, s2, 0, d2 & ~SteFormat.D2_S2AA64.mask(), ttb).origin());
        assertEquals(FaultOrigin.NOT_MODELLED, badSte(h, s2, 0, d2 | SteFormat.D2_S2ENDI.of(1), ttb).origin());
    }

    @Test
    void badVtcrValuesAreMisprogrammed() {
        SmmuHarness h = SmmuHarness.of(SmmuV3Features.builder().stages(SmmuV3Features.Stages.S2)).up();
        long s2 = SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_S2);
        long ttb = h.pages(1);
        assertEquals(FaultOrigin.MISPROGRAMMED, badSte(h, s2, 0, SmmuHarness.steS2Dword2(1, 19, 2), ttb).origin(),
                "S2T0SZ 19 gives 45 bits > IAS 44");
        assertEquals(FaultOrigin.MISPROGRAMMED, badSte(h, s2, 0, SmmuHarness.steS2Dword2(1, 20, 3), ttb).origin(),
                "S2SL0 3 is reserved");
        assertEquals(FaultOrigin.MISPROGRAMMED, badSte(h, s2, 0, SmmuHarness.steS2Dword2(1, 20, 0), ttb).origin(),
                "level 2 cannot start a 44-bit walk");
        assertEquals(FaultOrigin.MISPROGRAMMED,
                badSte(h, s2, 0, SmmuHarness.steS2Dword2(1, 20, 2) | SteFormat.D2_S2TG.of(3), ttb).origin());
        assertEquals(FaultOrigin.MISPROGRAMMED, badSte(h, s2, 0, SmmuHarness.steS2Dword2(1, 20, 2), 1L << 45).origin(),
                "S2TTB beyond the effective S2PS");
    }

    @Test
    void abortConfigAbortsSilentlyAndBypassPasses() {
        SmmuHarness h = SmmuHarness.stage1().up();
        for (int config = 0; config < 4; config++) {
            h.writeEntry(h.steAddr(SID), SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(config));
            h.cfgiAll();
            DmaFault f = h.fault(SID, ADDR, AccessType.WRITE);
            assertEquals(FaultKind.STREAM_DISABLED, f.kind());
            assertNull(f.syndrome().get("EVT.ID"), "Config 0b0xx: no event");
        }
        assertTrue(h.events().isEmpty());
        h.writeEntry(h.steAddr(SID), SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_BYPASS));
        h.cfgiAll();
        assertEquals(ADDR + 0x10, h.write(SID, ADDR + 0x10));
    }

    @Test
    void cdChecks() {
        SmmuHarness h = SmmuHarness.stage1().up();
        long good = SmmuHarness.cdDword0(16, 1);
        assertEquals(FaultOrigin.MISPROGRAMMED, badCd(h, good & ~CdFormat.D0_V.mask()).origin());
        assertEquals(FaultOrigin.NOT_MODELLED, badCd(h, good & ~CdFormat.D0_AA64.mask()).origin());
        assertEquals(FaultOrigin.NOT_MODELLED, badCd(h, good & ~CdFormat.D0_A.mask()).origin());
        assertEquals(FaultOrigin.NOT_MODELLED, badCd(h, good | CdFormat.D0_S.mask()).origin());
        assertEquals(FaultOrigin.NOT_MODELLED, badCd(h, good | CdFormat.D0_HA.mask()).origin());
        assertEquals(FaultOrigin.NOT_MODELLED, badCd(h, good | CdFormat.D0_ENDI.mask()).origin());
        assertEquals(FaultOrigin.MISPROGRAMMED, badCd(h, CdFormat.D0_T0SZ.set(good, 40)).origin());
        assertEquals(FaultOrigin.MISPROGRAMMED, badCd(h, CdFormat.D0_T0SZ.set(good, 15)).origin());
        assertEquals(FaultOrigin.MISPROGRAMMED, badCd(h, CdFormat.D0_TG0.set(good, 3)).origin());
    }

    @Test
    void unadvertisedGranuleIsMisprogrammed() {
        SmmuHarness h = SmmuHarness.of(SmmuV3Features.builder().granules(true, false, false)).up();
        assertEquals(FaultOrigin.MISPROGRAMMED, badCd(h, CdFormat.D0_TG0.set(SmmuHarness.cdDword0(16, 1), 1)).origin());
    }

    @Test
    void cdFetchAbortReportsTheFetchAddress() {
        SmmuHarness h = SmmuHarness.stage1().up();
        h.writeEntry(h.steAddr(SID), SmmuHarness.steS1(0x3000_0040L));
        DmaFault f = h.fault(SID, ADDR, AccessType.READ);
        assertEquals(FaultKind.FETCH_ABORT, f.kind());
        long[] raw = h.rawEvent();
        assertEquals(F_CD_FETCH, D0_ID.getInt(raw[0]));
        assertEquals(0x3000_0040L, D3_FETCH_ADDR.bits(raw[3]), "FetchAddr, not InputAddr as QEMU writes it");
        assertEquals(0, raw[2]);
    }

    @Test
    void substreamsIgnoredWithoutSsidSupport() {
        SmmuHarness h = SmmuHarness.stage1().up();
        TableBuilder pt = TableBuilder.stage1(h.mem, h.alloc, 12, 48);
        long cd = h.stage1Stream(SID, pt, 1);
        pt.map(ADDR, 0x9000_0000L, 3, TableBuilder.S1_RW);
        h.writeEntry(h.steAddr(SID), SmmuHarness.steS1(cd) | SteFormat.D0_S1CDMAX.of(3));
        assertEquals(0x9000_0000L, h.read(SID, ADDR), "S1CDMax is IGNORED when IDR1.SSIDSIZE == 0");
    }

    @Test
    void streamDisabledForNonSubstreamTraffic() {
        SmmuHarness h = SmmuHarness.of(SmmuV3Features.builder().ssidBits(4)).up();
        long s1 = SmmuHarness.steS1(h.pages(1)) | SteFormat.D0_S1CDMAX.of(2);
        h.writeEntry(h.steAddr(SID), s1, SteFormat.D1_S1DSS.of(SteFormat.S1DSS_TERMINATE));
        DmaFault f = h.fault(SID, ADDR, AccessType.READ);
        assertEquals(FaultKind.STREAM_DISABLED, f.kind());
        long[] raw = h.rawEvent();
        assertEquals(F_STREAM_DISABLED, D0_ID.getInt(raw[0]));
        assertEquals(SID, D0_SID.get(raw[0]));
        assertEquals(0, raw[1] | raw[2] | raw[3]);
        h.events();
        h.writeEntry(h.steAddr(SID), s1, SteFormat.D1_S1DSS.of(SteFormat.S1DSS_BYPASS));
        h.cfgiAll();
        assertEquals(ADDR, h.read(SID, ADDR), "S1DSS bypass with stage 2 off passes through");
        h.writeEntry(h.steAddr(SID), SmmuHarness.steS1(h.pages(1)) | SteFormat.D0_S1CDMAX.of(5));
        h.cfgiAll();
        assertEquals(FaultOrigin.MISPROGRAMMED, h.fault(SID, ADDR, AccessType.READ).origin(), "S1CDMax > SSIDSIZE");
    }

    @Test
    void configurationCacheKeepsTheSteUntilCfgi() {
        SmmuHarness h = SmmuHarness.stage1().up();
        h.writeEntry(h.steAddr(SID), SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_BYPASS));
        assertEquals(ADDR, h.read(SID, ADDR));
        h.writeEntry(h.steAddr(SID), SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_ABORT));
        assertEquals(ADDR, h.read(SID, ADDR), "the cached STE still bypasses");
        h.cmd(CmdFormat.D0_OP.of(CmdFormat.CFGI_STE) | CmdFormat.D0_SID.of(SID), 0);
        h.sync();
        h.fault(SID, ADDR, AccessType.READ);
        assertEquals(1, h.model.configCacheSize(), "an aborting STE is a valid, cached configuration");
        h.writeEntry(h.steAddr(SID), 0);
        h.cfgiAll();
        h.fault(SID, ADDR, AccessType.READ);
        assertEquals(0, h.model.configCacheSize(), "a failed decode is not cached (QEMU's smmuv3_get_config)");
        h.writeEntry(h.steAddr(SID), SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_BYPASS));
        assertEquals(ADDR, h.read(SID, ADDR), "so a fixed STE is seen without a CFGI");
        assertFalse(h.events().isEmpty());
    }
}
