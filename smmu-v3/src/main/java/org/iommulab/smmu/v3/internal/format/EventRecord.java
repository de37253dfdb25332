package org.iommulab.smmu.v3.internal.format;

import static org.iommulab.smmu.v3.internal.format.EventFormat.*;

/**
 * One event record's fields, as IHI0070 §7.3 defines them: what the model encodes into the
 * event queue and what the driver decodes out of it. {@link #encode} writes only the fields
 * the event number defines (the rest are RES0); {@link #decode} reads them back. Immutable.
 */
public final class EventRecord {
    private final int id;
    private final int streamId;
    private final boolean ssv;
    private final int substreamId;
    private final boolean read;
    private final boolean instruction;
    private final boolean privileged;
    private final boolean stage2;
    private final int clazz;
    private final long inputAddr;
    private final long addr2;

    private EventRecord(int id, int streamId, boolean ssv, int substreamId, boolean read, boolean instruction,
            boolean privileged, boolean stage2, int clazz, long inputAddr, long addr2) {
        this.id = id;
        this.streamId = streamId;
        this.ssv = ssv;
        this.substreamId = substreamId;
        this.read = read;
        this.instruction = instruction;
        this.privileged = privileged;
        this.stage2 = stage2;
        this.clazz = clazz;
        this.inputAddr = inputAddr;
        this.addr2 = addr2;
    }

    /** A configuration event (C_BAD_STREAMID, C_BAD_STE, C_BAD_CD, F_STREAM_DISABLED): no address. */
    public static EventRecord config(int id, int streamId) {
        return new EventRecord(id, streamId, false, 0, false, false, false, false, 0, 0, 0);
    }

    /** F_STE_FETCH or F_CD_FETCH: the physical address whose fetch aborted. */
    public static EventRecord fetch(int id, int streamId, long fetchAddr) {
        return new EventRecord(id, streamId, false, 0, false, false, false, false, 0, 0, fetchAddr);
    }

    /**
     * A translation-related fault (F_TRANSLATION, F_ADDR_SIZE, F_ACCESS, F_PERMISSION,
     * F_WALK_EABT): {@code addr2} is the IPA for the first four (stage-2 faults; UNKNOWN, 0
     * here, for stage 1) and the descriptor fetch address for F_WALK_EABT.
     */
    public static EventRecord translation(int id, int streamId, boolean read, boolean stage2, int clazz, long inputAddr,
            long addr2) {
        return new EventRecord(id, streamId, false, 0, read, false, false, stage2, clazz, inputAddr, addr2);
    }

    /** F_UUT: an unsupported transaction. */
    public static EventRecord unsupported(int streamId, boolean read, long inputAddr) {
        return new EventRecord(F_UUT, streamId, false, 0, read, false, false, false, 0, inputAddr, 0);
    }

    /** Writes the record's four doublewords into {@code out[0..3]}. */
    public void encode(long[] out) {
        long d0 = D0_ID.of(id) | D0_SID.of(streamId & 0xffff_ffffL);
        long d1 = 0;
        long d2 = 0;
        long d3 = 0;
        if (id != F_STREAM_DISABLED) {
            d0 = D0_SSV.set(d0, ssv);
            d0 = D0_SSID.set(d0, (long) substreamId);
        }
        if (isTranslationFault(id) || id == F_UUT) {
            d1 = D1_RNW.set(d1, read);
            d1 = D1_IND.set(d1, instruction);
            d1 = D1_PNU.set(d1, privileged);
            d2 = inputAddr;
        }
        if (isTranslationFault(id)) {
            d1 = D1_S2.set(d1, stage2);
            d1 = D1_CLASS.set(d1, (long) clazz);
            d3 = id == F_WALK_EABT ? D3_FETCH_ADDR.bits(addr2) : D3_IPA.bits(addr2);
        } else if (hasFetchAddr(id)) {
            d3 = D3_FETCH_ADDR.bits(addr2);
        }
        out[0] = d0;
        out[1] = d1;
        out[2] = d2;
        out[3] = d3;
    }

    /** The record held in {@code in[0..3]}. */
    public static EventRecord decode(long[] in) {
        int id = D0_ID.getInt(in[0]);
        long addr2 = id == F_WALK_EABT || hasFetchAddr(id) ? D3_FETCH_ADDR.bits(in[3]) : D3_IPA.bits(in[3]);
        return new EventRecord(id, (int) D0_SID.get(in[0]), D0_SSV.isSet(in[0]), D0_SSID.getInt(in[0]),
                D1_RNW.isSet(in[1]), D1_IND.isSet(in[1]), D1_PNU.isSet(in[1]), D1_S2.isSet(in[1]),
                D1_CLASS.getInt(in[1]), in[2], addr2);
    }

    /**
     * The fields this event number defines, in record order, as (name, value) pairs: the
     * syndrome of a {@link org.iommulab.api.platform.DmaFault}.
     */
    public void fields(java.util.function.ObjLongConsumer<String> out) {
        out.accept("EVT.ID", id);
        if (id != F_STREAM_DISABLED) {
            out.accept("SSV", ssv ? 1 : 0);
            out.accept("SubstreamID", substreamId);
        }
        out.accept("StreamID", streamId & 0xffff_ffffL);
        if (isTranslationFault(id) || id == F_UUT) {
            out.accept("PnU", privileged ? 1 : 0);
            out.accept("InD", instruction ? 1 : 0);
            out.accept("RnW", read ? 1 : 0);
        }
        if (isTranslationFault(id)) {
            out.accept("S2", stage2 ? 1 : 0);
            out.accept("CLASS", clazz);
        }
        if (isTranslationFault(id) || id == F_UUT) {
            out.accept("InputAddr", inputAddr);
        }
        if (hasFetchAddr(id)) {
            out.accept("FetchAddr", addr2);
        } else if (isTranslationFault(id)) {
            out.accept("IPA", addr2);
        }
    }

    public int id() {
        return id;
    }

    public int streamId() {
        return streamId;
    }

    public boolean ssv() {
        return ssv;
    }

    public int substreamId() {
        return substreamId;
    }

    /** RnW: true for a read. */
    public boolean read() {
        return read;
    }

    public boolean instruction() {
        return instruction;
    }

    public boolean privileged() {
        return privileged;
    }

    public boolean stage2() {
        return stage2;
    }

    /** CLASS: {@link EventFormat#CLASS_CD}, {@code CLASS_TT} or {@code CLASS_IN}. */
    public int clazz() {
        return clazz;
    }

    public long inputAddr() {
        return inputAddr;
    }

    /** IPA (stage-2 faults) or FetchAddr (fetch aborts), as recorded; 0 where undefined. */
    public long addr2() {
        return addr2;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EventRecord)) {
            return false;
        }
        long[] a = new long[4];
        long[] b = new long[4];
        encode(a);
        ((EventRecord) o).encode(b);
        return java.util.Arrays.equals(a, b);
    }

    @Override
    public int hashCode() {
        long[] a = new long[4];
        encode(a);
        return java.util.Arrays.hashCode(a);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(name(id)).append(" sid ").append(streamId);
        if (isTranslationFault(id) || id == F_UUT) {
            b.append(read ? " read" : " write").append(String.format(" input 0x%x", inputAddr));
        }
        if (isTranslationFault(id)) {
            b.append(stage2 ? " S2" : " S1").append(" class ").append(clazz == CLASS_CD ? "CD" : clazz == CLASS_TT ? "TT" : "IN");
        }
        if (addr2 != 0) {
            b.append(String.format(hasFetchAddr(id) ? " fetch 0x%x" : " ipa 0x%x", addr2));
        }
        return b.toString();
    }
}
