package org.iommulab.smmu.v2.internal.model;

/** The TLB maintenance operations the registers request (IHI0062 "TLB maintenance operations"). */
enum TlbOp {
    /** CB TLBIVA: VA and ASID, all levels (leaf entries and walk cache). */
    VA,
    /** CB TLBIVAL: VA and ASID, last level only (the walk cache survives). */
    VAL,
    /** CB TLBIVAA: VA, any ASID, all levels. */
    VAA,
    /** CB TLBIVAAL: VA, any ASID, last level only. */
    VAAL,
    /** CB TLBIASID. */
    ASID,
    /** CB TLBIALL: everything of the bank's VMID. */
    ALL,
    /** CB TLBIIPAS2: stage-2 entries for an IPA, all levels. */
    IPAS2,
    /** CB TLBIIPAS2L: stage-2 entries for an IPA, last level only. */
    IPAS2L,
    /** GR0 TLBIVMID. */
    VMID,
    /** GR0 TLBIALLNSNH. */
    ALLNSNH
}
