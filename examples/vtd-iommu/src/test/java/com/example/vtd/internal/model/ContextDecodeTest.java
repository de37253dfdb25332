package com.example.vtd.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.junit.jupiter.api.Test;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.ContextEntry;
import com.example.vtd.internal.format.InvDesc;
import com.example.vtd.internal.format.RootEntry;
import com.example.vtd.internal.format.SourceId;
import com.example.vtd.support.TestDevice;

/**
 * Root and context decoding (VT-d spec §9.1, §9.3, fault conditions of §7.1.3). Requester
 * 0x0321 is bus 0x03, devfn 0x21 (device 4, function 1): its root entry is at RTA + 3 * 16 =
 * RTA + 0x30 and its context entry at CTP + 0x21 * 16 = CTP + 0x210.
 */
class ContextDecodeTest {
    private static final int SRC = 0x0321;
    private static final int SAGAW = 0b00110; // 39- and 48-bit tables

    private final Firmware fw = new Firmware(Seed.NONE, 8);

    private VtdFault decodeFault() {
        return assertThrows(VtdFault.class, () -> ContextDecoder.decode(fw.mem, fw.rta, 0, SRC, SAGAW, 48));
    }

    @Test
    void sourceIdsAreBusAndDevfnInsideASegment() {
        assertEquals(0, SourceId.segment(0x0321));
        assertEquals(0x03, SourceId.bus(SourceId.sourceId(0x0321)));
        assertEquals(0x21, SourceId.devfn(SourceId.sourceId(0x0321)));
        assertEquals("03:04.1", SourceId.bdf(0x0321));
        assertEquals(1, SourceId.segment(0x1_0010));
        assertEquals(0x0010, SourceId.sourceId(0x1_0010));
        assertEquals(0x1_0010, SourceId.streamId(1, 0x10));
    }

    @Test
    void aValidEntryDecodesToItsDomainTableAndWidth() {
        long slpt = fw.page();
        long entry = fw.context(SRC, 0x2a, slpt, ContextEntry.AW_48, false);
        long ctp = RootEntry.CTP.bits(fw.mem.readLong(fw.rta + 0x30));
        assertEquals(ctp + 0x210, entry);
        // Root entry word 0: CTP | P.
        assertEquals(ctp | 1, fw.mem.readLong(fw.rta + 0x30));
        // Context entry word 0: SLPTPTR | TT 00b | FPD 0 | P; word 1: DID 0x2a in [23:8] | AW 2.
        assertEquals(slpt | 1, fw.mem.readLong(entry));
        assertEquals(0x2a02, fw.mem.readLong(entry + 8));
        DecodedContext c = ContextDecoder.decode(fw.mem, fw.rta, 0, SRC, SAGAW, 48);
        assertEquals(0x2a, c.did());
        assertEquals(slpt, c.slptptr());
        assertEquals(4, c.levels());
        assertEquals(48, c.addressBits());
        assertFalse(c.fpd());
        // AW 1: 3 levels, 39 bits.
        fw.context(SRC, 0x2a, slpt, ContextEntry.AW_39, true);
        c = ContextDecoder.decode(fw.mem, fw.rta, 0, SRC, SAGAW, 48);
        assertEquals(3, c.levels());
        assertEquals(39, c.addressBits());
        assertTrue(c.fpd());
    }

    @Test
    void notPresentEntriesAreFaultReasonsOneAndTwo() {
        // Nothing programmed: root entry P = 0, fault reason 1h.
        VtdFault f = decodeFault();
        assertEquals(0x1, f.reason());
        assertEquals(FaultKind.DEVICE_ENTRY_INVALID, f.kind());
        assertEquals(FaultOrigin.ACCESS, f.origin());
        // A context table for the bus, but not this devfn: context entry P = 0, fault reason 2h.
        fw.context(0x0300, 1, fw.page(), ContextEntry.AW_48, false);
        f = decodeFault();
        assertEquals(0x2, f.reason());
        assertEquals(FaultKind.DEVICE_ENTRY_INVALID, f.kind());
        assertTrue(f.recordable());
    }

    @Test
    void reservedBitsAreReasonsAAndB() {
        long entry = fw.context(SRC, 7, fw.page(), ContextEntry.AW_48, false);
        long root = fw.rta + 0x30;
        long rlo = fw.mem.readLong(root);
        // Root word 0 bit 1 is in [11:1], reserved: Ah.
        fw.mem.writeLong(root, rlo | 0x2);
        assertEquals(0xa, decodeFault().reason());
        // Root word 1 is reserved in legacy mode: Ah.
        fw.mem.writeLong(root, rlo);
        fw.mem.writeLong(root + 8, 1);
        assertEquals(0xa, decodeFault().reason());
        fw.mem.writeLong(root + 8, 0);
        // Context word 0 bit 4 is in [11:4], reserved: Bh, and with FPD = 1 not recordable.
        long lo = fw.mem.readLong(entry);
        fw.mem.writeLong(entry, lo | 0x10 | 0x2);
        VtdFault f = decodeFault();
        assertEquals(0xb, f.reason());
        assertEquals(FaultKind.BAD_CONFIG, f.kind());
        assertEquals(FaultOrigin.MISPROGRAMMED, f.origin());
        assertFalse(f.recordable(), "FPD = 1: not recorded");
        // Context word 1 bit 7 is reserved (mask 0xffffffffff000080): Bh.
        fw.mem.writeLong(entry, lo);
        fw.mem.writeLong(entry + 8, 0x0782);
        assertEquals(0xb, decodeFault().reason());
    }

    @Test
    void unsupportedTranslationTypeOrWidthIsReasonThree() {
        long entry = fw.context(SRC, 7, fw.page(), ContextEntry.AW_48, false);
        long lo = fw.mem.readLong(entry);
        // TT = 10b (pass-through) needs ECAP.PT = 1: 3h.
        fw.mem.writeLong(entry, lo | (2 << 2));
        assertEquals(0x3, decodeFault().reason());
        // AW = 3 (57 bits, 5 levels) is not in SAGAW 0b00110: 3h.
        fw.mem.writeLong(entry, lo);
        fw.mem.writeLong(entry + 8, 0x0703);
        assertEquals(0x3, decodeFault().reason());
        // Scalable-mode tables (RTADDR.TTM = 01b) are not modelled.
        VtdFault f = assertThrows(VtdFault.class, () -> ContextDecoder.decode(fw.mem, fw.rta, 1, SRC, SAGAW, 48));
        assertEquals(FaultOrigin.NOT_MODELLED, f.origin());
    }

    @Test
    void fetchesOutsideRamAreReasonsEightAndNine() {
        // A root table at 0x1000, below RAM: the fetch of entry 3 at 0x1030 aborts, 8h.
        VtdFault f = assertThrows(VtdFault.class, () -> ContextDecoder.decode(fw.mem, 0x1000, 0, SRC, SAGAW, 48));
        assertEquals(0x8, f.reason());
        assertEquals(FaultKind.FETCH_ABORT, f.kind());
        assertEquals(0x1030, f.addr2());
        // A root entry pointing at 0x2000_0000 (not RAM): the context fetch at +0x210 aborts, 9h.
        fw.mem.writeLong(fw.rta + 0x30, RootEntry.lo(0x2000_0000L));
        f = decodeFault();
        assertEquals(0x9, f.reason());
        assertEquals(0x2000_0210L, f.addr2());
    }

    @Test
    void theUnitCachesValidContextsUntilInvalidated() {
        long pgd = fw.page();
        long buf = fw.page();
        long entry = fw.context(SRC, 5, pgd, ContextEntry.AW_48, false);
        fw.map4k(pgd, 0x1000, buf, true, true);
        TestDevice dev = fw.device(SRC);
        assertEquals(buf + 4, fw.unit.translate(dev, SRC, 0x1004, AccessType.READ));
        assertEquals(5, fw.unit.cachedContext(SRC).did());
        // Software clears the entry without invalidating: the cached context still serves.
        fw.mem.writeLong(entry, 0);
        fw.put(InvDesc.iotlb0(InvDesc.G_GLOBAL, 0), 0);
        fw.go();
        assertEquals(buf + 4, fw.unit.translate(dev, SRC, 0x1004, AccessType.READ));
        // A device-selective context-cache invalidation (FM 0) drops it: context P = 0, 2h.
        fw.put(InvDesc.contextCache(InvDesc.G_DEVICE_OR_PAGE, 5, SRC, 0), 0);
        fw.put(InvDesc.iotlb0(InvDesc.G_DOMAIN, 5), 0);
        fw.go();
        assertNull(fw.unit.cachedContext(SRC));
        DmaFault fault = assertThrows(DmaFaultException.class,
                () -> fw.unit.translate(dev, SRC, 0x1004, AccessType.READ)).fault();
        assertEquals(2L, fault.syndrome().get("FR"));
    }

    @Test
    void inputAddressesBeyondTheAgawAreReasonFour() {
        long pgd = fw.page();
        fw.context(SRC, 5, pgd, ContextEntry.AW_39, false);
        TestDevice dev = fw.device(SRC);
        // AW 1: 39 bits; 1 << 39 is beyond.
        DmaFault f = assertThrows(DmaFaultException.class,
                () -> fw.unit.translate(dev, SRC, 1L << 39, AccessType.READ)).fault();
        assertEquals(4L, f.syndrome().get("FR"));
        assertEquals(FaultKind.ADDRESS_SIZE, f.kind());
    }

    @Test
    void translationDisabledPassesRequestsThrough() {
        fw.unit.writeReg(com.example.vtd.internal.format.VtdRegs.GCMD.offset(),
                com.example.vtd.internal.format.VtdRegs.GCMD_QIE.mask());
        assertEquals(0x4000_1234L, fw.unit.translate(fw.device(SRC), SRC, 0x4000_1234L, AccessType.WRITE));
    }
}
