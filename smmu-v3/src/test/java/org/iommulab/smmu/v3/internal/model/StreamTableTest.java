package org.iommulab.smmu.v3.internal.model;

import static org.iommulab.smmu.v3.internal.format.EventFormat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.smmu.v3.internal.format.EventRecord;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.format.SteFormat;
import org.junit.jupiter.api.Test;

/**
 * Stream table lookup at its bounds (IHI0070 §7.3.3): linear and 2-level, every C_BAD_STREAMID
 * condition, recorded only with CR2.RECINVSID = 1, and F_STE_FETCH on an aborted fetch. The
 * QEMU bugs avoided: 5-bit Span, and L2 indexes bounded by 2^(Span-1) with C_BAD_STREAMID.
 */
class StreamTableTest {
    private static SmmuHarness twoLevel(boolean recInvSid) {
        SmmuHarness h = SmmuHarness.stage1();
        h.twoLevelStrtab(16, 8);
        h.queues(6, 4);
        h.enable(recInvSid);
        return h;
    }

    private static void bypass(SmmuHarness h, long steAddr) {
        h.writeEntry(steAddr, SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_BYPASS));
    }

    private static void expectBadStreamId(SmmuHarness h, int sid) {
        DmaFault f = h.fault(sid, 0x4000_0000L, AccessType.READ);
        assertEquals(FaultKind.BAD_STREAM_ID, f.kind());
        assertEquals(FaultOrigin.MISPROGRAMMED, f.origin());
        List<EventRecord> ev = h.events();
        assertEquals(1, ev.size());
        assertEquals(C_BAD_STREAMID, ev.get(0).id());
        assertEquals(sid, ev.get(0).streamId());
    }

    @Test
    void linearTableBounds() {
        SmmuHarness h = SmmuHarness.stage1().up(); // LOG2SIZE 8
        bypass(h, h.steAddr(255));
        assertEquals(0x4000_1000L, h.read(255, 0x4000_1000L));
        expectBadStreamId(h, 256);
    }

    @Test
    void recInvSidZeroRecordsNothingButStillAborts() {
        SmmuHarness h = SmmuHarness.stage1();
        h.linearStrtab(4);
        h.queues(6, 4);
        h.enable(false);
        DmaFault f = h.fault(16, 0x4000_0000L, AccessType.READ);
        assertEquals(FaultKind.BAD_STREAM_ID, f.kind());
        assertEquals(0L, f.syndrome().get("RECORDED"));
        assertTrue(f.detail().contains("RECINVSID"), f.detail());
        assertTrue(h.events().isEmpty());
    }

    @Test
    void twoLevelSpanZeroAndReservedSpans() {
        SmmuHarness h = twoLevel(true);
        expectBadStreamId(h, 0x0103); // L1STD 1 is all zero: Span 0
        h.l1std(1, SteFormat.L1STD_SPAN.of(13) | h.pages(8));
        h.cfgiAll();
        expectBadStreamId(h, 0x0103); // Span 13 is reserved
        h.l1std(1, SteFormat.L1STD_SPAN.of(10) | h.pages(8));
        h.cfgiAll();
        expectBadStreamId(h, 0x0103); // Span 10 > SPLIT + 1 = 9
        h.l1std(1, SteFormat.L1STD_SPAN.of(31) | h.pages(8));
        expectBadStreamId(h, 0x0103); // Span is 5 bits: 31 is not 15
    }

    @Test
    void twoLevelL2IndexBoundIsTwoToTheSpanMinusOne() {
        SmmuHarness h = twoLevel(true);
        long l2 = h.l2(2, 3); // Span 3: 4 STEs
        bypass(h, l2 + 3 * 64);
        assertEquals(0x4000_2000L, h.read(0x0203, 0x4000_2000L), "index 3 < 2^(3-1)");
        expectBadStreamId(h, 0x0204); // QEMU allows up to (1 << span) - 1 = 7 and says C_BAD_STE
    }

    @Test
    void twoLevelFullSpanAndSidBeyondLog2Size() {
        SmmuHarness h = twoLevel(true);
        long l2 = h.l2(0xff, 9); // Span 9 = SPLIT + 1: 256 STEs
        bypass(h, l2 + 255 * 64);
        assertEquals(0x4000_0000L, h.read(0xffff, 0x4000_0000L));
        expectBadStreamId(h, 0x1_0000);
    }

    @Test
    void twoLevelRecInvSidZero() {
        SmmuHarness h = twoLevel(false);
        h.fault(0x0500, 0x4000_0000L, AccessType.READ);
        assertTrue(h.events().isEmpty());
    }

    @Test
    void l1DescriptorFetchAbort() {
        SmmuHarness h = SmmuHarness.stage1();
        h.queues(6, 4);
        h.mmio.write64(Regs.STRTAB_BASE.offset(), 0x2000_0000L); // not RAM
        h.mmio.write32(Regs.STRTAB_BASE_CFG.offset(), (1 << 16) | (8 << 6) | 12);
        h.enable(true);
        DmaFault f = h.fault(0x0301, 0x4000_0000L, AccessType.READ);
        assertEquals(FaultKind.FETCH_ABORT, f.kind());
        long[] raw = h.rawEvent();
        assertEquals(F_STE_FETCH, D0_ID.getInt(raw[0]));
        assertEquals(0x301, D0_SID.get(raw[0]));
        assertEquals(0x2000_0000L + 3 * 8, D3_FETCH_ADDR.bits(raw[3]));
        assertEquals(0, raw[2]);
    }

    @Test
    void steFetchAbortThroughAnL2PointerOutsideRam() {
        SmmuHarness h = twoLevel(true);
        h.l1std(4, SteFormat.L1STD_SPAN.of(9) | 0x3000_0000L);
        h.fault(0x0410, 0x4000_0000L, AccessType.WRITE);
        EventRecord e = h.events().get(0);
        assertEquals(F_STE_FETCH, e.id());
        assertEquals(0x3000_0000L + 0x10 * 64, e.addr2());
    }
}
