package org.iommulab.smmu.v2.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.iommulab.smmu.v2.internal.model.regs.Gr1;
import org.junit.jupiter.api.Test;

class RegisterInterfaceTest {
    private final ModelRig rig = new ModelRig(SmmuV2Params.mmu500().withCounts(8, 4).withTiming(4096, 64, 0));

    @Test
    void idRegistersReportTheParameters() {
        int id0 = rig.read(rig.gr0(Gr0.ID0));
        assertEquals(8, Gr0.ID0_NUMSMRG.get(id0));
        assertEquals(15, Gr0.ID0_NUMSIDB.get(id0));
        assertEquals(1, Gr0.ID0_S1TS.get(id0));
        assertEquals(1, Gr0.ID0_S2TS.get(id0));
        assertEquals(1, Gr0.ID0_NTS.get(id0));
        assertEquals(1, Gr0.ID0_SMS.get(id0));
        int id1 = rig.read(rig.gr0(Gr0.ID1));
        assertEquals(4, Gr0.ID1_NUMCB.get(id1));
        assertEquals(0, Gr0.ID1_PAGESIZE.get(id1));
        assertEquals(4, 1 << (Gr0.ID1_NUMPAGENDXB.get(id1) + 1));
        int id2 = rig.read(rig.gr0(Gr0.ID2));
        assertEquals(5, Gr0.ID2_IAS.get(id2));
        assertEquals(5, Gr0.ID2_OAS.get(id2));
        assertEquals(1, Gr0.ID2_PTFS_4K.get(id2));
        assertEquals(1, Gr0.ID2_PTFS_64K.get(id2));
    }

    @Test
    void idRegistersAreReadOnlyAndAWriteChangesNothing() {
        int before = rig.read(rig.gr0(Gr0.ID0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rig.hw.write32(rig.gr0(Gr0.ID0), 0));
        assertTrue(e.getMessage().contains("ID0") && e.getMessage().contains("read-only"), e.getMessage());
        assertEquals(before, rig.read(rig.gr0(Gr0.ID0)));
    }

    @Test
    void reservedBitsReadAsZeroAndIgnoreWrites() {
        rig.hw.write32(rig.gr0(Gr0.SCR0), -1);
        assertEquals((int) Gr0.SCR0.implemented(), rig.read(rig.gr0(Gr0.SCR0)));
        // EXIDENABLE (bit 3) is RES0: this SMMU has no extended stream IDs.
        assertEquals(0, rig.read(rig.gr0(Gr0.SCR0)) & 0x8);
        rig.hw.write32(rig.cb(0, Cb.FSYNR0), -1);
        assertEquals((int) Cb.FSYNR0.implemented(), rig.read(rig.cb(0, Cb.FSYNR0)));
    }

    @Test
    void smrKeepsOnlyTheImplementedStreamIdBits() {
        ModelRig narrow = new ModelRig(new SmmuV2Params(4, 2, 4096, 48, 48, true, false, false, true, true, false, 10, 16,
                0));
        narrow.hw.write32(narrow.gr0(Gr0.SMR, 0), (int) (Gr0.SMR_ID.of(0x7fff)));
        assertEquals(0x3ff, Gr0.SMR_ID.get(narrow.read(narrow.gr0(Gr0.SMR, 0))));
        narrow.hw.write32(narrow.gr0(Gr0.SMR, 0), (int) (Gr0.SMR_MASK.of(0x7fff)));
        assertEquals(0x3ff, Gr0.SMR_MASK.get(narrow.read(narrow.gr0(Gr0.SMR, 0))));
    }

    @Test
    void fsrIsWriteOneToClear() {
        rig.hw.write32(rig.cb(1, Cb.FSRRESTORE), (int) (Cb.FSR_TF.mask() | Cb.FSR_PF.mask() | Cb.FSR_MULTI.mask()));
        int fsr = rig.read(rig.cb(1, Cb.FSR));
        assertEquals((int) (Cb.FSR_TF.mask() | Cb.FSR_PF.mask() | Cb.FSR_MULTI.mask()), fsr);
        rig.hw.write32(rig.cb(1, Cb.FSR), (int) Cb.FSR_PF.mask());
        assertEquals((int) (Cb.FSR_TF.mask() | Cb.FSR_MULTI.mask()), rig.read(rig.cb(1, Cb.FSR)));
        rig.hw.write32(rig.cb(1, Cb.FSR), 0);
        assertEquals((int) (Cb.FSR_TF.mask() | Cb.FSR_MULTI.mask()), rig.read(rig.cb(1, Cb.FSR)), "writing 0 clears nothing");
        rig.hw.write32(rig.cb(1, Cb.FSR), rig.read(rig.cb(1, Cb.FSR)));
        assertEquals(0, rig.read(rig.cb(1, Cb.FSR)));
    }

    @Test
    void sgfsrIsWriteOneToClear() {
        rig.hw.write32(rig.gr0(Gr0.SGFSRRESTORE), (int) (Gr0.SGFSR_USF.mask() | Gr0.SGFSR_SMCF.mask()));
        rig.hw.write32(rig.gr0(Gr0.SGFSR), (int) Gr0.SGFSR_USF.mask());
        assertEquals((int) Gr0.SGFSR_SMCF.mask(), rig.read(rig.gr0(Gr0.SGFSR)));
    }

    @Test
    void sixtyFourBitRegistersTakeBothWidths() {
        rig.hw.write64(rig.cb(2, Cb.TTBR0), 0x1234_0000_4000_1000L);
        assertEquals(0x4000_1000, rig.read(rig.cb(2, Cb.TTBR0)));
        assertEquals(0x1234_0000, rig.read(rig.cb(2, Cb.TTBR0) + 4));
        rig.hw.write32(rig.cb(2, Cb.TTBR0) + 4, 0x0042_0000);
        assertEquals(0x0042_0000_4000_1000L, rig.hw.read64(rig.cb(2, Cb.TTBR0)));
    }

    @Test
    void badAccessesAreRefusedWithAClearError() {
        long size = rig.hw.size();
        assertThrows(IllegalArgumentException.class, () -> rig.hw.read32(size));
        assertThrows(IllegalArgumentException.class, () -> rig.hw.read32(-4));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rig.hw.read32(rig.gr0(Gr0.SCR0) + 2))
                .getMessage().contains("not aligned"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rig.hw.read32(0x10)).getMessage()
                .contains("no register"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rig.hw.read32(rig.gr0(Gr0.TLBIALLNSNH)))
                .getMessage().contains("write-only"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rig.hw.read64(rig.gr0(Gr0.SCR0)))
                .getMessage().contains("not a 64-bit register"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rig.hw.write32(rig.cb(0, Cb.TLBIVA), 1))
                .getMessage().contains("64-bit operation register"));
        // Page 2 is neither GR0, GR1 nor a context bank of this SMMU.
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rig.hw.read32(2 * 4096))
                .getMessage().contains("does not implement"));
    }

    @Test
    void anSmrIndexBeyondNumsmrgIsRefusedAndChangesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rig.hw.write32(rig.gr0(Gr0.SMR, 8), -1));
        assertTrue(e.getMessage().contains("SMR(8) is out of range"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> rig.hw.read32(rig.gr1(Gr1.CBAR, 4)));
        for (int i = 0; i < 8; i++) {
            assertEquals(0, rig.read(rig.gr0(Gr0.SMR, i)));
        }
    }

    @Test
    void contextBanksStartAtPageNumpageWith64KPages() {
        ModelRig big = new ModelRig(SmmuV2Params.mmu500().withCounts(4, 3).withTiming(65536, 16, 0));
        assertEquals(1, Gr0.ID1_PAGESIZE.get(big.read(big.gr0(Gr0.ID1))));
        assertEquals(2L * 4 * 65536, big.hw.size());
        big.hw.write32(4L * 65536 + 2 * 65536 + Cb.CONTEXTIDR.offset(), 0x55);
        assertEquals(0x55, big.read(big.cb(2, Cb.CONTEXTIDR)));
    }

    @Test
    void resetStateBypassesEverything() {
        assertEquals(1, Gr0.SCR0_CLIENTPD.get(rig.read(rig.gr0(Gr0.SCR0))));
        assertEquals(0x1234, rig.port("dev", 3).translate(3, 0x1234, org.iommulab.api.platform.AccessType.READ));
    }

    @Test
    void parametersAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> SmmuV2Params.mmu500().withCounts(0, 4).validate());
        assertThrows(IllegalArgumentException.class, () -> SmmuV2Params.mmu500().withTiming(8192, 16, 0).validate());
        assertThrows(IllegalArgumentException.class,
                () -> SmmuV2Params.mmu500().withAddressing(47, 48, true, false, false).validate());
        assertThrows(IllegalArgumentException.class, () -> SmmuV2Params.mmu500().withStages(true, false, true).validate());
        assertThrows(IllegalArgumentException.class, () -> SmmuV2Params.mmu500().withTiming(4096, 100, 0).validate());
    }
}
