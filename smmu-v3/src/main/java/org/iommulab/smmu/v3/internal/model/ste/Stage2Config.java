package org.iommulab.smmu.v3.internal.model.ste;

import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;

/**
 * A stream's decoded stage-2 regime (STE.S2*, VTCR): the tables the walker walks, the VMID
 * that tags its TLB entries, and STE.S2R, which gates the recording of stage-2 faults.
 * Immutable.
 */
public final class Stage2Config {
    private final LpaeTranslationConfig tables;
    private final int vmid;
    private final boolean recordFaults;

    Stage2Config(LpaeTranslationConfig tables, int vmid, boolean recordFaults) {
        this.tables = tables;
        this.vmid = vmid;
        this.recordFaults = recordFaults;
    }

    public LpaeTranslationConfig tables() {
        return tables;
    }

    public int vmid() {
        return vmid;
    }

    /** STE.S2R: record F_TRANSLATION, F_ADDR_SIZE, F_ACCESS, F_PERMISSION at stage 2. */
    public boolean recordFaults() {
        return recordFaults;
    }

    @Override
    public String toString() {
        return "S2 vmid " + vmid + " " + tables + (recordFaults ? " R" : "");
    }
}
