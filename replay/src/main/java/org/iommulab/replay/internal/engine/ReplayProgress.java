package org.iommulab.replay.internal.engine;

/** Told how far the replay has read, per backend pass. Called on the replaying thread. */
@FunctionalInterface
public interface ReplayProgress {
    ReplayProgress NONE = (backend, lines, bytes, total) -> { };

    /**
     * @param backend the backend being replayed
     * @param lines trace lines read in this pass
     * @param bytesRead raw (compressed) bytes read in this pass
     * @param totalBytes raw size of the trace, or -1 when unknown
     */
    void progress(String backend, long lines, long bytesRead, long totalBytes);
}
