package org.iommulab.smmu.v3.internal.model;

import org.iommulab.smmu.v3.internal.format.RegFields.Gerror;
import org.iommulab.smmu.v3.internal.format.RegFields.IrqCfg;

/**
 * Interrupt generation: the global error protocol (GERROR toggles an error only when it is not
 * already active, QEMU's {@code smmuv3_trigger_irq}) and the delivery of the lines, either as an
 * MSI (the line's IRQ_CFG0.ADDR is non-zero: IRQ_CFG1.DATA is written there) or on the wired
 * line to the {@link IrqListener}. Delivery is deferred to {@link #deliver()}, which the model
 * calls when the operation that raised the lines is complete, so a handler never runs in the
 * middle of command processing. Called under the model's lock.
 */
final class Interrupts {
    private final RegisterState regs;
    private final SmmuMemory memory;
    private volatile IrqListener listener;
    private int pending;
    private boolean delivering;
    private long sevCount;
    private final long[] pulses = new long[IrqLine.values().length];

    Interrupts(RegisterState regs, SmmuMemory memory) {
        this.regs = regs;
        this.memory = memory;
    }

    void connect(IrqListener l) {
        listener = l;
    }

    /** Raises {@code line} if its enable allows: EVTQ and GERROR have IRQ_CTRL enables, CMD_SYNC has none. */
    void raise(IrqLine line) {
        boolean enabled;
        switch (line) {
            case EVTQ:
                enabled = regs.evtqIrqEnabled();
                break;
            case GERROR:
                enabled = regs.gerrorIrqEnabled();
                break;
            case CMD_SYNC:
                enabled = true;
                break;
            default:
                enabled = false;
        }
        if (enabled) {
            pending |= 1 << line.ordinal();
        }
    }

    /** Activates the global errors in {@code mask} that are not active yet, and raises GERROR for them. */
    void globalError(long mask) {
        int active = regs.gerrorsActive();
        int fresh = (int) mask & ~active & (int) Gerror.ERR_MASK;
        if (fresh == 0) {
            return;
        }
        regs.gerror ^= fresh;
        raise(IrqLine.GERROR);
    }

    /** A CMD_SYNC with CS = SEV: the event a waiting PE would wake on. */
    void sendEvent() {
        sevCount++;
    }

    long sevCount() {
        return sevCount;
    }

    long pulses(IrqLine line) {
        return pulses[line.ordinal()];
    }

    void clear() {
        pending = 0;
    }

    /** Delivers the pending lines; lines a handler raises while it runs are delivered in turn. */
    void deliver() {
        if (pending == 0 || delivering) {
            return;
        }
        delivering = true;
        try {
            while (pending != 0) {
                int bit = Integer.numberOfTrailingZeros(pending);
                pending &= ~(1 << bit);
                IrqLine line = IrqLine.values()[bit];
                pulses[bit]++;
                long msiAddr = msiAddress(line);
                if (msiAddr != 0) {
                    if (!memory.writeInt(msiAddr, msiData(line))) {
                        globalError(line == IrqLine.EVTQ ? Gerror.MSI_EVENTQ_ABT_ERR.mask() : Gerror.MSI_GERROR_ABT_ERR.mask());
                    }
                    continue;
                }
                IrqListener l = listener;
                if (l != null) {
                    l.interrupt(line);
                }
            }
        } finally {
            delivering = false;
        }
    }

    private long msiAddress(IrqLine line) {
        switch (line) {
            case EVTQ:
                return IrqCfg.ADDR.bits(regs.evtqIrqCfg0);
            case GERROR:
                return IrqCfg.ADDR.bits(regs.gerrorIrqCfg0);
            default:
                return 0;
        }
    }

    private int msiData(IrqLine line) {
        return line == IrqLine.EVTQ ? regs.evtqIrqCfg1 : regs.gerrorIrqCfg1;
    }
}
