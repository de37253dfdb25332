package org.iommulab.smmu.v3.internal.model;

import org.iommulab.modelkit.queue.QueueGeometry;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.modelkit.regs.RegisterBlock;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Gbpa;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.RegFields.Strtab;
import org.iommulab.smmu.v3.internal.format.Regs;

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
    private final SmmuV3Model model;
    private final RegisterState regs;
    private final IdRegisters ids;
    private final SmmuV3Features features;
    private final CommandProcessor commands;
    private final EventWriter events;
    private final Interrupts irqs;
    private final int cr0Implemented;
    /** The two registers of every command list: the doorbell and the consumer index. */
    private static final int CMDQ_PROD = Regs.CMDQ_PROD.offset();
    private static final int CMDQ_CONS = Regs.CMDQ_CONS.offset();

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
        long cr0 = Regs.CR0.implemented() & ~Cr0.PRIQEN.mask() & ~Cr0.VMW.mask() & ~Cr0.DPT_WALK_EN.mask();
        if (!features.ats()) {
            cr0 &= ~Cr0.ATSCHK.mask();
        }
        this.cr0Implemented = (int) cr0;
    }

    // ---- reads -------------------------------------------------------------------------------

    public int read32(int offset) {
        synchronized (model.lock) {
            if (offset == CMDQ_CONS) {
                // The driver's poll of the consumer index (Linux queue_sync_cons_in): decoded
                // here before the register lookup, with the same value the lookup gives.
                return regs.cmdqCons;
            }
            RegisterBlock.Slot s = Regs.FRAME.lookup(offset);
            if (s == null) {
                throw unknown(offset, 4);
            }
            long v = value(s.register());
            return (int) (s.high() ? v >>> 32 : v);
        }
    }

    public long read64(int offset) {
        synchronized (model.lock) {
            Register r = reg64(offset);
            return value(r);
        }
    }

    private long value(Register r) {
        if (r == Regs.IDR0) {
            return ids.idr0 & 0xffff_ffffL;
        } else if (r == Regs.IDR1) {
            return ids.idr1 & 0xffff_ffffL;
        } else if (r == Regs.IDR2) {
            return ids.idr2;
        } else if (r == Regs.IDR3) {
            return ids.idr3 & 0xffff_ffffL;
        } else if (r == Regs.IDR4) {
            return ids.idr4;
        } else if (r == Regs.IDR5) {
            return ids.idr5 & 0xffff_ffffL;
        } else if (r == Regs.IIDR) {
            return ids.iidr;
        } else if (r == Regs.AIDR) {
            return ids.aidr;
        } else if (r == Regs.CR0) {
            return regs.cr0 & 0xffff_ffffL;
        } else if (r == Regs.CR0ACK) {
            return regs.cr0ack & 0xffff_ffffL;
        } else if (r == Regs.CR1) {
            return regs.cr1;
        } else if (r == Regs.CR2) {
            return regs.cr2;
        } else if (r == Regs.STATUSR) {
            return 0;
        } else if (r == Regs.GBPA) {
            return regs.gbpa & 0xffff_ffffL;
        } else if (r == Regs.IRQ_CTRL) {
            return regs.irqCtrl;
        } else if (r == Regs.IRQ_CTRLACK) {
            return regs.irqCtrlAck;
        } else if (r == Regs.GERROR) {
            return regs.gerror;
        } else if (r == Regs.GERRORN) {
            return regs.gerrorn;
        } else if (r == Regs.GERROR_IRQ_CFG0) {
            return regs.gerrorIrqCfg0;
        } else if (r == Regs.GERROR_IRQ_CFG1) {
            return regs.gerrorIrqCfg1 & 0xffff_ffffL;
        } else if (r == Regs.GERROR_IRQ_CFG2) {
            return regs.gerrorIrqCfg2;
        } else if (r == Regs.STRTAB_BASE) {
            return regs.strtabBase;
        } else if (r == Regs.STRTAB_BASE_CFG) {
            return regs.strtabBaseCfg;
        } else if (r == Regs.CMDQ_BASE) {
            return regs.cmdqBase;
        } else if (r == Regs.CMDQ_PROD) {
            return regs.cmdqProd & 0xffff_ffffL;
        } else if (r == Regs.CMDQ_CONS) {
            return regs.cmdqCons & 0xffff_ffffL;
        } else if (r == Regs.EVENTQ_BASE) {
            return regs.evtqBase;
        } else if (r == Regs.EVENTQ_IRQ_CFG0) {
            return regs.evtqIrqCfg0;
        } else if (r == Regs.EVENTQ_IRQ_CFG1) {
            return regs.evtqIrqCfg1 & 0xffff_ffffL;
        } else if (r == Regs.EVENTQ_IRQ_CFG2) {
            return regs.evtqIrqCfg2;
        } else if (r == Regs.EVENTQ_PROD) {
            return regs.evtqProd & 0xffff_ffffL;
        } else if (r == Regs.EVENTQ_CONS) {
            return regs.evtqCons & 0xffff_ffffL;
        }
        throw new IllegalStateException("register " + r + " has no read handler");
    }

    // ---- writes ------------------------------------------------------------------------------

    public void write32(int offset, int value) {
        synchronized (model.lock) {
            try {
                if (offset == CMDQ_PROD) {
                    // The doorbell (Linux arm_smmu_cmdq_issue_cmdlist: writel_relaxed(prod,
                    // cmdq->q.prod_reg)), once per command list: decoded before the register
                    // lookup. CMDQ_PROD is a writable 32-bit register, so this is what the
                    // general path below does with it.
                    writeCmdqProd(value);
                    return;
                }
                RegisterBlock.Slot s = Regs.FRAME.lookup(offset);
                if (s == null) {
                    throw unknown(offset, 4);
                }
                Register r = s.register();
                long v = value & 0xffff_ffffL;
                writable(r);
                if (s.high()) {
                    write(r, (value(r) & 0xffff_ffffL) | (v << 32));
                } else {
                    write(r, r.width() == 64 ? (value(r) & ~0xffff_ffffL) | v : v);
                }
            } finally {
                irqs.deliver();
            }
        }
    }

    public void write64(int offset, long value) {
        synchronized (model.lock) {
            try {
                Register r = reg64(offset);
                writable(r);
                write(r, value);
            } finally {
                irqs.deliver();
            }
        }
    }

    private void write(Register r, long v) {
        if (r == Regs.CR0) {
            // CR0ACK follows at once; the queues and the SMMU enable take effect immediately.
            regs.cr0 = (int) v & cr0Implemented;
            regs.cr0ack = regs.cr0;
            commands.consume();
        } else if (r == Regs.CR1) {
            regs.cr1 = (int) (v & Regs.CR1.implemented());
        } else if (r == Regs.CR2) {
            guard(regs.disabledStable(Cr0.SMMUEN), "CR2", "CR0.SMMUEN");
            regs.cr2 = (int) (v & Regs.CR2.implemented());
        } else if (r == Regs.GBPA) {
            if (!Gbpa.UPDATE.isSet(v)) {
                throw new IllegalArgumentException("GBPA write without UPDATE = 1 is ignored by SMMUv3.2 and later"
                        + " (IHI0070 6.3 SMMU_GBPA): set UPDATE with the new value");
            }
            regs.gbpa = (int) (v & Regs.GBPA.implemented());
        } else if (r == Regs.IRQ_CTRL) {
            regs.irqCtrl = (int) (v & Regs.IRQ_CTRL.implemented());
            regs.irqCtrlAck = regs.irqCtrl;
        } else if (r == Regs.GERRORN) {
            regs.gerrorn = (int) (v & Regs.GERRORN.implemented());
            // Acknowledging CMDQ_ERR lets the command queue run again (QEMU does the same).
            commands.consume();
        } else if (r == Regs.GERROR_IRQ_CFG0) {
            regs.gerrorIrqCfg0 = v & Regs.GERROR_IRQ_CFG0.implemented();
        } else if (r == Regs.GERROR_IRQ_CFG1) {
            regs.gerrorIrqCfg1 = (int) v;
        } else if (r == Regs.GERROR_IRQ_CFG2) {
            regs.gerrorIrqCfg2 = (int) (v & Regs.GERROR_IRQ_CFG2.implemented());
        } else if (r == Regs.EVENTQ_IRQ_CFG0) {
            regs.evtqIrqCfg0 = v & Regs.EVENTQ_IRQ_CFG0.implemented();
        } else if (r == Regs.EVENTQ_IRQ_CFG1) {
            regs.evtqIrqCfg1 = (int) v;
        } else if (r == Regs.EVENTQ_IRQ_CFG2) {
            regs.evtqIrqCfg2 = (int) (v & Regs.EVENTQ_IRQ_CFG2.implemented());
        } else if (r == Regs.STRTAB_BASE) {
            guard(regs.disabledStable(Cr0.SMMUEN), "STRTAB_BASE", "CR0.SMMUEN");
            regs.strtabBase = v & Regs.STRTAB_BASE.implemented();
        } else if (r == Regs.STRTAB_BASE_CFG) {
            guard(regs.disabledStable(Cr0.SMMUEN), "STRTAB_BASE_CFG", "CR0.SMMUEN");
            checkStrtabCfg(v);
            regs.strtabBaseCfg = (int) (v & Regs.STRTAB_BASE_CFG.implemented());
        } else if (r == Regs.CMDQ_BASE) {
            guard(regs.disabledStable(Cr0.CMDQEN), "CMDQ_BASE", "CR0.CMDQEN");
            regs.cmdqBase = v & Regs.CMDQ_BASE.implemented();
        } else if (r == Regs.CMDQ_PROD) {
            writeCmdqProd((int) v);
        } else if (r == Regs.CMDQ_CONS) {
            guard(regs.disabledStable(Cr0.CMDQEN), "CMDQ_CONS", "CR0.CMDQEN");
            regs.cmdqCons = (int) v & ((int) Queue.CONS_ERR.mask() | commands.ring().position(-1));
        } else if (r == Regs.EVENTQ_BASE) {
            guard(regs.disabledStable(Cr0.EVENTQEN), "EVENTQ_BASE", "CR0.EVENTQEN");
            regs.evtqBase = v & Regs.EVENTQ_BASE.implemented();
        } else if (r == Regs.EVENTQ_PROD) {
            guard(regs.disabledStable(Cr0.EVENTQEN), "EVENTQ_PROD", "CR0.EVENTQEN");
            regs.evtqProd = (int) v & ((int) Queue.PROD_OVFLG.mask() | events.ring().position(-1));
        } else if (r == Regs.EVENTQ_CONS) {
            writeEvtqCons((int) v);
        } else {
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

    private Register reg64(int offset) {
        if ((offset & 7) != 0) {
            throw new IllegalArgumentException(String.format("64-bit access at 0x%x is not 8-byte aligned", offset));
        }
        RegisterBlock.Slot s = Regs.FRAME.lookup(offset);
        if (s == null || s.high()) {
            throw unknown(offset, 8);
        }
        Register r = s.register();
        if (r.width() != 64) {
            throw new IllegalArgumentException(String.format(
                    "64-bit access at 0x%x to 32-bit %s (IHI0070 6.2: CONSTRAINED UNPREDICTABLE, aborted here)", offset, r));
        }
        return r;
    }

    private static void writable(Register r) {
        if (!r.access().writable()) {
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
                    offset, offset + Regs.PAGE1));
        }
        return new IllegalArgumentException(String.format("no SMMUv3 register at offset 0x%x for a %d-bit access", offset,
                size * 8));
    }
}
