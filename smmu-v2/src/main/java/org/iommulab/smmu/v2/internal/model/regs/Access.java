package org.iommulab.smmu.v2.internal.model.regs;

/** How software may access a register (IHI0062 register descriptions, "Attributes"). */
public enum Access {
    /** Read/write. */
    RW,
    /** Read-only: a write is a driver bug and is refused. */
    RO,
    /** Write-only (invalidation, sync, translation operations): reads are refused. */
    WO,
    /** Read, write-one-to-clear (fault status registers). */
    W1C
}
