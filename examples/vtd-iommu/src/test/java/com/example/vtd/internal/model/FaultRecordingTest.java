package com.example.vtd.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.junit.jupiter.api.Test;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.ContextEntry;
import com.example.vtd.internal.format.VtdRegs;
import com.example.vtd.support.TestDevice;

/**
 * Primary fault logging (VT-d spec §7.2.1, FSTS §10.4.9, FECTL §10.4.10, FRCD §10.4.14), read
 * through the unit's registers as a driver reads them. Record layout: low word FI [63:12]; high
 * word SID [15:0], FR [39:32], T [62] (1 = read), F [63].
 */
class FaultRecordingTest {
    private static final long F = 1L << 63;
    private static final long T = 1L << 62;

    @Test
    void aFaultFillsTheNextRecordAndFsts() {
        Firmware fw = new Firmware(Seed.NONE, 4);
        AtomicInteger irqs = new AtomicInteger();
        fw.unit.connectIrq(irqs::incrementAndGet);
        fw.unit.writeReg(VtdRegs.FECTL.offset(), 0); // unmask

        // Requester 03:04.1 writes 0x12345678 with no context: fault reason 1h, a write (T = 0).
        TestDevice dev = fw.device(0x0321);
        DmaFault f = assertThrows(DmaFaultException.class,
                () -> fw.unit.translate(dev, 0x0321, 0x1234_5678L, AccessType.WRITE)).fault();
        assertEquals(0, f.syndrome().get("FRI"));
        // FRCD0 low: the page of the address; high: F | FR 1 << 32 | SID 0x0321.
        assertEquals(0x1234_5000L, fw.unit.readReg(0x220));
        assertEquals(0x8000_0001_0000_0321L, fw.unit.readReg(0x228));
        // FSTS: PPF (bit 1), FRI 0 in [15:8].
        assertEquals(0x2, fw.unit.readReg(VtdRegs.FSTS.offset()));
        assertEquals(1, irqs.get(), "PPF went from 0 to 1: one fault event");
        assertEquals(1, dev.faults.size());

        // Requester 00:02.0 reads 0x8000 with no context: FRCD1 = F | T | FR 1 | SID 0x0010.
        TestDevice dev2 = fw.device(0x0010);
        assertThrows(DmaFaultException.class, () -> fw.unit.translate(dev2, 0x0010, 0x8000, AccessType.READ));
        assertEquals(0x8000L, fw.unit.readReg(0x230));
        assertEquals(F | T | 0x1_0000_0010L, fw.unit.readReg(0x238));
        assertEquals(0x2, fw.unit.readReg(VtdRegs.FSTS.offset()), "FRI still names the first pending record");
        assertEquals(1, irqs.get(), "a fault was already pending: no new event");

        // Software clears FRCD0.F, then FRCD1.F (RW1C): PPF drops.
        fw.unit.writeReg(0x228, F);
        assertEquals(0x0000_0001_0000_0321L, fw.unit.readReg(0x228), "F cleared, the rest stays");
        assertEquals(0x2, fw.unit.readReg(VtdRegs.FSTS.offset()));
        fw.unit.writeReg(0x238, F);
        assertEquals(0x0, fw.unit.readReg(VtdRegs.FSTS.offset()));
    }

    @Test
    void aPendingFaultFromTheSameRequesterCollapsesTheNext() {
        Firmware fw = new Firmware(Seed.NONE, 4);
        TestDevice dev = fw.device(0x0321);
        assertThrows(DmaFaultException.class, () -> fw.unit.translate(dev, 0x0321, 0x1000, AccessType.READ));
        DmaFault second = assertThrows(DmaFaultException.class,
                () -> fw.unit.translate(dev, 0x0321, 0x2000, AccessType.READ)).fault();
        assertEquals(0L, second.syndrome().get("RECORDED"));
        assertEquals(-1L, second.syndrome().get("FRI"));
        assertEquals(0L, fw.unit.readReg(0x238), "FRCD1 untouched (QEMU vtd_try_collapse_fault)");
        assertEquals(2, dev.faults.size(), "both accesses were still reported to the platform once each");
    }

    @Test
    void aFullSetOfRecordsOverflows() {
        Firmware fw = new Firmware(Seed.NONE, 2);
        for (int sid = 1; sid <= 2; sid++) {
            int s = sid;
            assertThrows(DmaFaultException.class, () -> fw.unit.translate(fw.device(s), s, 0, AccessType.READ));
        }
        // Both records hold F = 1; the next register in turn (FRCD0) is busy: PFO (bit 0) is set.
        DmaFault third = assertThrows(DmaFaultException.class,
                () -> fw.unit.translate(fw.device(3), 3, 0, AccessType.READ)).fault();
        assertEquals(0L, third.syndrome().get("RECORDED"));
        assertEquals(0x3, fw.unit.readReg(VtdRegs.FSTS.offset()), "PFO | PPF, FRI 0");
        // While PFO is set nothing is recorded, even with a free register.
        fw.unit.writeReg(0x228, F);
        assertThrows(DmaFaultException.class, () -> fw.unit.translate(fw.device(4), 4, 0, AccessType.READ));
        assertEquals(0x0L, fw.unit.readReg(0x228) & F);
        // Clearing PFO (RW1C) lets the next fault in, at FRCD0.
        fw.unit.writeReg(VtdRegs.FSTS.offset(), 0x1);
        DmaFault fifth = assertThrows(DmaFaultException.class,
                () -> fw.unit.translate(fw.device(5), 5, 0, AccessType.READ)).fault();
        assertEquals(0L, fifth.syndrome().get("FRI"));
        assertEquals(F | T | 0x1_0000_0005L, fw.unit.readReg(0x228));
    }

    @Test
    void aMaskedEventWaitsInIpUntilUnmasked() {
        Firmware fw = new Firmware(Seed.NONE, 4);
        AtomicInteger irqs = new AtomicInteger();
        fw.unit.connectIrq(irqs::incrementAndGet);
        // FECTL resets to IM = 1 (bit 31).
        assertEquals(0x8000_0000L, fw.unit.readReg(VtdRegs.FECTL.offset()));
        assertThrows(DmaFaultException.class, () -> fw.unit.translate(fw.device(1), 1, 0, AccessType.READ));
        assertEquals(0, irqs.get());
        assertEquals(0xc000_0000L, fw.unit.readReg(VtdRegs.FECTL.offset()), "IM | IP");
        fw.unit.writeReg(VtdRegs.FECTL.offset(), 0);
        assertEquals(1, irqs.get(), "unmasking delivers the pending event");
        assertEquals(0L, fw.unit.readReg(VtdRegs.FECTL.offset()));
    }

    @Test
    void fpdSuppressesTheRecordButNotTheReport() {
        Firmware fw = new Firmware(Seed.NONE, 4);
        fw.context(0x10, 3, fw.page(), ContextEntry.AW_48, true);
        TestDevice dev = fw.device(0x10);
        DmaFault f = assertThrows(DmaFaultException.class,
                () -> fw.unit.translate(dev, 0x10, 0x5000, AccessType.READ)).fault();
        // The table is empty: level-4 entry not present, reason 6h (read); FPD = 1: no record.
        assertEquals(6L, f.syndrome().get("FR"));
        assertEquals(0L, f.syndrome().get("RECORDED"));
        assertEquals(0L, fw.unit.readReg(VtdRegs.FSTS.offset()));
        assertEquals(1, dev.faults.size());
    }

    @Test
    void capAdvertisesWhereTheRecordsAre() {
        Firmware fw = new Firmware(Seed.NONE, 8);
        long cap = fw.unit.readReg(VtdRegs.CAP.offset());
        // FRO [33:24] = 0x220 / 16 = 0x22; NFR [47:40] = 8 - 1; MGAW [21:16] = 47; SAGAW [12:8] =
        // 0b00110; ND [2:0] = 4 (2^12 = 4096 domains); SLLPS [37:34] = 0b0011; PSI [39]; MAMV = 18.
        assertEquals(0x22, VtdRegs.CAP_FRO.get(cap));
        assertEquals(7, VtdRegs.CAP_NFR.get(cap));
        assertEquals(47, VtdRegs.CAP_MGAW.get(cap));
        assertEquals(0b00110, VtdRegs.CAP_SAGAW.get(cap));
        assertEquals(4096, VtdRegs.ndoms(cap));
        assertEquals(0b0011, VtdRegs.CAP_SLLPS.get(cap));
        assertEquals(1, VtdRegs.CAP_PSI.get(cap));
        assertEquals(18, VtdRegs.CAP_MAMV.get(cap));
        // MAMV 0x12 << 48 | NFR 7 << 40 | PSI 1 << 39 | SLLPS 3 << 34 | FRO 0x22 << 24 | MGAW 0x2f << 16
        // | SAGAW 6 << 8 | ND 4 = 0x0012_0000_0000_0000 + 0x0780_0000_0000 + 0x000c_0000_0000
        // + 0x2200_0000 + 0x002f_0000 + 0x0604.
        assertEquals(0x0012_078c_222f_0604L, cap);
        // ECAP: C | QI | IRO 0x10.
        assertEquals(0x1003L, fw.unit.readReg(VtdRegs.ECAP.offset()));
    }
}
