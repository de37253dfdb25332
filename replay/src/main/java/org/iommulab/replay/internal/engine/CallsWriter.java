package org.iommulab.replay.internal.engine;

/** Where {@code --calls} writes its JSON lines, one per traced call per backend. */
@FunctionalInterface
public interface CallsWriter {
    /** Writes one line (a JSON object, without the newline). */
    void line(String json);
}
