package com.example.vtd.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFaultException;
import org.junit.jupiter.api.Test;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.ContextEntry;
import com.example.vtd.internal.format.InvDesc;
import com.example.vtd.internal.format.VtdRegs;
import com.example.vtd.support.TestDevice;

/**
 * Queued invalidation (VT-d spec §6.5.2; IQH/IQT/IQA §10.4.22-24): 128-bit descriptors in a
 * 4 KiB ring (QS = 0: 256 slots), head and tail as byte offsets in [18:4], one slot kept free.
 */
class InvalidationQueueTest {
    private final Firmware fw = new Firmware(Seed.NONE, 8);

    @Test
    void descriptorsAreEncodedAsLinuxBuildsThem() {
        // qi_flush_iotlb(did 5, PSI): qw0 = DID 5 << 16 | G 3 << 4 | type 2 = 0x50032.
        assertEquals(0x50032L, InvDesc.iotlb0(InvDesc.G_DEVICE_OR_PAGE, 5));
        // qw1 = ADDR 0x12345000 | IH << 6 | AM 2 = 0x12345042.
        assertEquals(0x1234_5042L, InvDesc.iotlb1(0x1234_5000L, true, 2));
        // qi_flush_context(did 5, sid 0x0321, fm 0, device): SID << 32 | DID << 16 | G 3 << 4 | type 1.
        assertEquals(0x0000_0321_0005_0031L, InvDesc.contextCache(InvDesc.G_DEVICE_OR_PAGE, 5, 0x0321, 0));
        // The wait of qi_submit_sync: STATUS DATA QI_DONE (2) << 32 | SW (bit 5) | type 5.
        assertEquals(0x0000_0002_0000_0025L, InvDesc.wait0(InvDesc.QI_DONE));
    }

    @Test
    void aTailWriteRunsTheQueueUpToTheTail() {
        assertTrue(VtdRegs.GSTS_QIES.isSet(fw.unit.readReg(VtdRegs.GSTS.offset())));
        assertEquals(0, fw.unit.readReg(VtdRegs.IQH.offset()));
        fw.put(InvDesc.wait0(0x1234), fw.status);
        fw.put(InvDesc.wait0(0x5678), fw.status + 4);
        // IQT = 0x20: two descriptors of 16 bytes; the head follows to 0x20.
        fw.go();
        assertEquals(0x20, fw.unit.readReg(VtdRegs.IQH.offset()));
        assertEquals(0x1234, fw.mem.readInt(fw.status));
        assertEquals(0x5678, fw.mem.readInt(fw.status + 4));
    }

    @Test
    void theRingWraps() {
        // Fill slots 0..254 (the most one batch may hold: one slot stays free), then 255 and 0.
        for (int i = 0; i < 255; i++) {
            fw.put(InvDesc.wait0(i), fw.status + 4L * (i % 64));
        }
        fw.go();
        assertEquals(0xff0, fw.unit.readReg(VtdRegs.IQH.offset()));
        fw.put(InvDesc.wait0(0xaaaa), fw.status);
        fw.put(InvDesc.wait0(0xbbbb), fw.status + 4);
        assertEquals(0x10, fw.tail, "slot 255, then slot 0: the tail wrapped");
        fw.go();
        assertEquals(0x10, fw.unit.readReg(VtdRegs.IQH.offset()));
        assertEquals(0xaaaa, fw.mem.readInt(fw.status));
        assertEquals(0xbbbb, fw.mem.readInt(fw.status + 4));
    }

    @Test
    void anInvalidDescriptorStopsTheQueueWithIqe() {
        fw.put(InvDesc.wait0(1), fw.status);
        fw.put(0x4, 0); // type 4, interrupt entry cache: no interrupt remapping here
        fw.put(InvDesc.wait0(2), fw.status + 4);
        fw.go();
        // The head stops on the bad descriptor (offset 0x10); FSTS.IQE is bit 4.
        assertEquals(0x10, fw.unit.readReg(VtdRegs.IQH.offset()));
        assertEquals(0x10, fw.unit.readReg(VtdRegs.FSTS.offset()));
        assertEquals(1, fw.mem.readInt(fw.status));
        assertEquals(0, fw.mem.readInt(fw.status + 4));
        // Software replaces it (qi_check_fault copies the wait over it) and clears IQE: the queue runs on.
        fw.mem.writeLong(fw.queue + 0x10, InvDesc.wait0(3));
        fw.mem.writeLong(fw.queue + 0x18, fw.status + 8);
        fw.unit.writeReg(VtdRegs.FSTS.offset(), VtdRegs.FSTS_IQE.mask());
        assertEquals(0x30, fw.unit.readReg(VtdRegs.IQH.offset()));
        assertEquals(3, fw.mem.readInt(fw.status + 8));
        assertEquals(2, fw.mem.readInt(fw.status + 4));
        assertEquals(0, fw.unit.readReg(VtdRegs.FSTS.offset()));
    }

    @Test
    void reservedBitsAndOversizedMasksAreRejected() {
        // IOTLB descriptor with bit 8 of qw0 set (reserved: 0xffffffff0000ff00).
        fw.put(InvDesc.iotlb0(InvDesc.G_DOMAIN, 1) | 0x100, 0);
        fw.go();
        assertTrue(VtdRegs.FSTS_IQE.isSet(fw.unit.readReg(VtdRegs.FSTS.offset())));
        assertTrue(fw.unit.lastQueueError().contains("reserved"));
        fw.mem.writeLong(fw.queue, InvDesc.iotlb0(InvDesc.G_DEVICE_OR_PAGE, 1));
        fw.mem.writeLong(fw.queue + 8, InvDesc.iotlb1(0, false, 19)); // AM 19 > MAMV 18
        fw.unit.writeReg(VtdRegs.FSTS.offset(), VtdRegs.FSTS_IQE.mask());
        assertTrue(VtdRegs.FSTS_IQE.isSet(fw.unit.readReg(VtdRegs.FSTS.offset())));
        assertTrue(fw.unit.lastQueueError().contains("MAMV"));
    }

    @Test
    void pageSelectiveInvalidationDropsTheAlignedBlockOfTheDomain() {
        long pgd = fw.page();
        fw.context(0x10, 7, pgd, ContextEntry.AW_48, false);
        long[] bufs = new long[4];
        for (int i = 0; i < 4; i++) {
            bufs[i] = fw.page();
            fw.map4k(pgd, 0x10_0000L + 0x1000L * i, bufs[i], true, true);
        }
        TestDevice dev = fw.device(0x10);
        for (int i = 0; i < 4; i++) {
            fw.unit.translate(dev, 0x10, 0x10_0000L + 0x1000L * i, AccessType.READ);
        }
        // The tables change behind the IOTLB's back: pages 1 and 2 are unmapped.
        fw.mem.writeLong(pgdLeafSlot(pgd, 0x10_1000L), 0);
        fw.mem.writeLong(pgdLeafSlot(pgd, 0x10_2000L), 0);
        assertEquals(bufs[1], fw.unit.translate(dev, 0x10, 0x10_1000L, AccessType.READ), "still cached");
        // PSI for DID 7 at 0x101000 with AM 1: the hardware ignores address bit 12, so the block
        // is 0x100000..0x101fff: pages 0 and 1 go, pages 2 and 3 stay cached.
        fw.put(InvDesc.iotlb0(InvDesc.G_DEVICE_OR_PAGE, 7), InvDesc.iotlb1(0x10_1000L, true, 1));
        fw.go();
        assertFalse(fw.unit.iotlbHolds(7, 0x10_0000L));
        assertFalse(fw.unit.iotlbHolds(7, 0x10_1000L));
        assertTrue(fw.unit.iotlbHolds(7, 0x10_2000L));
        assertThrows(DmaFaultException.class, () -> fw.unit.translate(dev, 0x10, 0x10_1000L, AccessType.READ));
        // A PSI for another domain leaves this one's entries alone; a DSI for DID 7 takes them.
        fw.put(InvDesc.iotlb0(InvDesc.G_DEVICE_OR_PAGE, 8), InvDesc.iotlb1(0x10_2000L, true, 0));
        fw.go();
        assertTrue(fw.unit.iotlbHolds(7, 0x10_2000L));
        fw.put(InvDesc.iotlb0(InvDesc.G_DOMAIN, 7), 0);
        fw.go();
        assertFalse(fw.unit.iotlbHolds(7, 0x10_3000L));
        assertEquals(0, fw.unit.iotlbSize());
    }

    @Test
    void disablingWithDescriptorsPendingIsRefused() {
        fw.put(0x4, 0); // invalid: the queue stops with one descriptor pending
        fw.go();
        fw.unit.writeReg(VtdRegs.GCMD.offset(), VtdRegs.GCMD_TE.mask());
        assertTrue(VtdRegs.GSTS_QIES.isSet(fw.unit.readReg(VtdRegs.GSTS.offset())));
    }

    private long pgdLeafSlot(long pgd, long iova) {
        long table = pgd;
        for (int level = 4; level > 1; level--) {
            table = fw.mem.readLong(table + 8L * com.example.vtd.internal.format.SlPte.index(iova, level)) & ~0xfffL;
        }
        return table + 8L * com.example.vtd.internal.format.SlPte.index(iova, 1);
    }
}
