package org.iommulab.smmu.v2.internal.model;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.modelkit.regs.Field;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;

/**
 * Why this model faulted a transaction, encoded in the IMPLEMENTATION DEFINED syndrome
 * registers (CB_FSYNR1 for context faults, sGFSYNR2 for global ones; IHI0062 leaves both to
 * the implementation): reason code in bits [7:0], {@link FaultOrigin} in bits [9:8]. The
 * driver decodes them like any other register field, so it can tell a fault its own tables
 * caused apart from a correct denial without sharing state with the model. Each reason names
 * the architectural status bit it sets.
 */
public enum FaultReason {
    // ---- context faults (FSR) ------------------------------------------------------------------
    UNMAPPED(1, FaultKind.TRANSLATION, FaultOrigin.ACCESS, Cb.FSR_TF, "no valid descriptor"),
    INPUT_RANGE(2, FaultKind.TRANSLATION, FaultOrigin.ACCESS, Cb.FSR_TF, "input address beyond the TxSZ range"),
    WALK_DISABLED(3, FaultKind.TRANSLATION, FaultOrigin.MISPROGRAMMED, Cb.FSR_TF, "TTBR0 walks disabled (TCR.EPD0)"),
    ACCESS_FLAG(4, FaultKind.ACCESS_FLAG, FaultOrigin.MISPROGRAMMED, Cb.FSR_AFF,
            "access flag clear and SCTLR.AFFD not set"),
    PERMISSION(5, FaultKind.PERMISSION, FaultOrigin.ACCESS, Cb.FSR_PF, "the mapping does not allow this access"),
    ADDRESS_SIZE(6, FaultKind.ADDRESS_SIZE, FaultOrigin.MISPROGRAMMED, Cb.FSR_ASF,
            "table or output address beyond the output size"),
    WALK_ABORT(7, FaultKind.FETCH_ABORT, FaultOrigin.MISPROGRAMMED, Cb.FSR_EF, "descriptor fetch outside RAM"),
    TLB_CONFLICT(8, FaultKind.TLB_CONFLICT, FaultOrigin.MISPROGRAMMED, Cb.FSR_TLBMCF,
            "more than one TLB entry matches (break-before-make not followed)"),
    STAGE2_FAULT_CONTEXT(9, FaultKind.STREAM_DISABLED, FaultOrigin.ACCESS, Cb.FSR_TF,
            "CBAR.TYPE is stage 1 with stage-2 fault"),
    BAD_GRANULE(10, FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, Cb.FSR_TF,
            "TCR.TG0 is reserved or a granule ID2 does not report"),
    BAD_TXSZ(11, FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, Cb.FSR_TF,
            "TCR.T0SZ gives an input size the context cannot translate"),
    BAD_START_LEVEL(12, FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, Cb.FSR_TF,
            "VTCR.SL0 cannot resolve the input size (reserved, or too many concatenated tables)"),
    BAD_TTB(13, FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, Cb.FSR_TF,
            "TTBR0 is not aligned to its start-level table"),
    BAD_NESTED_STAGE2(14, FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, Cb.FSR_TF,
            "CBAR.CBNDX of a nested context does not name a stage-2 context bank"),

    // ---- global faults (sGFSR) -------------------------------------------------------------------
    UNIDENTIFIED_STREAM(32, FaultKind.UNIDENTIFIED_STREAM, FaultOrigin.ACCESS, Gr0.SGFSR_USF,
            "no SMR matches the stream and sCR0.USFCFG faults unmatched streams"),
    STREAM_MATCH_CONFLICT(33, FaultKind.STREAM_MATCH_CONFLICT, FaultOrigin.MISPROGRAMMED, Gr0.SGFSR_SMCF,
            "more than one valid SMR matches the stream"),
    /** Reading of IHI0062: a stream whose S2CR is of type fault is an invalid context (ICF). */
    STREAM_FAULT(34, FaultKind.STREAM_DISABLED, FaultOrigin.ACCESS, Gr0.SGFSR_ICF, "S2CR.TYPE is fault"),
    UNIMPLEMENTED_BANK(35, FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, Gr0.SGFSR_UCBF,
            "S2CR.CBNDX names a context bank beyond ID1.NUMCB"),
    INVALID_CONTEXT(36, FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, Gr0.SGFSR_ICF,
            "S2CR.TYPE is reserved, or CBAR.TYPE needs a stage ID0 does not report"),

    // ---- not modelled: never in a register; reported through the model's diagnostic line --------
    NOT_MODELLED(63, FaultKind.BAD_CONFIG, FaultOrigin.NOT_MODELLED, null, "configuration not modelled");

    /** IMPLEMENTATION DEFINED syndrome: reason code. */
    public static final Field REASON = Field.range("REASON", 7, 0);
    /** IMPLEMENTATION DEFINED syndrome: origin (0 access, 1 misprogrammed, 2 not modelled). */
    public static final Field ORIGIN = Field.range("ORIGIN", 9, 8);

    private final int code;
    private final FaultKind kind;
    private final FaultOrigin origin;
    private final Field statusBit;
    private final String text;

    FaultReason(int code, FaultKind kind, FaultOrigin origin, Field statusBit, String text) {
        this.code = code;
        this.kind = kind;
        this.origin = origin;
        this.statusBit = statusBit;
        this.text = text;
    }

    public int code() {
        return code;
    }

    public FaultKind kind() {
        return kind;
    }

    public FaultOrigin origin() {
        return origin;
    }

    /** The FSR or sGFSR bit this reason sets. */
    public Field statusBit() {
        return statusBit;
    }

    public String text() {
        return text;
    }

    /** True for a reason recorded in sGFSR rather than a context bank's FSR. */
    public boolean global() {
        return code >= 32 && code < 63;
    }

    /** The IMPLEMENTATION DEFINED syndrome word (FSYNR1 / sGFSYNR2) for this reason. */
    public int syndrome() {
        return (int) (REASON.of(code) | ORIGIN.of(origin.ordinal()));
    }

    /** The reason a syndrome word names, or null for an unknown code (a register restored by software). */
    public static FaultReason ofSyndrome(long syndrome) {
        int c = (int) REASON.get(syndrome);
        for (FaultReason r : values()) {
            if (r.code == c) {
                return r;
            }
        }
        return null;
    }
}
