package org.iommulab.smmu.v3.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.platform.AccessType;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Gbpa;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr1;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr3;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr5;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.format.SteFormat;
import org.junit.jupiter.api.Test;

/**
 * The register file (IHI0070 §6): ID registers from the features, reset values, the CR0
 * reserved mask QEMU got wrong, and the accesses refused with a clear error that changes
 * nothing (read-only, unaligned, wrong size, no register, guarded).
 */
class RegisterTest {
    private final SmmuHarness h = SmmuHarness.of(SmmuV3Features.builder().stages(SmmuV3Features.Stages.NESTED)
            .sidBits(12).ssidBits(3).cmdqLog2(9).evtqLog2(7).oasBits(40).granules(true, false, true).ril(false));

    private long read(Register r) {
        return h.mmio.read32(r.offset()) & 0xffff_ffffL;
    }

    @Test
    void idRegistersDescribeTheFeatures() {
        long idr0 = read(Regs.IDR0);
        assertEquals(1, Idr0.S1P.get(idr0));
        assertEquals(1, Idr0.S2P.get(idr0));
        assertEquals(Idr0.TTF_AARCH64, Idr0.TTF.get(idr0));
        assertEquals(Idr0.STALL_MODEL_NO_STALL, Idr0.STALL_MODEL.get(idr0));
        assertEquals(1, Idr0.TERM_MODEL.get(idr0));
        assertEquals(Idr0.ST_LEVEL_2LVL, Idr0.ST_LEVEL.get(idr0));
        assertEquals(Idr0.TTENDIAN_LE, Idr0.TTENDIAN.get(idr0));
        assertEquals(1, Idr0.VMID16.get(idr0));
        assertEquals(0, Idr0.HTTU.get(idr0) | Idr0.HYP.get(idr0) | Idr0.PRI.get(idr0) | Idr0.ATS.get(idr0));
        long idr1 = read(Regs.IDR1);
        assertEquals(12, Idr1.SIDSIZE.get(idr1));
        assertEquals(3, Idr1.SSIDSIZE.get(idr1));
        assertEquals(9, Idr1.CMDQS.get(idr1));
        assertEquals(7, Idr1.EVENTQS.get(idr1));
        assertEquals(0, Idr3.RIL.get(read(Regs.IDR3)));
        assertEquals(1, Idr3.HAD.get(read(Regs.IDR3)));
        long idr5 = read(Regs.IDR5);
        assertEquals(2, Idr5.OAS.get(idr5), "40 bits");
        assertEquals(1, Idr5.GRAN4K.get(idr5));
        assertEquals(0, Idr5.GRAN16K.get(idr5));
        assertEquals(1, Idr5.GRAN64K.get(idr5));
        assertEquals(2, read(Regs.AIDR), "SMMUv3.2");
    }

    @Test
    void resetValues() {
        assertEquals(0, read(Regs.CR0) | read(Regs.CR0ACK) | read(Regs.CR1) | read(Regs.CR2));
        assertEquals(Gbpa.RESET, read(Regs.GBPA));
        assertEquals(0, read(Regs.IRQ_CTRL) | read(Regs.GERROR) | read(Regs.GERRORN));
        assertEquals(9, Queue.LOG2SIZE.get(h.mmio.read64(Regs.CMDQ_BASE.offset())));
        assertEquals(7, Queue.LOG2SIZE.get(h.mmio.read64(Regs.EVENTQ_BASE.offset())));
        assertEquals(0, read(Regs.CMDQ_PROD) | read(Regs.CMDQ_CONS) | read(Regs.EVENTQ_PROD) | read(Regs.EVENTQ_CONS));
    }

    @Test
    void cr0ReservedMaskIsBitsFiveAndNineNotTen() {
        h.mmio.write32(Regs.CR0.offset(), 0xffff_ffff);
        long ack = read(Regs.CR0ACK);
        assertEquals(read(Regs.CR0), ack, "CR0ACK follows CR0 at once");
        assertEquals(0, ack & Cr0.RESERVED, "bits 5, 9 and 11+ are RES0");
        assertEquals(Cr0.SMMUEN.mask() | Cr0.EVENTQEN.mask() | Cr0.CMDQEN.mask(), ack,
                "PRIQEN, ATSCHK, VMW and DPT_WALK_EN are RES0 without PRI, ATS, VMW and DPT");
        assertEquals(0xffff_fa20L, Cr0.RESERVED);
        assertTrue(Cr0.DPT_WALK_EN.mask() == 1 << 10 && (Cr0.RESERVED & (1 << 9)) != 0);
    }

    @Test
    void refusedAccessesChangeNothing() {
        long idr0 = read(Regs.IDR0);
        assertThrows(IllegalArgumentException.class, () -> h.mmio.write32(Regs.IDR0.offset(), 0));
        assertEquals(idr0, read(Regs.IDR0));
        assertThrows(IllegalArgumentException.class, () -> h.mmio.write32(Regs.CR0ACK.offset(), 1));
        assertThrows(IllegalArgumentException.class, () -> h.mmio.write32(Regs.GERROR.offset(), 1));
        assertThrows(IllegalArgumentException.class, () -> h.mmio.read32(0x22), "unaligned");
        assertThrows(IllegalArgumentException.class, () -> h.mmio.write64(0x84, 0), "unaligned 64-bit");
        assertThrows(IllegalArgumentException.class, () -> h.mmio.read64(Regs.CR0.offset()), "64-bit to a 32-bit register");
        assertThrows(IllegalArgumentException.class, () -> h.mmio.read32(0x30), "no register there");
        assertThrows(IllegalArgumentException.class, () -> h.mmio.write32(0x3000, 1), "no register there");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.mmio.read32(0xa8));
        assertTrue(e.getMessage().contains("page 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> h.mmio.write32(Regs.GBPA.offset(), (int) Gbpa.ABORT.mask()),
                "GBPA without UPDATE");
        assertEquals(Gbpa.RESET, read(Regs.GBPA));
        assertEquals(0, read(Regs.CR0));
    }

    @Test
    void guardedRegistersRefuseWritesWhileEnabled() {
        h.linearStrtab(4);
        h.queues(6, 4);
        h.enable(true);
        long base = h.mmio.read64(Regs.STRTAB_BASE.offset());
        assertThrows(IllegalStateException.class, () -> h.mmio.write64(Regs.STRTAB_BASE.offset(), 0));
        assertThrows(IllegalStateException.class, () -> h.mmio.write32(Regs.STRTAB_BASE.offset() + 4, 1));
        assertThrows(IllegalStateException.class, () -> h.mmio.write32(Regs.STRTAB_BASE_CFG.offset(), 0));
        assertThrows(IllegalStateException.class, () -> h.mmio.write32(Regs.CR2.offset(), 0));
        assertThrows(IllegalStateException.class, () -> h.mmio.write64(Regs.CMDQ_BASE.offset(), 0));
        assertThrows(IllegalStateException.class, () -> h.mmio.write64(Regs.EVENTQ_BASE.offset(), 0));
        assertThrows(IllegalStateException.class, () -> h.mmio.write32(Regs.CMDQ_CONS.offset(), 0));
        assertEquals(base, h.mmio.read64(Regs.STRTAB_BASE.offset()));
    }

    @Test
    void badStrtabCfgAndCmdqProdAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> h.mmio.write32(Regs.STRTAB_BASE_CFG.offset(), 2 << 16));
        assertThrows(IllegalArgumentException.class, () -> h.mmio.write32(Regs.STRTAB_BASE_CFG.offset(), 1 << 16 | 7 << 6));
        assertEquals(0, read(Regs.STRTAB_BASE_CFG));
        h.queues(3, 3);
        assertThrows(IllegalArgumentException.class, () -> h.mmio.write32(Regs.CMDQ_PROD.offset(), 9),
                "9 commands in an 8-entry queue");
        assertEquals(0, read(Regs.CMDQ_PROD));
    }

    @Test
    void halvesOf64BitRegisters() {
        h.mmio.write32(Regs.STRTAB_BASE.offset(), 0x4000_0040);
        h.mmio.write32(Regs.STRTAB_BASE.offset() + 4, 0x1);
        assertEquals(0x1_4000_0040L, h.mmio.read64(Regs.STRTAB_BASE.offset()));
        assertEquals(1, h.mmio.read32(Regs.STRTAB_BASE.offset() + 4));
    }

    @Test
    void resetDropsCachedConfiguration() {
        h.linearStrtab(4);
        h.queues(6, 4);
        h.enable(true);
        h.writeEntry(h.steAddr(1), SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_BYPASS));
        h.read(1, 0x4000_0000L);
        assertEquals(1, h.model.configCacheSize());
        h.model.reset();
        assertEquals(0, h.model.configCacheSize(), "QEMU kept it across a reset (\"Fix device reset\")");
        assertEquals(0, read(Regs.CR0));
        assertEquals(0, h.mmio.read64(Regs.STRTAB_BASE.offset()));
        assertEquals(0x4000_0000L, h.read(1, 0x4000_0000L), "disabled SMMU with GBPA.ABORT = 0 bypasses");
    }

    @Test
    void disabledSmmuFollowsGbpa() {
        h.mmio.write32(Regs.GBPA.offset(), (int) (Gbpa.UPDATE.mask() | Gbpa.ABORT.mask()));
        assertEquals(Gbpa.ABORT.mask(), read(Regs.GBPA), "UPDATE completes at once");
        h.fault(0, 0x4000_0000L, AccessType.READ);
    }
}
