package org.iommulab.smmu.v3.internal.model;

/** The SMMU's wired interrupt outputs (QEMU's {@code SMMUIrq}): event queue, PRI queue, CMD_SYNC, global error. */
public enum IrqLine {
    EVTQ,
    PRIQ,
    CMD_SYNC,
    GERROR
}
