package org.iommulab.replay.internal.parse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.replay.internal.input.Compression;

/**
 * What reading a trace found besides its events: line counts, malformed and unknown lines
 * (the first {@value #MAX_PROBLEMS} problems with their line numbers, the first
 * {@value #MAX_UNKNOWN_NAMES} unknown event names with counts), events the tracer lost, and
 * whether the input ended early. Filled by {@link TraceParser} while it reads; read it after.
 */
public final class ParseReport {
    static final int MAX_PROBLEMS = 50;
    static final int MAX_UNKNOWN_NAMES = 32;

    private Compression compression = Compression.NONE;
    private long lines;
    private long ignoredLines;
    private long events;
    private final long[] eventsByKind = new long[EventKind.values().length];
    private long malformed;
    private long unknownEvents;
    private final Map<String, Long> unknownNames = new LinkedHashMap<>();
    private final Map<String, Long> unknownFirstLines = new LinkedHashMap<>();
    private long lostEvents;
    private long lostMarkers;
    private boolean truncated;
    private String streamError;
    private long bytesRead;
    private final List<Problem> problems = new ArrayList<>();
    private long problemsNotKept;

    void compression(Compression c) {
        compression = c;
    }

    void line() {
        lines++;
    }

    void ignored() {
        ignoredLines++;
    }

    void event(EventKind k) {
        events++;
        eventsByKind[k.ordinal()]++;
    }

    void malformed(Problem p) {
        malformed++;
        keep(p);
    }

    void truncated(Problem p) {
        truncated = true;
        keep(p);
    }

    /** A compressed stream that stopped early or is corrupt: the trace was not read whole. */
    void streamBroken(Problem p) {
        streamError = p.toString();
        truncated(p);
    }

    /** What broke the compressed stream (an xz or gzip trace that ends early or is corrupt), or null. */
    public String streamError() {
        return streamError;
    }

    void unknown(String name, long line) {
        unknownEvents++;
        Long n = unknownNames.get(name);
        if (n != null) {
            unknownNames.put(name, n + 1);
        } else if (unknownNames.size() < MAX_UNKNOWN_NAMES) {
            unknownNames.put(name, 1L);
            unknownFirstLines.put(name, line);
        }
    }

    void lost(long count) {
        lostMarkers++;
        lostEvents += count;
    }

    void bytesRead(long n) {
        bytesRead = n;
    }

    private void keep(Problem p) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(p);
        } else {
            problemsNotKept++;
        }
    }

    public Compression compression() {
        return compression;
    }

    /** Lines read (including header and malformed lines). */
    public long lines() {
        return lines;
    }

    public long ignoredLines() {
        return ignoredLines;
    }

    /** Events parsed (DMA and IOMMU). */
    public long events() {
        return events;
    }

    public long events(EventKind k) {
        return eventsByKind[k.ordinal()];
    }

    /** Malformed and over-long lines. */
    public long malformed() {
        return malformed;
    }

    /** Well-formed lines of events the replay does not know. */
    public long unknownEvents() {
        return unknownEvents;
    }

    /** Unknown event names with their counts (the first {@value #MAX_UNKNOWN_NAMES} names seen). */
    public Map<String, Long> unknownNames() {
        return Collections.unmodifiableMap(unknownNames);
    }

    /** The line where each of {@link #unknownNames()} first appeared. */
    public Map<String, Long> unknownFirstLines() {
        return Collections.unmodifiableMap(unknownFirstLines);
    }

    /** Events the tracer reported lost (ring buffer overruns). */
    public long lostEvents() {
        return lostEvents;
    }

    /** How many "LOST EVENTS" lines the trace holds. */
    public long lostMarkers() {
        return lostMarkers;
    }

    /** True when the input ended inside a line or a compressed stream ended early. */
    public boolean truncated() {
        return truncated;
    }

    /** Raw bytes read. */
    public long bytesRead() {
        return bytesRead;
    }

    /** The first problems, in line order. */
    public List<Problem> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** Problems counted but not kept in {@link #problems()}. */
    public long problemsNotKept() {
        return problemsNotKept;
    }
}
