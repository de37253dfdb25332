package org.iommulab.smmu.v3.internal.model.ste;

import org.iommulab.smmu.v3.internal.model.tlb.TlbEntries;

/**
 * Everything the SMMU knows about one StreamID after decoding its STE and, for stage 1, its
 * CD: one immutable value, cached per stream until a CFGI command drops it, that the walk and
 * the IOTLB consume on every transaction (DESIGN: decoding apart from walking).
 *
 * <p>Kinds: {@link Kind#ABORT} (STE.Config 0b0xx: abort, no event), {@link Kind#BYPASS}
 * (Config 0b100), {@link Kind#DISABLED} (substreams enabled and STE.S1DSS = terminate:
 * non-substream traffic records F_STREAM_DISABLED), {@link Kind#TRANSLATE} with a stage 1, a
 * stage 2, or both.
 */
public final class StreamConfig {
    /** What the stream does with a transaction. */
    public enum Kind {
        ABORT,
        BYPASS,
        DISABLED,
        TRANSLATE
    }

    private final Kind kind;
    private final int streamId;
    private final Stage1Config s1;
    private final Stage2Config s2;
    private final int vmid;
    private final int tlbKind;
    private final int tlbAsid;
    private final String summary;

    StreamConfig(Kind kind, int streamId, Stage1Config s1, Stage2Config s2, int vmid, String summary) {
        this.kind = kind;
        this.streamId = streamId;
        this.s1 = s1;
        this.s2 = s2;
        this.vmid = vmid;
        this.summary = summary;
        if (kind != Kind.TRANSLATE) {
            tlbKind = 0;
        } else if (s1 != null && s2 != null) {
            tlbKind = TlbEntries.KIND_NESTED;
        } else if (s1 != null) {
            tlbKind = TlbEntries.KIND_S1;
        } else {
            tlbKind = TlbEntries.KIND_S2;
        }
        tlbAsid = s1 != null ? s1.asid() : -1;
    }

    public Kind kind() {
        return kind;
    }

    public int streamId() {
        return streamId;
    }

    /** Stage 1, or null when it bypasses. */
    public Stage1Config stage1() {
        return s1;
    }

    /** Stage 2, or null when it bypasses. */
    public Stage2Config stage2() {
        return s2;
    }

    /** STE.S2VMID when stage 2 is implemented (even with stage 2 bypassed), else -1. */
    public int vmid() {
        return vmid;
    }

    /** {@link TlbEntries#KIND_S1}, {@code KIND_S2} or {@code KIND_NESTED}; 0 unless translating. */
    public int tlbKind() {
        return tlbKind;
    }

    /** The ASID this stream's IOTLB entries carry: stage 1's, or -1 without stage 1. */
    public int tlbAsid() {
        return tlbAsid;
    }

    @Override
    public String toString() {
        return "sid " + streamId + " " + kind + " " + summary;
    }
}
