package org.iommulab.replay.internal.parse;

/** A line the parser could not use, with its 1-based line number and why. */
public record Problem(long line, Kind kind, String message) {
    /** What went wrong. */
    public enum Kind {
        /** The line is not what its format says. */
        MALFORMED,
        /** The line is longer than the parser's limit and was skipped. */
        TOO_LONG,
        /** The input ended inside this line, or the compressed stream ended early. */
        TRUNCATED
    }

    @Override
    public String toString() {
        return "line " + line + ": " + kind.name().toLowerCase().replace('_', ' ') + ": " + message;
    }
}
