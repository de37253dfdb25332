package org.iommulab.iopgtable.lpae;

/** Which translation stage a table serves: Linux's {@code ARM_64_LPAE_S1} and {@code ARM_64_LPAE_S2}. */
public enum LpaeStage {
    /** Stage 1: VA to IPA/PA; AP[2:1] permissions, MAIR attribute index, APTable hierarchy. */
    STAGE1,
    /** Stage 2: IPA to PA; S2AP (HAP) permissions, MemAttr, concatenated start-level tables. */
    STAGE2
}
