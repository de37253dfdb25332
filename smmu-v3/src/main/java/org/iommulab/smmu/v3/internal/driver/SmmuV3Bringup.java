package org.iommulab.smmu.v3.internal.driver;

import java.util.function.IntFunction;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.smmu.v3.internal.format.CmdFormat;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr1;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr2;
import org.iommulab.smmu.v3.internal.format.RegFields.Gbpa;
import org.iommulab.smmu.v3.internal.format.RegFields.Gerror;
import org.iommulab.smmu.v3.internal.format.RegFields.IrqCtrl;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.model.IrqListener;
import org.iommulab.smmu.v3.internal.model.SmmuV3Mmio;
import org.iommulab.smmu.v3.internal.model.SmmuV3Model;

/**
 * A probed SMMU's driver state (Linux's {@code struct arm_smmu_device}): the ID-register facts,
 * the queues, the stream table, the ID allocators, the nesting parent; and the sequences that
 * bring it up and down ({@code arm_smmu_device_reset}, {@code arm_smmu_device_disable}) and
 * handle its global errors ({@code arm_smmu_gerror_handler}, {@code arm_smmu_cmdq_skip_err}).
 */
final class SmmuV3Bringup {
    /** Linux CR1_CACHE_WB and ARM_SMMU_SH_ISH. */
    private static final int CACHE_WB = 1;
    private static final int SH_ISH = 3;

    final HwInfo info;
    final CommandQueue cmdq;
    final EventQueueReader evtq;
    final StreamTable strtab;
    final ConfigWriter configs;
    final IdAllocator asids;
    final IdAllocator vmids;
    final NestedParent parent;
    private final SmmuV3Mmio mmio;
    private final SmmuV3Model model;
    private final DriverLog log;
    private final long[] one = new long[2];
    private int abortCons = -1;

    private SmmuV3Bringup(SmmuV3Model model, HwInfo info, CommandQueue cmdq, EventQueueReader evtq, StreamTable strtab,
            ConfigWriter configs, NestedParent parent, DriverLog log) {
        this.model = model;
        this.mmio = model.mmio();
        this.info = info;
        this.cmdq = cmdq;
        this.evtq = evtq;
        this.strtab = strtab;
        this.configs = configs;
        this.asids = new IdAllocator(1, 1 << info.asidBits);
        // VMID 0 is what stage-1-only STEs carry; domains and the nesting parent take 1 and up.
        this.vmids = new IdAllocator(parent != null ? parent.vmid + 1 : 1, 1 << info.vmidBits);
        this.parent = parent;
        this.log = log;
    }

    static SmmuV3Bringup bringUp(SmmuV3Model model, PhysicalMemory memory, PageAllocator allocator, DriverConfig config,
            DriverLog log, IrqListener irq, IntFunction<DmaDevice> deviceBySid) {
        SmmuV3Mmio mmio = model.mmio();
        HwInfo info = new HwInfo(mmio);
        boolean ok;
        switch (config.stage) {
            case S1: ok = info.s1; break;
            case S2: ok = info.s2; break;
            default: ok = info.s1 && info.s2;
        }
        if (!ok) {
            throw new IllegalStateException("the SMMU (" + info + ") cannot translate " + config.stage + " domains");
        }
        if (!info.granule(config.granule)) {
            throw new IllegalStateException("the SMMU (" + info + ") does not support the " + config.granule + " granule");
        }
        int cmdqLog2 = Math.min(config.cmdqLog2, info.cmdqLog2);
        int evtqLog2 = Math.min(config.evtqLog2, info.evtqLog2);
        DmaBuffer cq = DmaBuffer.allocate(memory, allocator, (long) CmdFormat.CMD_SIZE << cmdqLog2, Zone.NORMAL);
        DmaBuffer eq = DmaBuffer.allocate(memory, allocator, (long) EventFormat.EVT_SIZE << evtqLog2, Zone.NORMAL);
        StreamTable st = StreamTable.create(memory, allocator, config.twoLevelStreamTable && info.twoLevelStrtab, info.sidBits);
        NestedParent parent = config.stage == DriverConfig.Stage.NESTED
                ? NestedParent.create(memory, allocator, config.granule, info.oas, 1) : null;
        if (cq == null || eq == null || st == null || config.stage == DriverConfig.Stage.NESTED && parent == null) {
            // A failed probe leaves nothing allocated.
            for (DmaBuffer b : new DmaBuffer[] {cq, eq}) {
                if (b != null) {
                    b.free();
                }
            }
            if (st != null) {
                st.free();
            }
            if (parent != null) {
                parent.table.free();
            }
            throw new IllegalStateException("no memory for the SMMU's queues and stream table");
        }
        CommandQueue cmdq = new CommandQueue(mmio, memory, cq, cmdqLog2, config.msiPoll && info.msi, log);
        EventQueueReader evtq = new EventQueueReader(mmio, memory, eq, evtqLog2, log, deviceBySid);
        ConfigWriter configs = new ConfigWriter(memory, st, cmdq);
        SmmuV3Bringup b = new SmmuV3Bringup(model, info, cmdq, evtq, st, configs, parent, log);
        b.reset(irq);
        return b;
    }

    /** Linux {@code arm_smmu_device_reset}. */
    private void reset(IrqListener irq) {
        if (Cr0.SMMUEN.isSet(mmio.read32(Regs.CR0.offset()))) {
            log.add("SMMU currently enabled! Resetting...");
            updateGbpa(Gbpa.ABORT.mask(), 0);
        }
        disable();
        mmio.write32(Regs.CR1.offset(), (int) (Cr1.TABLE_SH.of(SH_ISH) | Cr1.TABLE_OC.of(CACHE_WB)
                | Cr1.TABLE_IC.of(CACHE_WB) | Cr1.QUEUE_SH.of(SH_ISH) | Cr1.QUEUE_OC.of(CACHE_WB) | Cr1.QUEUE_IC.of(CACHE_WB)));
        mmio.write32(Regs.CR2.offset(), (int) (Cr2.PTM.mask() | Cr2.RECINVSID.mask()));
        mmio.write64(Regs.STRTAB_BASE.offset(), strtab.baseRegister());
        mmio.write32(Regs.STRTAB_BASE_CFG.offset(), (int) strtab.cfgRegister());
        mmio.write64(Regs.CMDQ_BASE.offset(), cmdq.baseRegister());
        cmdq.resetIndexes();
        int enables = (int) Cr0.CMDQEN.mask();
        writeSync(Regs.CR0, enables, Regs.CR0ACK);
        // Invalidate any cached configuration, then any TLB entries.
        Commands.cfgiAll(one);
        cmdq.issue(one, 1, true);
        Commands.tlbiNsnhAll(one);
        cmdq.issue(one, 1, true);
        mmio.write64(Regs.EVENTQ_BASE.offset(), evtq.baseRegister());
        mmio.write32(Regs.EVENTQ_PROD.offset(), 0);
        mmio.write32(Regs.EVENTQ_CONS.offset(), 0);
        enables |= (int) Cr0.EVENTQEN.mask();
        writeSync(Regs.CR0, enables, Regs.CR0ACK);
        // arm_smmu_setup_irqs: disable, request, enable.
        writeSync(Regs.IRQ_CTRL, 0, Regs.IRQ_CTRLACK);
        model.connectIrq(irq);
        writeSync(Regs.IRQ_CTRL, (int) (IrqCtrl.GERROR_IRQEN.mask() | IrqCtrl.EVENTQ_IRQEN.mask()), Regs.IRQ_CTRLACK);
        enables |= (int) Cr0.SMMUEN.mask();
        writeSync(Regs.CR0, enables, Regs.CR0ACK);
    }

    /** Linux {@code arm_smmu_device_disable}. */
    private void disable() {
        writeSync(Regs.CR0, 0, Regs.CR0ACK);
    }

    void shutdown() {
        disable();
        writeSync(Regs.IRQ_CTRL, 0, Regs.IRQ_CTRLACK);
        model.connectIrq(null);
        if (parent != null) {
            parent.table.free();
        }
        strtab.free();
        cmdq.buffer().free();
        evtq.buffer().free();
    }

    /** Linux {@code arm_smmu_write_reg_sync}: write, then poll the acknowledgement register. */
    private void writeSync(Register reg, int value, Register ack) {
        mmio.write32(reg.offset(), value);
        for (int i = 0; i < CommandQueue.POLL_LIMIT; i++) {
            if (mmio.read32(ack.offset()) == value) {
                return;
            }
            Thread.onSpinWait();
        }
        log.add("timeout waiting for " + ack + " to acknowledge " + reg);
        throw new IllegalStateException("SMMU did not acknowledge " + reg + " = 0x" + Integer.toHexString(value));
    }

    /** Linux {@code arm_smmu_update_gbpa}. */
    private void updateGbpa(long set, long clr) {
        long gbpa = mmio.read32(Regs.GBPA.offset()) & 0xffff_ffffL;
        gbpa = (gbpa & ~clr) | set;
        mmio.write32(Regs.GBPA.offset(), (int) (gbpa | Gbpa.UPDATE.mask()));
    }

    /**
     * Linux {@code arm_smmu_gerror_handler}: logs each active error, skips an erroneous command
     * ({@code arm_smmu_cmdq_skip_err}), and acknowledges by writing GERRORN = GERROR.
     */
    void gerror() {
        int gerror = mmio.read32(Regs.GERROR.offset());
        int gerrorn = mmio.read32(Regs.GERRORN.offset());
        int active = (gerror ^ gerrorn) & (int) Gerror.ERR_MASK;
        if (active == 0) {
            return;
        }
        log.add(String.format("unexpected global error reported (0x%08x), this could be serious", active));
        if (Gerror.MSI_CMDQ_ABT_ERR.isSet(active)) {
            log.add("CMDQ MSI write aborted");
        }
        if (Gerror.MSI_EVENTQ_ABT_ERR.isSet(active)) {
            log.add("EVTQ MSI write aborted");
        }
        if (Gerror.MSI_GERROR_ABT_ERR.isSet(active)) {
            log.add("GERROR MSI write aborted");
        }
        if (Gerror.EVENTQ_ABT_ERR.isSet(active)) {
            log.add("EVTQ write aborted -- events may have been lost");
        }
        int ack = gerror;
        if (Gerror.CMDQ_ERR.isSet(active) && !skipCommandError()) {
            // Keep CMDQ_ERR active: the queue stays halted rather than refetching forever.
            ack ^= (int) Gerror.CMDQ_ERR.mask();
        }
        mmio.write32(Regs.GERRORN.offset(), ack);
    }

    /**
     * Linux {@code __arm_smmu_cmdq_skip_err}: reads CONS.ERR; an illegal command is logged and
     * overwritten with a CMD_SYNC so the queue can go on; an aborted fetch is retried, once
     * here (Linux retries forever) before the queue is left halted. Returns whether to
     * acknowledge CMDQ_ERR.
     */
    private boolean skipCommandError() {
        int cons = mmio.read32(Regs.CMDQ_CONS.offset());
        int err = Queue.CONS_ERR.getInt(cons & 0xffff_ffffL);
        String[] names = {"No error", "Illegal command", "Abort on command fetch", "ATC invalidate timeout"};
        log.add(String.format("CMDQ error (cons 0x%08x): %s", cons, err < names.length ? names[err] : "Unknown"));
        switch (err) {
            case Queue.CERROR_ABT:
                int pos = cmdq.ring().position(cons);
                if (pos == abortCons) {
                    log.add("command fetch keeps aborting; leaving the command queue halted");
                    return false;
                }
                abortCons = pos;
                log.add("retrying command fetch");
                return true;
            case Queue.CERROR_NONE:
            case Queue.CERROR_ATC_INV_SYNC:
                return true;
            default:
                long[] bad = cmdq.failingCommand(cons);
                log.add(String.format("skipping command in error state:\n\t0x%016x\n\t0x%016x", bad[0], bad[1]));
                cmdq.replaceWithSync(cons);
                abortCons = -1;
                return true;
        }
    }
}
