package org.iommulab.smmu.v2.internal.model;

import org.iommulab.api.platform.DmaFault;

/**
 * What the SMMU's interrupt outputs are wired to: the driver connects its handlers here, as
 * Linux's {@code request_irq} does for the global and per-context fault interrupts. The model
 * raises a line synchronously, on the thread whose transaction faulted and before that
 * transaction is aborted, so each fault is handled before the next transaction is translated.
 * The handlers learn everything else from the registers.
 */
public interface SmmuIrqLines {
    /** A global fault was recorded in sGFSR and sCR0.GFIE is set. */
    void globalFault();

    /** A context fault was recorded in bank {@code bank} and its SCTLR.CFIE is set (one interrupt per bank). */
    void contextFault(int bank);

    /**
     * The transaction met a configuration this model does not implement: no register can say
     * so, so the model tells the driver directly, which reports it as a not-modelled fault.
     */
    void notModelled(DmaFault fault);

    /** Lines connected to nothing. */
    SmmuIrqLines NONE = new SmmuIrqLines() {
        @Override
        public void globalFault() {
        }

        @Override
        public void contextFault(int bank) {
        }

        @Override
        public void notModelled(DmaFault fault) {
        }
    };
}
