package org.iommulab.replay.internal.input;

/** Told how far a long trace has been read. Called on the reading thread; must be quick. */
@FunctionalInterface
public interface ProgressListener {
    /** A listener that ignores progress. */
    ProgressListener NONE = (lines, bytes, total) -> { };

    /**
     * @param lines lines read so far
     * @param bytesRead raw (compressed) bytes read so far
     * @param totalBytes raw size of the input, or -1 when unknown
     */
    void progress(long lines, long bytesRead, long totalBytes);
}
