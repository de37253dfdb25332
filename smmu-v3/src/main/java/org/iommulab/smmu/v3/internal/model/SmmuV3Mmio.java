package org.iommulab.smmu.v3.internal.model;

import org.iommulab.modelkit.queue.QueueGeometry;
import org.iommulab.smmu.v3.internal.format.Reg;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr1;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr2;
import org.iommulab.smmu.v3.internal.format.RegFields.Gbpa;
import org.iommulab.smmu.v3.internal.format.RegFields.Gerror;
import org.iommulab.smmu.v3.internal.format.RegFields.IrqCfg;
import org.iommulab.smmu.v3.internal.format.RegFields.IrqCtrl;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.RegFields.Strtab;

/**
 * The SMMU's memory-mapped register interface (IHI0070 §6), the only way software changes the
 * model's state: aligned 32-bit accesses to any register or half of a 64-bit one, aligned
 * 64-bit accesses to 64-bit registers (§6.2). Side effects as the spec and QEMU's
 * {@code smmu_writel} have them: CR0ACK follows CR0 at once, and writes to CR0, CMDQ_PROD or
 * GERRORN run the command queue synchronously.
 *
 * <p>Where §6.2 leaves an access CONSTRAINED UNPREDICTABLE, this model takes the "terminated
 * with an abort" choice and throws, changing nothing, so that a driver's mistake is seen:
 * an unaligned or wrongly sized access, an offset with no register, a write to a read-only
 * register, a write to a register its guard protects (STRTAB_BASE* and CR2 while SMMUEN, a
 * queue base while its queue is enabled, a PROD/CONS index the other side has not left), a GBPA
 * write without UPDATE, or a reserved STRTAB_BASE_CFG encoding ({@link IllegalArgumentException}
 * for the form of the access, {@link IllegalStateException} for the state that forbids it).
 * Interrupts raised by a write are delivered when it completes.
 */
public final class SmmuV3Mmio {
    private static final long IMPLEMENTED_CR0_MAX = ~Cr0.RESERVED & 0xffff_ffffL;

    private final SmmuV3Model model;
    private final RegisterState regs;
    private final IdRegisters ids;
    private final SmmuV3Features features;
    private final CommandProcessor commands;
    private final EventWriter events;
    private final Interrupts irqs;
    private final int cr0Implemented;

    SmmuV3Mmio(SmmuV3Model model, RegisterState regs, IdRegisters ids, SmmuV3Features features,
            CommandProcessor commands, EventWriter events, Interrupts irqs) {
        this.model = model;
        this.regs = regs;
        this.ids = ids;
        this.features = features;
        this.commands = commands;
        this.events = events;
        this.irqs = irqs;
        // Architected bits minus those RES0 here: PRIQEN (no PRI), VMW, DPT_WALK_EN, ATSCHK without ATS.
        long cr0 = IMPLEMENTED_CR0_MAX & ~Cr0.PRIQEN.mask() & ~Cr0.VMW.mask() & ~Cr0.DPT_WALK_EN.mask();
        if (!features.ats()) {
            cr0 &= ~Cr0.ATSCHK.mask();
        }
        this.cr0Implemented = (int) cr0;
    }

    // ---- reads -------------------------------------------------------------------------------

    public int read32(int offset) {
        synchronized (model.lock) {
            Reg r = Reg.at(offset);
            if (r != null) {
                long v = value(r);
                return (int) v;
            }
            Reg hi = Reg.upperHalfAt(offset);
            if (hi != null) {
                return (int) (value(hi) >>> 32);
            }
            throw unknown(offset, 4);
        }
    }

    public long read64(int offset) {
        synchronized (model.lock) {
            Reg r = reg64(offset);
            return value(r);
        }
    }

    private long value(Reg r) {
        switch (r) {
            case IDR0: return ids.idr0 & 0xffff_ffffL;
            case IDR1: return ids.idr1 & 0xffff_ffffL;
            case IDR2: return ids.idr2;
            case IDR3: return ids.idr3 & 0xffff_ffffL;
            case IDR4: return ids.idr4;
            case IDR5: return ids.idr5 & 0xffff_ffffL;
            case IIDR: return ids.iidr;
            case AIDR: return ids.aidr;
            case CR0: return regs.cr0 & 0xffff_ffffL;
            case CR0ACK: return regs.cr0ack & 0xffff_ffffL;
            case CR1: return regs.cr1;
            case CR2: return regs.cr2;
            case STATUSR: return 0;
            case GBPA: return regs.gbpa & 0xffff_ffffL;
            case IRQ_CTRL: return regs.irqCtrl;
            case IRQ_CTRLACK: return regs.irqCtrlAck;
            case GERROR: return regs.gerror;
            case GERRORN: return regs.gerrorn;
            case GERROR_IRQ_CFG0: return regs.gerrorIrqCfg0;
            case GERROR_IRQ_CFG1: return regs.gerrorIrqCfg1 & 0xffff_ffffL;
            case GERROR_IRQ_CFG2: return regs.gerrorIrqCfg2;
            case STRTAB_BASE: return regs.strtabBase;
            case STRTAB_BASE_CFG: return regs.strtabBaseCfg;
            case CMDQ_BASE: return regs.cmdqBase;
            case CMDQ_PROD: return regs.cmdqProd & 0xffff_ffffL;
            case CMDQ_CONS: return regs.cmdqCons & 0xffff_ffffL;
            case EVENTQ_BASE: return regs.evtqBase;
            case EVENTQ_IRQ_CFG0: return regs.evtqIrqCfg0;
            case EVENTQ_IRQ_CFG1: return regs.evtqIrqCfg1 & 0xffff_ffffL;
            case EVENTQ_IRQ_CFG2: return regs.evtqIrqCfg2;
            case EVENTQ_PROD: return regs.evtqProd & 0xffff_ffffL;
            case EVENTQ_CONS: return regs.evtqCons & 0xffff_ffffL;
            default: throw new IllegalStateException("register " + r + " has no read handler");
        }
    }

    // ---- writes ------------------------------------------------------------------------------

    public void write32(int offset, int value) {
        synchronized (model.lock) {
            try {
                Reg r = Reg.at(offset);
                long v = value & 0xffff_ffffL;
                if (r != null) {
                    writable(r);
                    write(r, r.width() == 64 ? (value(r) & ~0xffff_ffffL) | v : v);
                    return;
                }
                Reg hi = Reg.upperHalfAt(offset);
                if (hi == null) {
                    throw unknown(offset, 4);
                }
                writable(hi);
                write(hi, (value(hi) & 0xffff_ffffL) | (v << 32));
            } finally {
                irqs.deliver();
            }
        }
    }

    public void write64(int offset, long value) {
        synchronized (model.lock) {
            try {
                Reg r = reg64(offset);
                writable(r);
                write(r, value);
            } finally {
                irqs.deliver();
            }
        }
    }

    private void write(Reg r, long v) {
        switch (r) {
            case CR0:
                // CR0ACK follows at once; the queues and the SMMU enable take effect immediately.
                regs.cr0 = (int) v & cr0Implemented;
                regs.cr0ack = regs.cr0;
                commands.consume();
                return;
            case CR1:
                regs.cr1 = (int) (v & Cr1.IMPLEMENTED);
                return;
            case CR2:
                guard(regs.disabledStable(Cr0.SMMUEN), "CR2", "CR0.SMMUEN");
                regs.cr2 = (int) (v & (Cr2.RECINVSID.mask() | Cr2.PTM.mask()));
                return;
            case GBPA:
                if (!Gbpa.UPDATE.isSet(v)) {
                    throw new IllegalArgumentException("GBPA write without UPDATE = 1 is ignored by SMMUv3.2 and later"
                            + " (IHI0070 6.3 SMMU_GBPA): set UPDATE with the new value");
                }
                regs.gbpa = (int) (v & Gbpa.IMPLEMENTED);
                return;
            case IRQ_CTRL:
                regs.irqCtrl = (int) (v & (IrqCtrl.GERROR_IRQEN.mask() | IrqCtrl.EVENTQ_IRQEN.mask()));
                regs.irqCtrlAck = regs.irqCtrl;
                return;
            case GERRORN:
                regs.gerrorn = (int) (v & Gerror.ERR_MASK);
                // Acknowledging CMDQ_ERR lets the command queue run again (QEMU does the same).
                commands.consume();
                return;
            case GERROR_IRQ_CFG0:
                regs.gerrorIrqCfg0 = IrqCfg.ADDR.bits(v);
                return;
            case GERROR_IRQ_CFG1:
                regs.gerrorIrqCfg1 = (int) v;
                return;
            case GERROR_IRQ_CFG2:
                regs.gerrorIrqCfg2 = (int) (v & (IrqCfg.MEMATTR.mask() | IrqCfg.SH.mask()));
                return;
            case EVENTQ_IRQ_CFG0:
                regs.evtqIrqCfg0 = IrqCfg.ADDR.bits(v);
                return;
            case EVENTQ_IRQ_CFG1:
                regs.evtqIrqCfg1 = (int) v;
                return;
            case EVENTQ_IRQ_CFG2:
                regs.evtqIrqCfg2 = (int) (v & (IrqCfg.MEMATTR.mask() | IrqCfg.SH.mask()));
                return;
            case STRTAB_BASE:
                guard(regs.disabledStable(Cr0.SMMUEN), "STRTAB_BASE", "CR0.SMMUEN");
                regs.strtabBase = v & Strtab.BASE_IMPLEMENTED;
                return;
            case STRTAB_BASE_CFG:
                guard(regs.disabledStable(Cr0.SMMUEN), "STRTAB_BASE_CFG", "CR0.SMMUEN");
                checkStrtabCfg(v);
                regs.strtabBaseCfg = (int) (v & Strtab.CFG_IMPLEMENTED);
                return;
            case CMDQ_BASE:
                guard(regs.disabledStable(Cr0.CMDQEN), "CMDQ_BASE", "CR0.CMDQEN");
                regs.cmdqBase = v & Queue.BASE_IMPLEMENTED;
                return;
            case CMDQ_PROD:
                writeCmdqProd((int) v);
                return;
            case CMDQ_CONS:
                guard(regs.disabledStable(Cr0.CMDQEN), "CMDQ_CONS", "CR0.CMDQEN");
                regs.cmdqCons = (int) v & ((int) Queue.CONS_ERR.mask() | commands.ring().position(-1));
                return;
            case EVENTQ_BASE:
                guard(regs.disabledStable(Cr0.EVENTQEN), "EVENTQ_BASE", "CR0.EVENTQEN");
                regs.evtqBase = v & Queue.BASE_IMPLEMENTED;
                return;
            case EVENTQ_PROD:
                guard(regs.disabledStable(Cr0.EVENTQEN), "EVENTQ_PROD", "CR0.EVENTQEN");
                regs.evtqProd = (int) v & ((int) Queue.PROD_OVFLG.mask() | events.ring().position(-1));
                return;
            case EVENTQ_CONS:
                writeEvtqCons((int) v);
                return;
            default:
                throw new IllegalStateException("register " + r + " has no write handler");
        }
    }

    /** CMDQ_PROD: the producer may not claim more entries than the queue holds. */
    private void writeCmdqProd(int v) {
        QueueGeometry ring = commands.ring();
        int prod = ring.position(v);
        if (ring.used(prod, regs.cmdqCons) > ring.entries()) {
            throw new IllegalArgumentException(String.format(
                    "CMDQ_PROD 0x%x would put %d commands in a %d-entry queue (CONS 0x%x)", v,
                    ring.used(prod, regs.cmdqCons), ring.entries(), regs.cmdqCons));
        }
        regs.cmdqProd = prod;
        commands.consume();
    }

    /** EVENTQ_CONS: the consumer may move forward up to PROD, and sets OVACKFLG. */
    private void writeEvtqCons(int v) {
        QueueGeometry ring = events.ring();
        int cons = ring.position(v);
        if (ring.used(regs.evtqProd, cons) > ring.used(regs.evtqProd, regs.evtqCons)) {
            throw new IllegalArgumentException(String.format(
                    "EVENTQ_CONS 0x%x is not between the current CONS 0x%x and PROD 0x%x", v, regs.evtqCons, regs.evtqProd));
        }
        regs.evtqCons = cons | (v & (int) Queue.CONS_OVACKFLG.mask());
    }

    private void checkStrtabCfg(long v) {
        int fmt = Strtab.FMT.getInt(v);
        if (fmt > Strtab.FMT_2LVL) {
            throw new IllegalArgumentException("STRTAB_BASE_CFG.FMT " + fmt + " is reserved (0 linear, 1 2-level)");
        }
        int split = Strtab.SPLIT.getInt(v);
        if (fmt == Strtab.FMT_2LVL && split != 6 && split != 8 && split != 10) {
            throw new IllegalArgumentException("STRTAB_BASE_CFG.SPLIT " + split + " is reserved (6, 8 or 10)");
        }
    }

    private Reg reg64(int offset) {
        if ((offset & 7) != 0) {
            throw new IllegalArgumentException(String.format("64-bit access at 0x%x is not 8-byte aligned", offset));
        }
        Reg r = Reg.at(offset);
        if (r == null) {
            throw unknown(offset, 8);
        }
        if (r.width() != 64) {
            throw new IllegalArgumentException(String.format(
                    "64-bit access at 0x%x to 32-bit %s (IHI0070 6.2: CONSTRAINED UNPREDICTABLE, aborted here)", offset, r));
        }
        return r;
    }

    private static void writable(Reg r) {
        if (!r.writable()) {
            throw new IllegalArgumentException(r + " is read-only (" + r.spec() + ")");
        }
    }

    private static void guard(boolean ok, String reg, String guard) {
        if (!ok) {
            throw new IllegalStateException(reg + " is guarded by " + guard + ": write it only while " + guard
                    + " is 0 in both CR0 and CR0ACK (IHI0070 6.2)");
        }
    }

    private static IllegalArgumentException unknown(int offset, int size) {
        if ((offset & (size - 1)) != 0) {
            return new IllegalArgumentException(String.format("%d-bit access at 0x%x is not aligned", size * 8, offset));
        }
        if (offset == 0xa8 || offset == 0xac) {
            return new IllegalArgumentException(String.format(
                    "0x%x: EVENTQ_PROD/CONS live on page 1 (0x%x); this SMMU does not alias them on page 0",
                    offset, offset + Reg.PAGE1));
        }
        return new IllegalArgumentException(String.format("no SMMUv3 register at offset 0x%x for a %d-bit access", offset,
                size * 8));
    }
}
