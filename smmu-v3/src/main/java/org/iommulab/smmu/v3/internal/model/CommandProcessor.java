package org.iommulab.smmu.v3.internal.model;

import static org.iommulab.smmu.v3.internal.format.CmdFormat.*;

import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.modelkit.queue.QueueGeometry;
import org.iommulab.modelkit.tlb.Iotlb;
import org.iommulab.smmu.v3.internal.format.RegFields.Gerror;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.SmmuQueues;
import org.iommulab.smmu.v3.internal.model.ste.ConfigCache;

/**
 * The consumer side of the command queue (IHI0070 §4, QEMU's {@code smmuv3_cmdq_consume}):
 * runs synchronously when software writes CMDQ_PROD, CR0 or GERRORN, as QEMU does. Commands
 * are consumed in order while CMDQEN == 1 and no CMDQ_ERR is active; CONS advances past each
 * completed command. A command that is ILLEGAL (reserved opcode, SSec = 1 on this Non-secure
 * queue, a stage or feature not implemented) stops CONS at it with CONS.ERR = CERROR_ILL, one
 * whose fetch aborts with CERROR_ABT; either activates GERROR.CMDQ_ERR, and nothing more is
 * consumed until software acknowledges it through GERRORN. Called under the model's lock.
 */
final class CommandProcessor {
    private final RegisterState regs;
    private final SmmuMemory memory;
    private final Interrupts irqs;
    private final SmmuV3Features features;
    private final ConfigCache configs;
    private final Iotlb iotlb;
    private final CommandEffects effects;
    private final long[] cmd = new long[2];
    private long consumed;

    CommandProcessor(RegisterState regs, SmmuMemory memory, Interrupts irqs, SmmuV3Features features,
            ConfigCache configs, Iotlb iotlb) {
        this.regs = regs;
        this.memory = memory;
        this.irqs = irqs;
        this.features = features;
        this.configs = configs;
        this.iotlb = iotlb;
        this.effects = new CommandEffects(features, configs, iotlb);
    }

    /**
     * CMDQ_BASE as {@link #consume} last decoded it, with what it gives: the ring, the queue's
     * address and whether the whole queue is reachable. The reach check of each fetch
     * (§3.4.3) is answered once for the whole queue when all of it is reachable, as it is
     * whenever the driver gave it RAM: every slot then is (RAM never changes under a model).
     * A queue that is not wholly RAM is checked slot by slot, aborting where a fetch would.
     * CMDQ_BASE changes only while the queue is disabled, so this is decoded again only after
     * a reprogramming (the first consume after a change of the register sees the new value).
     */
    private long decodedBase = -1;
    private QueueGeometry decodedRing;
    private long decodedQueue;
    private boolean decodedReachable;

    private void decode(long cmdqBase) {
        QueueGeometry ring = ringOf(cmdqBase);
        decodedRing = ring;
        decodedQueue = SmmuQueues.base(ring, cmdqBase);
        decodedReachable = memory.reachable(decodedQueue, ring.bytes());
        decodedBase = cmdqBase;
    }

    /**
     * The queue's effective size: LOG2SIZE capped at IDR1.CMDQS; from the decoded CMDQ_BASE
     * (decoded again when the register changed), since every doorbell asks for it.
     */
    QueueGeometry ring() {
        if (regs.cmdqBase != decodedBase) {
            decode(regs.cmdqBase);
        }
        return decodedRing;
    }

    private QueueGeometry ringOf(long cmdqBase) {
        return SmmuQueues.commands(Math.min(Queue.LOG2SIZE.getInt(cmdqBase), features.cmdqLog2()));
    }

    /** Commands completed since reset. */
    long consumed() {
        return consumed;
    }

    CommandEffects effects() {
        return effects;
    }

    void consume() {
        if (!regs.cmdqEnabled()) {
            return;
        }
        if (regs.cmdqBase != decodedBase) {
            decode(regs.cmdqBase);
        }
        QueueGeometry ring = decodedRing;
        long base = decodedQueue;
        boolean wholeQueueReachable = decodedReachable;
        PhysicalMemory ram = memory.memory();
        int error = Queue.CERROR_NONE;
        while (!ring.empty(regs.cmdqProd, regs.cmdqCons)) {
            if (regs.cmdqErrorActive()) {
                return;
            }
            long slot = ring.slotAddress(base, regs.cmdqCons);
            long d0;
            long d1;
            if (wholeQueueReachable) {
                d0 = ram.readLong(slot);
                d1 = ram.readLong(slot + 8);
            } else if (memory.readDwords(slot, cmd, 2)) {
                d0 = cmd[0];
                d1 = cmd[1];
            } else {
                error = Queue.CERROR_ABT;
                break;
            }
            error = execute(d0, d1);
            if (error != Queue.CERROR_NONE) {
                break;
            }
            regs.cmdqCons = ring.advance(regs.cmdqCons, 1);
            consumed++;
        }
        if (error != Queue.CERROR_NONE) {
            regs.cmdqCons = (int) Queue.CONS_ERR.set(regs.cmdqCons & 0xffff_ffffL, error);
            irqs.globalError(Gerror.CMDQ_ERR.mask());
        }
    }

    /** Runs one command; returns its CERROR code. */
    private int execute(long d0, long d1) {
        if (D0_SSEC.isSet(d0)) {
            return Queue.CERROR_ILL;
        }
        int op = D0_OP.getInt(d0);
        switch (op) {
            case PREFETCH_CONFIG:
            case PREFETCH_ADDR:
                return Queue.CERROR_NONE;
            case CFGI_STE:
                configs.invalidate(D0_SID.getInt(d0));
                return Queue.CERROR_NONE;
            case CFGI_STE_RANGE: {
                long mask = (1L << (D1_RANGE.getInt(d1) + 1)) - 1;
                long first = D0_SID.get(d0) & ~mask;
                configs.invalidateRange(first, first + mask);
                return Queue.CERROR_NONE;
            }
            case CFGI_CD:
            case CFGI_CD_ALL:
                // §4.3.3: ILLEGAL without stage 1. The CD is part of the stream's decoded config.
                if (!features.stage1()) {
                    return Queue.CERROR_ILL;
                }
                configs.invalidate(D0_SID.getInt(d0));
                return Queue.CERROR_NONE;
            case TLBI_NH_ALL:
            case TLBI_NH_ASID:
            case TLBI_NH_VA:
            case TLBI_NH_VAA:
                return features.stage1() ? effects.stage1(op, d0, d1) : Queue.CERROR_ILL;
            case TLBI_S12_VMALL:
            case TLBI_S2_IPA:
                return features.stage2() ? effects.stage2(op, d0, d1) : Queue.CERROR_ILL;
            case TLBI_NSNH_ALL:
                effects.recordInvalidation(iotlb.invalidateAll());
                return Queue.CERROR_NONE;
            case ATC_INV:
                // §4.5.1: ILLEGAL without IDR0.ATS; with it, IGNORED here since no endpoint has an ATC.
                return features.ats() ? Queue.CERROR_NONE : Queue.CERROR_ILL;
            case SYNC:
                return sync(d0, d1);
            case TLBI_EL2_ALL:
            case TLBI_EL2_ASID:
            case TLBI_EL2_VA:
            case TLBI_EL2_VAA:
                // IDR0.HYP == 0: there is no EL2 translation regime to invalidate.
            case TLBI_EL3_ALL:
            case TLBI_EL3_VA:
                // EL3 and the Secure variants (0x50-0x5A) belong to the Secure queue.
            case PRI_RESP:
                // IDR0.PRI == 0 (§4.5.2).
            case RESUME:
            case STALL_TERM:
                // IDR0.STALL_MODEL == 0b01: "CMD_RESUME and CMD_STALL_TERM are not available".
            case CFGI_VMS_PIDM:
                // No VMS (SMMUv3.2 MPAM) support.
            default:
                return Queue.CERROR_ILL;
        }
    }

    /**
     * The CMD_SYNC's MSI write, with the reach check of §3.4.3. Linux's MSIPOLL points it at the
     * CMD_SYNC's own slot: inside a queue found wholly reachable when CMDQ_BASE was decoded, it
     * is reachable too (RAM never changes under a model), so that check is not repeated; any
     * other address is checked as every access is.
     */
    private boolean writeMsi(long addr, int data) {
        long off = addr - decodedQueue;
        if (decodedReachable && off >= 0 && off <= decodedRing.bytes() - 4) {
            memory.memory().writeInt(addr, data);
            return true;
        }
        return memory.writeInt(addr, data);
    }

    /**
     * CMD_SYNC (§4.7.3): every earlier command has completed once CONS passes it, which is
     * already so here. CS = SIG_IRQ signals completion by an MSI (MSIData written to a non-zero
     * MSIAddress: Linux polls the command slot itself for it) or, with MSIAddress 0, on the
     * wired CMD_SYNC line; CS = SIG_SEV sends an event; CS = SIG_NONE does nothing. QEMU pulses
     * the wired line and never writes the MSI.
     */
    private int sync(long d0, long d1) {
        int cs = D0_CS.getInt(d0);
        if (cs == 3) {
            return Queue.CERROR_ILL;
        }
        if (cs == CS_IRQ) {
            long msiAddr = D1_MSIADDR.bits(d1);
            if (msiAddr == 0) {
                irqs.raise(IrqLine.CMD_SYNC);
            } else if (!writeMsi(msiAddr, (int) D0_MSIDATA.get(d0))) {
                irqs.globalError(Gerror.MSI_CMDQ_ABT_ERR.mask());
            }
        } else if (cs == CS_SEV) {
            irqs.sendEvent();
        }
        return Queue.CERROR_NONE;
    }
}
