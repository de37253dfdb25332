package org.iommulab.replay.internal.parse;

/** What one trace line turned out to be. Immutable. */
public final class LineResult {
    /** The kinds of line a trace holds. */
    public enum Type {
        /** A DMA or IOMMU event the replay understands: {@link #event()}. */
        EVENT,
        /** A header, comment, blank or informational line ({@code # ...}, {@code cpus=4}). */
        IGNORED,
        /** A well-formed event line of an event the replay does not know: {@link #name()}. */
        UNKNOWN_EVENT,
        /** The tracer dropped events here ({@code CPU:2 [LOST 17 EVENTS]}): {@link #lost()}. */
        LOST_EVENTS,
        /** A line that is not what its format says: {@link #message()}. */
        MALFORMED
    }

    private static final LineResult IGNORED_LINE = new LineResult(Type.IGNORED, null, null, 0);

    private final Type type;
    private final TraceEvent event;
    private final String text;
    private final long lost;

    private LineResult(Type type, TraceEvent event, String text, long lost) {
        this.type = type;
        this.event = event;
        this.text = text;
        this.lost = lost;
    }

    static LineResult event(TraceEvent e) {
        return new LineResult(Type.EVENT, e, null, 0);
    }

    static LineResult ignored() {
        return IGNORED_LINE;
    }

    static LineResult unknown(String name) {
        return new LineResult(Type.UNKNOWN_EVENT, null, name, 0);
    }

    static LineResult lost(long count) {
        return new LineResult(Type.LOST_EVENTS, null, null, count);
    }

    static LineResult malformed(String message) {
        return new LineResult(Type.MALFORMED, null, message, 0);
    }

    public Type type() {
        return type;
    }

    public TraceEvent event() {
        return event;
    }

    /** The unknown event's name. */
    public String name() {
        return type == Type.UNKNOWN_EVENT ? text : null;
    }

    /** Why the line is malformed. */
    public String message() {
        return type == Type.MALFORMED ? text : null;
    }

    /** How many events the tracer lost. */
    public long lost() {
        return lost;
    }

    @Override
    public String toString() {
        return type + (event != null ? " " + event : text != null ? " " + text : "");
    }
}
