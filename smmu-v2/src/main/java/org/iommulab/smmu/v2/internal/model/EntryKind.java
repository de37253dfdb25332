package org.iommulab.smmu.v2.internal.model;

/** What a cached translation translates: it decides which invalidations reach it. */
enum EntryKind {
    /** VA to PA through stage 1 (stage 2 bypassed): tagged by VMID and ASID. */
    STAGE1,
    /** IPA to PA through stage 2 alone: tagged by VMID; reached by TLBIIPAS2, not by VA operations. */
    STAGE2,
    /**
     * VA to PA through both stages, combined into one entry (the smaller block wins): reached
     * by VA, ASID, VMID and ALL operations but, as IHI0062 allows, not by TLBIIPAS2.
     */
    NESTED
}
