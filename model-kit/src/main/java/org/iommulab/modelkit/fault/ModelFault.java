package org.iommulab.modelkit.fault;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A fault a hardware model raises on its slow path (a decoder, a table walk) before it is
 * recorded: the platform's {@link FaultKind} and {@link FaultOrigin}, and the architecture's
 * own syndrome in its terms: its code (an SMMUv3 event ID, a VT-d fault reason, a RISC-V cause;
 * {@link #NO_CODE} when the architecture aborts without a record), whether the configuration
 * lets it be recorded (SMMUv3 CD.R and CR2.RECINVSID, VT-d FPD), the table level, and a second
 * address (a fetch address, an IPA). The model's translator catches it, writes the record the
 * architecture writes, and reports the {@link org.iommulab.api.platform.DmaFault} with the
 * record's fields as its syndrome. A model extends it with what else its records hold (the
 * SMMUv3 model adds the stage and CLASS).
 *
 * <p>Carries no stack trace (faults are frequent and say where they come from). Immutable, and
 * so thread-safe; subclasses must keep it so.
 */
@ConsumerType
public class ModelFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** No architectural record: the access is aborted silently. */
    public static final int NO_CODE = -1;

    private final FaultKind kind;
    private final FaultOrigin origin;
    private final int code;
    private final boolean recordable;
    private final int level;
    private final long addr2;

    /**
     * @param code the architecture's record code, or {@link #NO_CODE}
     * @param recordable false when the configuration suppresses the record
     * @param level the table level, or -1
     * @param addr2 the second address of the record, or 0
     * @param detail one line in the architecture's terms
     */
    public ModelFault(FaultKind kind, FaultOrigin origin, int code, boolean recordable, int level, long addr2,
            String detail) {
        super(detail, null, false, false);
        if (kind == null || origin == null) {
            throw new IllegalArgumentException("a fault needs a kind and an origin");
        }
        this.kind = kind;
        this.origin = origin;
        this.code = code;
        this.recordable = recordable && code != NO_CODE;
        this.level = level;
        this.addr2 = addr2;
    }

    public final FaultKind kind() {
        return kind;
    }

    public final FaultOrigin origin() {
        return origin;
    }

    /** The architecture's record code, or {@link #NO_CODE}. */
    public final int code() {
        return code;
    }

    /** True when a record is to be written: there is one, and the configuration allows it. */
    public final boolean recordable() {
        return recordable;
    }

    /** Table level the fault arose at, or -1. */
    public final int level() {
        return level;
    }

    /** The record's second address (fetch address, IPA), or 0. */
    public final long addr2() {
        return addr2;
    }

    /** One line in the architecture's terms. */
    public final String detail() {
        return getMessage();
    }
}
