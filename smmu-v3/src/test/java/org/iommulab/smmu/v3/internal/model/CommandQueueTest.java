package org.iommulab.smmu.v3.internal.model;

import static org.iommulab.smmu.v3.internal.format.CmdFormat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.smmu.v3.internal.format.RegFields.Gerror;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command queue as a consumer (IHI0070 §4): every opcode handled or refused, CERROR_ILL
 * and CERROR_ABT stopping CONS at the failing command with CONS.ERR and GERROR.CMDQ_ERR, the
 * queue halted until GERRORN acknowledges, CMD_SYNC's completion signals, and wrap.
 */
class CommandQueueTest {
    private static int gerrorActive(SmmuHarness h) {
        return h.mmio.read32(Regs.GERROR.offset()) ^ h.mmio.read32(Regs.GERRORN.offset());
    }

    @ParameterizedTest(name = "opcode {0} is illegal on this SMMU")
    @ValueSource(ints = {0x00, 0x07, 0x08, 0x18, 0x1a, 0x20, 0x21, 0x22, 0x23, 0x40, 0x41, 0x44, 0x45, 0x47, 0x50, 0x5a,
        0x80, 0x8f, 0xff})
    void illegalCommandStopsTheQueue(int op) {
        SmmuHarness h = SmmuHarness.stage1().up();
        h.sync();
        int before = h.cmdqCons();
        h.cmd(D0_OP.of(op), 0);
        int cons = h.cmdqCons();
        assertEquals(before, cons & 0xfffff, "CONS stops at the failing command");
        assertEquals(Queue.CERROR_ILL, Queue.CONS_ERR.getInt(cons & 0xffff_ffffL));
        assertEquals((int) Gerror.CMDQ_ERR.mask(), gerrorActive(h));
        assertTrue(h.irqs.contains(IrqLine.GERROR));
    }

    @Test
    void secureCommandOnTheNonSecureQueueIsIllegal() {
        SmmuHarness h = SmmuHarness.stage1().up();
        h.cmd(D0_OP.of(TLBI_NSNH_ALL) | D0_SSEC.of(1), 0);
        assertEquals(Queue.CERROR_ILL, Queue.CONS_ERR.getInt(h.cmdqCons() & 0xffff_ffffL));
    }

    @Test
    void stageCommandsNeedTheirStage() {
        SmmuHarness s1 = SmmuHarness.stage1().up();
        s1.cmd(D0_OP.of(TLBI_S2_IPA), 0);
        assertEquals(Queue.CERROR_ILL, Queue.CONS_ERR.getInt(s1.cmdqCons() & 0xffff_ffffL));
        SmmuHarness s2 = SmmuHarness.of(SmmuV3Features.builder().stages(SmmuV3Features.Stages.S2)).up();
        s2.cmd(D0_OP.of(CFGI_CD), 0);
        assertEquals(Queue.CERROR_ILL, Queue.CONS_ERR.getInt(s2.cmdqCons() & 0xffff_ffffL));
    }

    @Test
    void haltedUntilGerrornAcknowledgesThenResumes() {
        SmmuHarness h = SmmuHarness.stage1().up();
        int p1 = h.stage(D0_OP.of(0x7f), 0); // illegal, at slot 0
        h.mmio.write32(Regs.CMDQ_PROD.offset(), p1);
        int p2 = h.stage(D0_OP.of(SYNC) | D0_CS.of(CS_SEV), 0);
        h.mmio.write32(Regs.CMDQ_PROD.offset(), p2);
        assertEquals(0, h.cmdqCons() & 0xff, "still halted: a new PROD does not restart it");
        assertEquals(0, h.model.sevCount());
        // Skip the bad command as Linux does: overwrite it with CMD_SYNC, then acknowledge.
        h.mem.writeLong(h.cmdq, D0_OP.of(SYNC));
        h.mmio.write32(Regs.GERRORN.offset(), h.mmio.read32(Regs.GERROR.offset()));
        assertEquals(2, h.cmdqCons() & 0xff, "both commands consumed after the acknowledgement");
        assertEquals(1, h.model.sevCount());
        assertEquals(0, gerrorActive(h));
    }

    @Test
    void fetchAbortIsCerrorAbt() {
        SmmuHarness h = SmmuHarness.stage1();
        h.linearStrtab(4);
        h.queues(6, 2);
        h.mmio.write64(Regs.CMDQ_BASE.offset(), 0x2000_0000L | 6); // not RAM
        h.enable(true);
        h.mmio.write32(Regs.CMDQ_PROD.offset(), 1);
        int cons = h.cmdqCons();
        assertEquals(0, cons & 0x7f);
        assertEquals(Queue.CERROR_ABT, Queue.CONS_ERR.getInt(cons & 0xffff_ffffL));
        assertEquals((int) Gerror.CMDQ_ERR.mask(), gerrorActive(h));
        // Acknowledging retries the fetch, which aborts again: the error is active once more.
        h.mmio.write32(Regs.GERRORN.offset(), h.mmio.read32(Regs.GERROR.offset()));
        assertEquals((int) Gerror.CMDQ_ERR.mask(), gerrorActive(h));
        assertEquals(0, h.cmdqCons() & 0x7f);
    }

    @Test
    void syncSignals() {
        SmmuHarness h = SmmuHarness.stage1().up();
        h.cmd(D0_OP.of(SYNC) | D0_CS.of(CS_IRQ), 0);
        assertTrue(h.irqs.contains(IrqLine.CMD_SYNC), "CS = IRQ without MSIAddress: the wired line");
        h.cmd(D0_OP.of(SYNC) | D0_CS.of(CS_SEV), 0);
        assertEquals(1, h.model.sevCount());
        long msi = h.pages(1);
        h.mem.writeInt(msi, -1);
        h.cmd(D0_OP.of(SYNC) | D0_CS.of(CS_IRQ) | D0_MSIDATA.of(0x1234_5678L), D1_MSIADDR.bits(msi));
        assertEquals(0x1234_5678, h.mem.readInt(msi), "CS = IRQ with MSIAddress: the MSI write");
        h.cmd(D0_OP.of(SYNC) | D0_CS.of(CS_NONE) | D0_MSIDATA.of(5), D1_MSIADDR.bits(msi));
        assertEquals(0x1234_5678, h.mem.readInt(msi), "CS = NONE signals nothing");
        h.cmd(D0_OP.of(SYNC) | D0_CS.of(3), 0);
        assertEquals(Queue.CERROR_ILL, Queue.CONS_ERR.getInt(h.cmdqCons() & 0xffff_ffffL), "CS = 0b11 is reserved");
    }

    /**
     * Linux's MSIPOLL (arm_smmu_cmdq_build_sync_cmd): the CMD_SYNC's MSI, data 0, targets the
     * command's own slot, so its first word turns 0 when it completes (§4.7.3: MSIData written
     * to MSIAddress). An MSI to the queue's last word is inside it too; both are written as any
     * MSI to RAM is, with no error.
     */
    @Test
    void syncMsiIntoTheQueueItselfIsWritten() {
        SmmuHarness h = SmmuHarness.stage1().up();
        int prod = h.mmio.read32(Regs.CMDQ_PROD.offset());
        long slot = h.cmdq + 16L * h.cmdRing.index(prod);
        h.cmd(D0_OP.of(SYNC) | D0_CS.of(CS_IRQ) | D0_MSIDATA.of(0), D1_MSIADDR.bits(slot));
        assertEquals(0, h.mem.readInt(slot), "the sync's own first word, zeroed by its MSI");
        long lastWord = h.cmdq + h.cmdRing.bytes() - 4;
        h.cmd(D0_OP.of(SYNC) | D0_CS.of(CS_IRQ) | D0_MSIDATA.of(0x55), D1_MSIADDR.bits(lastWord));
        assertEquals(0x55, h.mem.readInt(lastWord));
        assertEquals(0, gerrorActive(h));
    }

    @Test
    void syncMsiToNonRamIsMsiCmdqAbtErr() {
        SmmuHarness h = SmmuHarness.stage1().up();
        h.cmd(D0_OP.of(SYNC) | D0_CS.of(CS_IRQ), D1_MSIADDR.bits(0x2000_0000L));
        assertEquals((int) Gerror.MSI_CMDQ_ABT_ERR.mask(), gerrorActive(h));
        assertEquals(0, Queue.CONS_ERR.getInt(h.cmdqCons() & 0xffff_ffffL), "the command itself completed");
    }

    @Test
    void noOpAndHandledCommandsComplete() {
        SmmuHarness h = SmmuHarness.of(SmmuV3Features.builder().stages(SmmuV3Features.Stages.NESTED).ats(true)).up();
        int[] ops = {PREFETCH_CONFIG, PREFETCH_ADDR, CFGI_STE, CFGI_STE_RANGE, CFGI_CD, CFGI_CD_ALL, TLBI_NH_ALL,
            TLBI_NH_ASID, TLBI_NH_VA, TLBI_NH_VAA, TLBI_S12_VMALL, TLBI_S2_IPA, TLBI_NSNH_ALL, ATC_INV, SYNC};
        for (int op : ops) {
            h.cmd(D0_OP.of(op), 0);
        }
        assertEquals(ops.length, h.cmdqCons() & 0x7f);
        assertEquals(0, gerrorActive(h));
        assertEquals(ops.length, h.model.commandsConsumed());
    }

    @Test
    void queueWraps() {
        SmmuHarness h = SmmuHarness.stage1();
        h.linearStrtab(4);
        h.queues(2, 2); // 4 commands
        h.enable(true);
        for (int i = 0; i < 11; i++) {
            h.sync();
        }
        assertEquals(11 & 0b111, h.cmdqCons());
        assertEquals(h.mmio.read32(Regs.CMDQ_PROD.offset()), h.cmdqCons());
        assertEquals(11, h.model.sevCount());
        assertFalse(h.irqs.contains(IrqLine.GERROR));
    }
}
