package org.iommulab.iopgtable.lpae;

import org.iommulab.api.platform.FaultKind;

/**
 * The faults a VMSAv8-64 table walk raises (Arm ARM D8.4 "Translation aborts"; SMMUv3
 * F_TRANSLATION, F_ADDR_SIZE, F_ACCESS, F_PERMISSION, F_WALK_EABT). A walk reports the first
 * one it meets: fetch, descriptor and address checks level by level, then at the leaf the
 * access flag before the permissions, as QEMU's SMMU walker orders them.
 */
public enum LpaeFault {
    /** A descriptor fetch hit something that is not memory (SMMUv3 F_WALK_EABT). */
    WALK_EABT(FaultKind.FETCH_ABORT),
    /** Invalid descriptor, reserved type, or an input address beyond the input size. */
    TRANSLATION(FaultKind.TRANSLATION),
    /** A table base, next-level table or output address at or beyond 2^OutputSize. */
    ADDRESS_SIZE(FaultKind.ADDRESS_SIZE),
    /** AF = 0 with neither AFFD nor HA. */
    ACCESS_FLAG(FaultKind.ACCESS_FLAG),
    /** The leaf (and, at stage 1, its table hierarchy) does not allow the access. */
    PERMISSION(FaultKind.PERMISSION);

    private final FaultKind kind;

    LpaeFault(FaultKind kind) {
        this.kind = kind;
    }

    /** The platform's name for this fault. */
    public FaultKind kind() {
        return kind;
    }
}
