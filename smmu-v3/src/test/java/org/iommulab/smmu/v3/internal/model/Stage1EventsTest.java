package org.iommulab.smmu.v3.internal.model;

import static org.iommulab.smmu.v3.internal.format.EventFormat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.iopgtable.lpae.LpaeFormat;
import org.iommulab.smmu.v3.internal.format.CdFormat;
import org.iommulab.smmu.v3.internal.format.EventRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stage-1 translation and its fault events, each record checked field by field (IHI0070 §7.3.12-16). */
class Stage1EventsTest {
    private static final int SID = 5;
    private static final long VA = 0x1234_5000L;
    private static final long PA = 0x8000_0000L;

    private SmmuHarness h;
    private TableBuilder pt;
    private long cd;

    @BeforeEach
    void setUp() {
        h = SmmuHarness.stage1().up();
        pt = TableBuilder.stage1(h.mem, h.alloc, 12, 48);
        cd = h.stage1Stream(SID, pt, 7);
    }

    @Test
    void mappedPageTranslatesAndHitsTheIotlbSecondTime() {
        pt.map(VA, PA, 3, TableBuilder.S1_RW);
        assertEquals(PA + 0x123, h.read(SID, VA + 0x123));
        assertEquals(PA + 0xff8, h.write(SID, VA + 0xff8));
        assertEquals(1, h.port.misses());
        assertEquals(1, h.port.hits());
        assertTrue(h.events().isEmpty());
    }

    @Test
    void blockMappingTranslatesEveryPageOfTheBlock() {
        pt.map(0x4000_0000L, 0x1_0000_0000L, 2, TableBuilder.S1_RW);
        assertEquals(0x1_001f_f008L, h.read(SID, 0x401f_f008L));
        assertEquals(0x1_0000_0010L, h.read(SID, 0x4000_0010L));
        assertEquals(1, h.port.misses(), "one 2 MiB IOTLB entry serves the whole block");
    }

    @Test
    void translationFaultRecordsEveryField() {
        DmaFault f = h.fault(SID, VA + 0x10, AccessType.WRITE);
        assertEquals(FaultKind.TRANSLATION, f.kind());
        assertEquals(FaultOrigin.ACCESS, f.origin());
        assertEquals(0, f.level(), "no level-0 table entry");
        long[] raw = h.rawEvent();
        assertEquals(F_TRANSLATION, D0_ID.getInt(raw[0]));
        assertEquals(SID, D0_SID.get(raw[0]));
        assertFalse(D0_SSV.isSet(raw[0]));
        assertFalse(D1_RNW.isSet(raw[1]), "a write has RnW = 0");
        assertFalse(D1_S2.isSet(raw[1]));
        assertEquals(CLASS_IN, D1_CLASS.getInt(raw[1]));
        assertFalse(D1_PNU.isSet(raw[1]));
        assertFalse(D1_IND.isSet(raw[1]));
        assertEquals(VA + 0x10, raw[2]);
        assertEquals(0, raw[3], "IPA is UNKNOWN (0) for a stage-1 fault");
        assertEquals(F_TRANSLATION, f.syndrome().get("EVT.ID"));
        assertEquals(CLASS_IN, f.syndrome().get("CLASS"));
        assertEquals(0L, f.syndrome().get("S2"));
        assertEquals(0L, f.syndrome().get("RnW"));
        assertEquals(VA + 0x10, f.syndrome().get("InputAddr"));
        assertEquals(1L, f.syndrome().get("RECORDED"));
        assertTrue(h.irqs.contains(IrqLine.EVTQ));
    }

    @Test
    void invalidLeafIsATranslationFaultAtLevelThree() {
        pt.set(VA, 3, PA | TableBuilder.S1_RW); // type 0b01 at level 3 is reserved
        DmaFault f = h.fault(SID, VA, AccessType.READ);
        assertEquals(3, f.level());
        EventRecord e = h.events().get(0);
        assertEquals(F_TRANSLATION, e.id());
        assertTrue(e.read());
    }

    @Test
    void accessFlagFault() {
        pt.map(VA, PA, 3, LpaeFormat.PTE_AP_UNPRIV);
        DmaFault f = h.fault(SID, VA, AccessType.READ);
        assertEquals(FaultKind.ACCESS_FLAG, f.kind());
        EventRecord e = h.events().get(0);
        assertEquals(F_ACCESS, e.id());
        assertEquals(CLASS_IN, e.clazz());
        assertFalse(e.stage2());
        assertEquals(VA, e.inputAddr());
    }

    @Test
    void accessFlagFaultDisabledByCdAffd() {
        pt.map(VA, PA, 3, LpaeFormat.PTE_AP_UNPRIV);
        h.writeEntry(cd, SmmuHarness.cdDword0(16, 7) | CdFormat.D0_AFFD.of(1), pt.root);
        h.cfgiAll();
        assertEquals(PA, h.read(SID, VA));
    }

    @Test
    void permissionFaultOnWriteToReadOnlyPage() {
        pt.map(VA, PA, 3, TableBuilder.S1_RO);
        assertEquals(PA, h.read(SID, VA));
        DmaFault f = h.fault(SID, VA + 8, AccessType.WRITE);
        assertEquals(FaultKind.PERMISSION, f.kind());
        assertEquals(3, f.level());
        EventRecord e = h.events().get(0);
        assertEquals(F_PERMISSION, e.id());
        assertFalse(e.read());
        assertFalse(e.stage2());
        assertEquals(CLASS_IN, e.clazz());
        assertEquals(VA + 8, e.inputAddr());
    }

    @Test
    void permissionFaultFromTheIotlbMatchesTheWalk() {
        pt.map(VA, PA, 3, TableBuilder.S1_RO);
        h.read(SID, VA);
        DmaFault f = h.fault(SID, VA, AccessType.WRITE);
        assertEquals(FaultKind.PERMISSION, f.kind());
        assertEquals(3, f.level());
        assertEquals(F_PERMISSION, h.events().get(0).id());
    }

    @Test
    void addressSizeFaultWhenOutputIsBeyondIps() {
        pt.map(VA, 1L << 44, 3, TableBuilder.S1_RW);
        DmaFault f = h.fault(SID, VA, AccessType.READ);
        assertEquals(FaultKind.ADDRESS_SIZE, f.kind());
        assertEquals(FaultOrigin.MISPROGRAMMED, f.origin());
        assertEquals(F_ADDR_SIZE, h.events().get(0).id());
    }

    @Test
    void walkExternalAbortIsClassTtWithTheFetchAddress() {
        long badTable = 0x1000_0000L; // below RAM (RAM starts at 1 GiB)
        pt.set(VA, 2, badTable | LpaeFormat.PTE_TYPE_TABLE);
        DmaFault f = h.fault(SID, VA, AccessType.READ);
        assertEquals(FaultKind.FETCH_ABORT, f.kind());
        long[] raw = h.rawEvent();
        assertEquals(F_WALK_EABT, D0_ID.getInt(raw[0]));
        assertFalse(D1_S2.isSet(raw[1]));
        assertEquals(CLASS_TT, D1_CLASS.getInt(raw[1]), "a stage-1 walk EABT is CLASS = TT");
        assertEquals(VA, raw[2]);
        long fetch = badTable + ((VA >>> 12) & 0x1ff) * 8;
        assertEquals(fetch, D3_FETCH_ADDR.bits(raw[3]));
        assertEquals(fetch, f.syndrome().get("FetchAddr"));
    }

    @Test
    void cdRZeroSuppressesStage1FaultRecordsButTheFaultIsReported() {
        h.writeEntry(cd, SmmuHarness.cdDword0(16, 7) & ~CdFormat.D0_R.mask(), pt.root);
        h.cfgiAll();
        DmaFault f = h.fault(SID, VA, AccessType.READ);
        assertEquals(0L, f.syndrome().get("RECORDED"));
        assertTrue(f.detail().contains("CD.R == 0"), f.detail());
        assertTrue(h.events().isEmpty());
    }

    @Test
    void walkAbortIsRecordedEvenWithCdRZero() {
        h.writeEntry(cd, SmmuHarness.cdDword0(16, 7) & ~CdFormat.D0_R.mask(), pt.root);
        h.cfgiAll();
        pt.set(VA, 2, 0x1000_0000L | LpaeFormat.PTE_TYPE_TABLE);
        h.fault(SID, VA, AccessType.READ);
        List<EventRecord> ev = h.events();
        assertEquals(1, ev.size());
        assertEquals(F_WALK_EABT, ev.get(0).id());
    }

    @Test
    void vaOutsideTtb0RangeIsATranslationFault() {
        h.fault(SID, 1L << 50, AccessType.READ);
        EventRecord e = h.events().get(0);
        assertEquals(F_TRANSLATION, e.id());
        assertEquals(1L << 50, e.inputAddr());
    }

    @Test
    void topByteIgnoredWithTbi0() {
        pt.map(VA, PA, 3, TableBuilder.S1_RW);
        h.fault(SID, 0x5a00_0000_0000_0000L | VA, AccessType.READ);
        h.writeEntry(cd, SmmuHarness.cdDword0(16, 7) | CdFormat.D0_TBI0.of(1), pt.root);
        h.cfgiAll();
        assertEquals(PA, h.read(SID, 0x5a00_0000_0000_0000L | VA));
    }
}
