package com.example.vtd.internal.model;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.modelkit.fault.ModelFault;

import com.example.vtd.internal.format.FaultRecord;

/**
 * A DMA-remapping fault found by the context decoder or the walk, before it is recorded: the
 * kit's {@link ModelFault} with the VT-d fault reason as its code (spec §7.1.3) and the domain
 * ID when one is known. Recordable unless the context entry's FPD bit is set. Immutable.
 */
final class VtdFault extends ModelFault {
    private static final long serialVersionUID = 1L;

    private final int did;

    VtdFault(FaultKind kind, FaultOrigin origin, int reason, boolean recordable, int level, long fetchAddr, int did,
            String detail) {
        super(kind, origin, reason, recordable, level, fetchAddr, detail);
        this.did = did;
    }

    /** A fault found before the context entry (or in it, with P = 0): always recordable. */
    static VtdFault context(int reason, FaultKind kind, FaultOrigin origin, long fetchAddr, String detail) {
        return new VtdFault(kind, origin, reason, true, -1, fetchAddr, -1, detail);
    }

    /** A fault under a present context entry: recorded unless FPD. */
    static VtdFault translation(int reason, FaultKind kind, FaultOrigin origin, DecodedContext ctx, int level,
            long fetchAddr, String detail) {
        return new VtdFault(kind, origin, reason, !ctx.fpd(), level, fetchAddr, ctx.did(), detail);
    }

    /** The fault reason, FRCD.FR. */
    int reason() {
        return code();
    }

    /** The domain ID of the context the request used, or -1. */
    int did() {
        return did;
    }

    /** "fault reason 0x05 (PTE Write access is not set)". */
    String reasonText() {
        return String.format("fault reason 0x%02x (%s)", code(), FaultRecord.reason(code()));
    }
}
