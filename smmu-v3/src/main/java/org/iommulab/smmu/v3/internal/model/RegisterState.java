package org.iommulab.smmu.v3.internal.model;

import org.iommulab.modelkit.regs.Field;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr2;
import org.iommulab.smmu.v3.internal.format.RegFields.Gbpa;
import org.iommulab.smmu.v3.internal.format.RegFields.Gerror;
import org.iommulab.smmu.v3.internal.format.RegFields.IrqCtrl;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.RegFields.Strtab;
import org.iommulab.smmu.v3.internal.format.Regs;

/**
 * The writable register state of the model, with the reset values of IHI0070 §6.3: every
 * control register 0 (SMMU disabled, queues disabled, IRQs off, no global error), GBPA with
 * SHCFG = "use incoming" and ABORT = 0, queue bases at their maximum LOG2SIZE with PROD and
 * CONS 0 (QEMU's {@code smmuv3_reset}). QEMU once forgot part of this and its cached
 * configuration on reset ("Fix device reset", 2022), so after a system reset guests saw
 * C_BAD_STE; {@link SmmuV3Model#reset()} resets all of it and drops every cache. Fields are
 * accessed under the model's lock only.
 */
final class RegisterState {
    int cr0;
    int cr0ack;
    int cr1;
    int cr2;
    int gbpa;
    int irqCtrl;
    int irqCtrlAck;
    int gerror;
    int gerrorn;
    long gerrorIrqCfg0;
    int gerrorIrqCfg1;
    int gerrorIrqCfg2;
    long strtabBase;
    int strtabBaseCfg;
    long cmdqBase;
    int cmdqProd;
    int cmdqCons;
    long evtqBase;
    int evtqProd;
    int evtqCons;
    long evtqIrqCfg0;
    int evtqIrqCfg1;
    int evtqIrqCfg2;

    void reset(int cmdqLog2, int evtqLog2) {
        cr0 = 0;
        cr0ack = 0;
        cr1 = 0;
        cr2 = 0;
        gbpa = (int) Regs.GBPA.reset();
        irqCtrl = 0;
        irqCtrlAck = 0;
        gerror = 0;
        gerrorn = 0;
        gerrorIrqCfg0 = 0;
        gerrorIrqCfg1 = 0;
        gerrorIrqCfg2 = 0;
        strtabBase = 0;
        strtabBaseCfg = 0;
        cmdqBase = Queue.LOG2SIZE.of(cmdqLog2);
        cmdqProd = 0;
        cmdqCons = 0;
        evtqBase = Queue.LOG2SIZE.of(evtqLog2);
        evtqProd = 0;
        evtqCons = 0;
        evtqIrqCfg0 = 0;
        evtqIrqCfg1 = 0;
        evtqIrqCfg2 = 0;
    }

    boolean smmuEnabled() {
        return Cr0.SMMUEN.isSet(cr0);
    }

    /** Guarded registers may change only when the guard is 0 in both CR0 and CR0ACK. */
    boolean disabledStable(Field f) {
        return !f.isSet(cr0) && !f.isSet(cr0ack);
    }

    boolean cmdqEnabled() {
        return (cr0 & CMDQEN_MASK) != 0;
    }

    /** CR0.CMDQEN and GERROR.CMDQ_ERR as constants: every doorbell tests them (a field's mask is an instance field). */
    private static final long CMDQEN_MASK = Cr0.CMDQEN.mask();
    private static final long CMDQ_ERR_MASK = Gerror.CMDQ_ERR.mask();

    boolean evtqEnabled() {
        return Cr0.EVENTQEN.isSet(cr0);
    }

    boolean recordInvalidSid() {
        return Cr2.RECINVSID.isSet(cr2);
    }

    boolean gbpaAbort() {
        return Gbpa.ABORT.isSet(gbpa);
    }

    boolean evtqIrqEnabled() {
        return IrqCtrl.EVENTQ_IRQEN.isSet(irqCtrl);
    }

    boolean gerrorIrqEnabled() {
        return IrqCtrl.GERROR_IRQEN.isSet(irqCtrl);
    }

    /** Global errors active now: GERROR bits that differ from GERRORN. */
    int gerrorsActive() {
        return (gerror ^ gerrorn) & (int) Gerror.ERR_MASK;
    }

    boolean cmdqErrorActive() {
        return (gerrorsActive() & CMDQ_ERR_MASK) != 0;
    }

    int strtabFormat() {
        return Strtab.FMT.getInt(strtabBaseCfg);
    }

    int strtabLog2Size() {
        return Strtab.LOG2SIZE.getInt(strtabBaseCfg);
    }

    int strtabSplit() {
        return Strtab.SPLIT.getInt(strtabBaseCfg);
    }

    long strtabAddress() {
        return Strtab.ADDR.bits(strtabBase);
    }
}
