package org.iommulab.app.internal.scenario;

/** Bad scenario input, with where it is: "scenario FILE:LINE: what is wrong". */
public final class ScenarioException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int line;

    /** @param line 1-based line number, or 0 when the problem is the file as a whole */
    public ScenarioException(String source, int line, String message) {
        super("scenario " + source + (line > 0 ? ":" + line : "") + ": " + message);
        this.line = line;
    }

    /** The 1-based line number, or 0. */
    public int line() {
        return line;
    }
}
