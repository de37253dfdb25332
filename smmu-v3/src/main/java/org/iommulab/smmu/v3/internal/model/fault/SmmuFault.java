package org.iommulab.smmu.v3.internal.model.fault;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.smmu.v3.internal.format.EventFormat;

/**
 * A fault the model raised while handling one transaction, before it is recorded: which event
 * (if the architecture defines one), whether it may be recorded (CR2.RECINVSID, CD.R, STE.S2R),
 * the platform's kind and origin, the stage, class, level and second address (IPA or fetch
 * address) of the event record, and a line of detail. Thrown by the decoders and the walk
 * through the model's slow path and caught by the translator, which records the event, reports
 * the fault and aborts the access. Carries no stack trace: faults are frequent and say where
 * they come from. Immutable.
 */
public final class SmmuFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** No event: the architecture aborts silently (STE.Config abort, GBPA.ABORT). */
    public static final int NO_EVENT = -1;

    private final int eventId;
    private final boolean recordable;
    private final FaultKind kind;
    private final FaultOrigin origin;
    private final int level;
    private final boolean stage2;
    private final int clazz;
    private final long addr2;

    private SmmuFault(int eventId, boolean recordable, FaultKind kind, FaultOrigin origin, int level, boolean stage2,
            int clazz, long addr2, String detail) {
        super(detail, null, false, false);
        this.eventId = eventId;
        this.recordable = recordable;
        this.kind = kind;
        this.origin = origin;
        this.level = level;
        this.stage2 = stage2;
        this.clazz = clazz;
        this.addr2 = addr2;
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
        return eventId;
    }

    /** False when the event is suppressed by configuration (RECINVSID, CD.R, STE.S2R). */
    public boolean recordable() {
        return recordable;
    }

    public FaultKind kind() {
        return kind;
    }

    public FaultOrigin origin() {
        return origin;
    }

    public int level() {
        return level;
    }

    public boolean stage2() {
        return stage2;
    }

    public int clazz() {
        return clazz;
    }

    /** IPA of a stage-2 fault, or the fetch address of an abort; 0 otherwise. */
    public long addr2() {
        return addr2;
    }

    public String detail() {
        return getMessage();
    }

    @Override
    public String toString() {
        return (eventId == NO_EVENT ? "abort" : EventFormat.name(eventId)) + " (" + origin + "): " + getMessage();
    }
}
