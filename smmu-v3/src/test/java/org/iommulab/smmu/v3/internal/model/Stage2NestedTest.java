package org.iommulab.smmu.v3.internal.model;

import static org.iommulab.smmu.v3.internal.format.EventFormat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.iopgtable.lpae.LpaeFormat;
import org.iommulab.smmu.v3.internal.format.EventRecord;
import org.iommulab.smmu.v3.internal.format.SteFormat;
import org.junit.jupiter.api.Test;

/**
 * Stage 2 and nested translation (QEMU's ns-s2-only and ns-nested qtests): the IPA in stage-2
 * records, S2R gating, and in nesting the CLASS of a stage-2 fault met while fetching the CD
 * (CD), a stage-1 descriptor (TT) or the output IPA (IN); nested entries cover the smaller
 * page.
 */
class Stage2NestedTest {
    private static final int SID = 3;
    /** S2: 44-bit IPA, 4K granule, start level 0 (SL0 = 2). */
    private static final int S2_T0SZ = 20;
    private static final int S2_SL0 = 2;

    private static SmmuHarness rig(SmmuV3Features.Stages stages) {
        SmmuHarness h = SmmuHarness.of(SmmuV3Features.builder().stages(stages).cmdqLog2(8).evtqLog2(4));
        return h.up();
    }

    private static TableBuilder s2(SmmuHarness h) {
        return new TableBuilder(h.mem, h.alloc, 12, 64 - S2_T0SZ, 0);
    }

    private static void s2Ste(SmmuHarness h, TableBuilder s2, int vmid, boolean record) {
        long d2 = SmmuHarness.steS2Dword2(vmid, S2_T0SZ, S2_SL0);
        if (!record) {
            d2 &= ~SteFormat.D2_S2R.mask();
        }
        h.writeEntry(h.steAddr(SID), SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_S2), 0, d2, s2.root);
    }

    @Test
    void stage2TranslatesAndRecordsTheIpa() {
        SmmuHarness h = rig(SmmuV3Features.Stages.S2);
        TableBuilder s2 = s2(h);
        s2Ste(h, s2, 9, true);
        s2.map(0x5000_0000L, 0x9000_0000L, 3, TableBuilder.S2_RO);
        assertEquals(0x9000_0abcL, h.read(SID, 0x5000_0abcL));
        DmaFault f = h.fault(SID, 0x5000_0abcL, AccessType.WRITE);
        assertEquals(FaultKind.PERMISSION, f.kind());
        long[] raw = h.rawEvent();
        assertEquals(F_PERMISSION, D0_ID.getInt(raw[0]));
        assertTrue(D1_S2.isSet(raw[1]));
        assertEquals(CLASS_IN, D1_CLASS.getInt(raw[1]));
        assertFalse(D1_RNW.isSet(raw[1]));
        assertEquals(0x5000_0abcL, raw[2]);
        assertEquals(0x5000_0000L, D3_IPA.bits(raw[3]), "IPA[55:12]");
        assertEquals(0x5000_0abcL, f.syndrome().get("IPA") | 0xabc);
    }

    @Test
    void stage2TranslationFaultAndS2rGating() {
        SmmuHarness h = rig(SmmuV3Features.Stages.S2);
        TableBuilder s2 = s2(h);
        s2Ste(h, s2, 9, true);
        h.fault(SID, 0x6000_0000L, AccessType.READ);
        EventRecord e = h.events().get(0);
        assertEquals(F_TRANSLATION, e.id());
        assertTrue(e.stage2());
        assertEquals(0x6000_0000L, e.addr2());
        s2Ste(h, s2, 9, false);
        h.cfgiAll();
        DmaFault f = h.fault(SID, 0x6000_0000L, AccessType.READ);
        assertEquals(0L, f.syndrome().get("RECORDED"));
        assertTrue(h.events().isEmpty(), "STE.S2R == 0 suppresses stage-2 fault records");
    }

    @Test
    void stage2InputBeyondTheIasIsAStage1AddressSizeFault() {
        SmmuHarness h = rig(SmmuV3Features.Stages.S2);
        s2Ste(h, s2(h), 9, true);
        h.fault(SID, 1L << 45, AccessType.READ);
        EventRecord e = h.events().get(0);
        assertEquals(F_ADDR_SIZE, e.id());
        assertFalse(e.stage2());
    }

    /** A nested stream: S1 over an S2 that maps the CD and the S1 tables at IPA = PA + OFFSET. */
    private static final long OFFSET = 0x1_0000_0000L;

    private static final class Nested {
        final SmmuHarness h = rig(SmmuV3Features.Stages.NESTED);
        final TableBuilder s2 = s2(h);
        final TableBuilder s1 = TableBuilder.stage1(h.mem, h.alloc, 12, 48);
        final long cdPa = h.pages(1);

        Nested() {
            h.writeEntry(cdPa, SmmuHarness.cdDword0(16, 4), s1.root + OFFSET);
            h.writeEntry(h.steAddr(SID), SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_NESTED)
                    | SteFormat.D0_S1CONTEXTPTR.bits(cdPa + OFFSET), 0, SmmuHarness.steS2Dword2(2, S2_T0SZ, S2_SL0), s2.root);
        }

        /**
         * Maps the S1 tables for {@code va} through S2: the root at IPA = PA + OFFSET (the CD's
         * TTB0), the tables below at IPA = PA (the pointers in the S1 descriptors).
         */
        void mapS1TablesThroughS2(long va, int leafLevel) {
            s2.map(cdPa + OFFSET, cdPa, 3, TableBuilder.S2_RO);
            s2.map(s1.root + OFFSET, s1.root, 3, TableBuilder.S2_RO);
            for (int level = 1; level <= leafLevel; level++) {
                long table = s1.descAddr(va, level) & -4096L;
                s2.map(table, table, 3, TableBuilder.S2_RO);
            }
        }
    }

    @Test
    void nestedTranslatesThroughBothStagesWithTheSmallerPage() {
        Nested n = new Nested();
        long va = 0x20_0000L;
        n.s1.map(va, 0x7000_0000L, 2, TableBuilder.S1_RW); // 2 MiB block at stage 1
        n.mapS1TablesThroughS2(va, 2);
        n.s2.map(0x7000_1000L, 0x8000_5000L, 3, TableBuilder.S2_RW); // 4 KiB page at stage 2
        assertEquals(0x8000_5010L, n.h.read(SID, va + 0x1010));
        assertEquals(0x8000_5ff0L, n.h.read(SID, va + 0x1ff0));
        assertEquals(1, n.h.port.hits());
        n.h.fault(SID, va + 0x2000, AccessType.READ); // same S1 block, S2 hole: the entry was 4 KiB
        EventRecord e = n.h.events().get(0);
        assertEquals(F_TRANSLATION, e.id());
        assertTrue(e.stage2());
        assertEquals(CLASS_IN, e.clazz());
        assertEquals(0x7000_2000L, e.addr2());
        assertEquals(va + 0x2000, e.inputAddr());
    }

    @Test
    void nestedStage2FaultOnTheCdIsClassCd() {
        Nested n = new Nested();
        DmaFault f = n.h.fault(SID, 0x1000, AccessType.WRITE);
        assertEquals(FaultKind.TRANSLATION, f.kind());
        EventRecord e = n.h.events().get(0);
        assertEquals(F_TRANSLATION, e.id());
        assertTrue(e.stage2());
        assertEquals(CLASS_CD, e.clazz());
        assertEquals(n.cdPa + OFFSET, e.addr2(), "IPA is the CD address");
        assertEquals(0x1000, e.inputAddr());
        assertFalse(e.read());
    }

    @Test
    void nestedStage2FaultOnAStage1TableIsClassTt() {
        Nested n = new Nested();
        n.s2.map(n.cdPa + OFFSET, n.cdPa, 3, TableBuilder.S2_RO);
        n.h.fault(SID, 0x1000, AccessType.READ);
        EventRecord e = n.h.events().get(0);
        assertEquals(F_TRANSLATION, e.id());
        assertTrue(e.stage2());
        assertEquals(CLASS_TT, e.clazz());
        assertEquals(n.s1.root + OFFSET, e.addr2(), "IPA is the stage-1 descriptor's");
    }

    @Test
    void nestedStage1WalkAbortReportsThePhysicalFetchAddress() {
        Nested n = new Nested();
        long va = 0x40_0000L;
        n.s1.map(va, 0x7000_0000L, 3, TableBuilder.S1_RW);
        n.mapS1TablesThroughS2(va, 3);
        // Point the level-3 table's IPA at a PA outside RAM.
        long l3Ipa = n.s1.descAddr(va, 3) & -4096L;
        n.s2.map(l3Ipa, 0x1000_0000L, 3, TableBuilder.S2_RO);
        n.h.fault(SID, va, AccessType.READ);
        EventRecord e = n.h.events().get(0);
        assertEquals(F_WALK_EABT, e.id());
        assertFalse(e.stage2());
        assertEquals(CLASS_TT, e.clazz());
        assertEquals(0x1000_0000L + ((va >>> 12) & 0x1ff) * 8, e.addr2());
    }

    @Test
    void nestedStage1FaultIsStage1ClassIn() {
        Nested n = new Nested();
        long va = 0x40_0000L;
        n.s1.map(va, 0x7000_0000L, 3, LpaeFormat.PTE_AP_UNPRIV | LpaeFormat.PTE_AF | LpaeFormat.PTE_AP_RDONLY);
        n.mapS1TablesThroughS2(va, 3);
        n.s2.map(0x7000_0000L, 0x8000_0000L, 3, TableBuilder.S2_RW);
        n.h.fault(SID, va, AccessType.WRITE);
        EventRecord e = n.h.events().get(0);
        assertEquals(F_PERMISSION, e.id());
        assertFalse(e.stage2());
        assertEquals(CLASS_IN, e.clazz());
    }
}
