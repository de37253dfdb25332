package org.iommulab.app.internal.workload;

/** What one run of the loopback workload did and found. */
public final class WorkloadResult {
    long transfers;
    long bytes;
    long sgLists;
    long sgEntries;
    long sgSegments;
    long mapFailures;
    long faults;
    long dataErrors;
    String firstError;

    /** Device copies completed: one per single mapping, one per DMA segment of an sg list, one per coherent buffer. */
    public long transfers() {
        return transfers;
    }

    /** Bytes the device moved. */
    public long bytes() {
        return bytes;
    }

    /** sg lists mapped. */
    public long sgLists() {
        return sgLists;
    }

    /** DMA segments those sg lists came back as, summed. */
    public long sgSegments() {
        return sgSegments;
    }

    /** Average DMA segments per mapped sg list, or 0 when none was mapped. */
    public double segmentsPerSgList() {
        return sgLists == 0 ? 0 : (double) sgSegments / sgLists;
    }

    /** Average CPU entries per mapped sg list. */
    public double entriesPerSgList() {
        return sgLists == 0 ? 0 : (double) sgEntries / sgLists;
    }

    public long mapFailures() {
        return mapFailures;
    }

    /** Device accesses that faulted. */
    public long faults() {
        return faults;
    }

    /** Bytes that did not arrive as sent. */
    public long dataErrors() {
        return dataErrors;
    }

    /** The first thing that went wrong, or null. */
    public String firstError() {
        return firstError;
    }

    void error(String what) {
        if (firstError == null) {
            firstError = what;
        }
    }
}
