package org.iommulab.replay.internal.engine;

import org.iommulab.replay.internal.parse.TraceEvent;

/**
 * What became of one traced call on one backend, for {@code --calls}: its trace line and DMA
 * address, the address the replay got, whether address and segment layout equal the trace's,
 * and the reason when they do not or the call was not replayed. Filled by {@link DeviceReport}
 * while the call is replayed; written as one JSON object per line.
 */
final class CallRecord {
    final TraceEvent event;
    final String traceDevice;
    final String backend;
    /** No address: the field is printed as null. */
    static final long NONE = Long.MIN_VALUE;

    String what;
    long traceDma = NONE;
    long replayedDma = NONE;
    Boolean addressEqual;
    Boolean layoutEqual;
    String outcome = "replayed";
    String reason;

    CallRecord(TraceEvent event, String traceDevice, String backend) {
        this.event = event;
        this.traceDevice = traceDevice;
        this.backend = backend;
        this.what = event.kind().traceName();
        switch (event.kind().format()) {
            case MAP_SG:
            case SYNC_SG:
                traceDma = event.dmaAddrs().isEmpty() ? NONE : event.dmaAddrs().get(0);
                break;
            case MAP:
            case UNMAP:
            case ALLOC:
            case ALLOC_SGT:
            case FREE:
            case FREE_SGT:
            case SYNC_SINGLE:
                traceDma = event.dmaAddr();
                break;
            case IOMMU_MAP:
                traceDma = event.iova();
                break;
            default:
                traceDma = NONE;
        }
    }

    /** The first reason given wins: it is the one that decided the call's fate. */
    void outcome(String o, String why) {
        if ("replayed".equals(outcome)) {
            outcome = o;
            reason = why;
        } else if (reason == null) {
            reason = why;
        }
    }

    /** A reason for a difference, kept unless one is there. */
    void because(String why) {
        if (reason == null) {
            reason = why;
        }
    }

    /** One JSON object on one line. */
    String json() {
        StringBuilder b = new StringBuilder(200).append('{');
        field(b, "backend", backend);
        b.append(",\"line\":").append(event.line());
        field(b.append(','), "event", what);
        field(b.append(','), "device", traceDevice);
        b.append(",\"cpu\":").append(event.cpu());
        b.append(",\"trace_dma\":").append(addr(traceDma));
        b.append(",\"replayed_dma\":").append(addr(replayedDma));
        b.append(",\"address_equal\":").append(addressEqual);
        b.append(",\"layout_equal\":").append(layoutEqual);
        field(b.append(','), "outcome", outcome);
        b.append(",\"reason\":");
        if (reason == null) {
            b.append("null");
        } else {
            string(b, reason);
        }
        return b.append('}').toString();
    }

    private static String addr(long a) {
        return a == NONE ? "null" : "\"0x" + Long.toHexString(a) + "\"";
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append('"').append(name).append("\":");
        if (value == null) {
            b.append("null");
        } else {
            string(b, value);
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        b.append('"');
    }
}
