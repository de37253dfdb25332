package org.iommulab.smmu.v3.internal.model.fault;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.modelkit.fault.ModelFault;
import org.iommulab.smmu.v3.internal.format.EventFormat;

/**
 * A fault the model raised while handling one transaction, before it is recorded: the kit's
 * {@link ModelFault} (kind, origin, the event ID as its code, whether CR2.RECINVSID, CD.R or
 * STE.S2R let it be recorded, level, the second address: IPA or fetch address) plus what else
 * an SMMUv3 event record holds, the stage and the CLASS. Thrown by the decoders and the walk
 * through the model's slow path and caught by the translator, which records the event, reports
 * the fault and aborts the access. Immutable.
 */
public final class SmmuFault extends ModelFault {
    private static final long serialVersionUID = 1L;

    /** No event: the architecture aborts silently (STE.Config abort, GBPA.ABORT). */
    public static final int NO_EVENT = NO_CODE;

    private final boolean stage2;
    private final int clazz;

    private SmmuFault(int eventId, boolean recordable, FaultKind kind, FaultOrigin origin, int level, boolean stage2,
            int clazz, long addr2, String detail) {
        super(kind, origin, eventId, recordable, level, addr2, detail);
        this.stage2 = stage2;
        this.clazz = clazz;
    }

    /** A configuration event (C_BAD_STREAMID, C_BAD_STE, C_BAD_CD, F_STREAM_DISABLED). */
    public static SmmuFault config(int eventId, boolean recordable, FaultKind kind, FaultOrigin origin, String detail) {
        return new SmmuFault(eventId, recordable, kind, origin, -1, false, 0, 0, detail);
    }

    /** An STE or CD fetch that aborted (F_STE_FETCH, F_CD_FETCH): a pointer that is not memory. */
    public static SmmuFault fetch(int eventId, long fetchAddr, String detail) {
        return new SmmuFault(eventId, true, FaultKind.FETCH_ABORT, FaultOrigin.MISPROGRAMMED, -1, false, 0, fetchAddr,
                detail);
    }

    /** An abort without an event record. */
    public static SmmuFault silent(FaultKind kind, FaultOrigin origin, String detail) {
        return new SmmuFault(NO_EVENT, false, kind, origin, -1, false, 0, 0, detail);
    }

    /** A translation-related fault of a table walk, at stage 1 or 2, of class CD, TT or IN. */
    public static SmmuFault walk(int eventId, boolean recordable, FaultKind kind, FaultOrigin origin, int level,
            boolean stage2, int clazz, long addr2, String detail) {
        return new SmmuFault(eventId, recordable, kind, origin, level, stage2, clazz, addr2, detail);
    }

    /** The event number, or {@link #NO_EVENT}. */
    public int eventId() {
        return code();
    }

    public boolean stage2() {
        return stage2;
    }

    public int clazz() {
        return clazz;
    }

    @Override
    public String toString() {
        return (eventId() == NO_EVENT ? "abort" : EventFormat.name(eventId())) + " (" + origin() + "): " + getMessage();
    }
}
