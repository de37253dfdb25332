package org.iommulab.replay.internal.engine;

import java.util.List;

import org.iommulab.api.checker.FindingKind;
import org.iommulab.replay.internal.parse.EventKind;
import org.iommulab.replay.internal.sg.SgCertainty;

/**
 * What replaying one trace device on one backend found. Counters only; filled by the replay,
 * read by the report printer, the tests and the itests. The totals of a backend are
 * {@link #sum(String, String, List)} of its devices.
 */
public final class DeviceReport {
    private final String traceDevice;
    private final String simDevice;
    private final String backend;
    private String unavailable;
    private final long[] calls = new long[EventKind.values().length];
    private long replayed;
    private final long[] skipped = new long[SkipReason.values().length];
    private final long[] misuse = new long[MisuseKind.values().length];
    private long replayFailures;
    private long traceFailures;
    private long traceFailedReplaySucceeded;
    private long badInput;
    private long droppedAttrs;
    private final long[] sgRebuilds = new long[SgCertainty.values().length];
    private long sgGuessed;
    private long sgMapped;
    private long sgLayoutEqual;
    private long addrCompared;
    private long addrEqual;
    private long leaks;
    private long leakBytes;
    private long liveBytes;
    private long peakLiveBytes;
    private long bouncedBytes;
    private long iotlbHits;
    private long iotlbMisses;
    private long maskRefused;
    private long errors;
    private String firstError;
    private final long[] findings = new long[FindingKind.values().length];

    public DeviceReport(String traceDevice, String simDevice, String backend) {
        this.traceDevice = traceDevice;
        this.simDevice = simDevice;
        this.backend = backend;
    }

    /** The totals of {@code reports}, labelled {@code traceDevice}/{@code backend}. */
    public static DeviceReport sum(String label, String backend, List<DeviceReport> reports) {
        DeviceReport t = new DeviceReport(label, label, backend);
        for (DeviceReport r : reports) {
            add(t.calls, r.calls);
            add(t.skipped, r.skipped);
            add(t.misuse, r.misuse);
            add(t.sgRebuilds, r.sgRebuilds);
            add(t.findings, r.findings);
            t.replayed += r.replayed;
            t.replayFailures += r.replayFailures;
            t.traceFailures += r.traceFailures;
            t.traceFailedReplaySucceeded += r.traceFailedReplaySucceeded;
            t.badInput += r.badInput;
            t.droppedAttrs += r.droppedAttrs;
            t.sgGuessed += r.sgGuessed;
            t.sgMapped += r.sgMapped;
            t.sgLayoutEqual += r.sgLayoutEqual;
            t.addrCompared += r.addrCompared;
            t.addrEqual += r.addrEqual;
            t.leaks += r.leaks;
            t.leakBytes += r.leakBytes;
            t.peakLiveBytes += r.peakLiveBytes;
            t.bouncedBytes += r.bouncedBytes;
            t.iotlbHits += r.iotlbHits;
            t.iotlbMisses += r.iotlbMisses;
            t.maskRefused += r.maskRefused;
            t.errors += r.errors;
            if (t.firstError == null) {
                t.firstError = r.firstError;
            }
        }
        return t;
    }

    private static void add(long[] into, long[] from) {
        for (int i = 0; i < into.length; i++) {
            into[i] += from[i];
        }
    }

    // ---- recording (the replay) ------------------------------------------------------------

    void unavailable(String why) {
        unavailable = why;
    }

    void call(EventKind k) {
        calls[k.ordinal()]++;
    }

    void countReplayed() {
        replayed++;
    }

    void skip(SkipReason r) {
        skipped[r.ordinal()]++;
    }

    void countMisuse(MisuseKind k) {
        misuse[k.ordinal()]++;
    }

    void replayFailure() {
        replayFailures++;
    }

    void traceFailure(boolean replaySucceeded) {
        traceFailures++;
        if (replaySucceeded) {
            traceFailedReplaySucceeded++;
        }
    }

    void countBadInput() {
        badInput++;
    }

    void countDroppedAttrs() {
        droppedAttrs++;
    }

    void sgRebuild(SgCertainty c) {
        sgRebuilds[c.ordinal()]++;
    }

    void countSgGuessed() {
        sgGuessed++;
    }

    void sgMapped(boolean layoutEqual) {
        sgMapped++;
        if (layoutEqual) {
            sgLayoutEqual++;
        }
    }

    void address(boolean equal) {
        addrCompared++;
        if (equal) {
            addrEqual++;
        }
    }

    void mapped(long bytes) {
        liveBytes += bytes;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
    }

    void unmapped(long bytes) {
        liveBytes -= bytes;
    }

    void leaks(long count, long bytes) {
        leaks = count;
        leakBytes = bytes;
    }

    void counters(long bounced, long hits, long misses) {
        bouncedBytes = bounced;
        iotlbHits = hits;
        iotlbMisses = misses;
    }

    void countMaskRefused() {
        maskRefused++;
    }

    void finding(FindingKind k) {
        findings[k.ordinal()]++;
    }

    void error(String message) {
        errors++;
        if (firstError == null) {
            firstError = message;
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    public String traceDevice() {
        return traceDevice;
    }

    public String simDevice() {
        return simDevice;
    }

    public String backend() {
        return backend;
    }

    /** Why the device could not be replayed on this backend at all, or null. */
    public String unavailableReason() {
        return unavailable;
    }

    /** DMA-API calls of this device in the trace, of kind {@code k}. */
    public long calls(EventKind k) {
        return calls[k.ordinal()];
    }

    /** All DMA-API calls of this device in the trace. */
    public long calls() {
        long s = 0;
        for (long c : calls) {
            s += c;
        }
        return s;
    }

    /** Calls passed to the DMA API. */
    public long replayed() {
        return replayed;
    }

    public long skipped(SkipReason r) {
        return skipped[r.ordinal()];
    }

    public long skipped() {
        long s = 0;
        for (long c : skipped) {
            s += c;
        }
        return s;
    }

    public long misuse(MisuseKind k) {
        return misuse[k.ordinal()];
    }

    public long misuse() {
        long s = 0;
        for (long c : misuse) {
            s += c;
        }
        return s;
    }

    /** Mappings and allocations that failed in the replay although they succeeded in the trace. */
    public long replayFailures() {
        return replayFailures;
    }

    /** Mappings and allocations that failed in the trace. */
    public long traceFailures() {
        return traceFailures;
    }

    /** Of {@link #traceFailures()}, those the replay managed (and undid at once). */
    public long traceFailedReplaySucceeded() {
        return traceFailedReplaySucceeded;
    }

    /** Calls the platform refused as bad input (IllegalArgumentException: direction NONE, ...). */
    public long badInput() {
        return badInput;
    }

    /** Calls whose attributes included some the model has no bit for (dropped). */
    public long droppedAttrs() {
        return droppedAttrs;
    }

    /** dma_map_sg calls whose lengths were rebuilt with certainty {@code c}. */
    public long sgRebuilds(SgCertainty c) {
        return sgRebuilds[c.ordinal()];
    }

    /** UNCERTAIN dma_map_sg calls replayed with the guessed layout. */
    public long sgGuessed() {
        return sgGuessed;
    }

    /** dma_map_sg calls the replay mapped. */
    public long sgMapped() {
        return sgMapped;
    }

    /** Of {@link #sgMapped()}, those whose DMA segments (count and lengths) equal the trace's. */
    public long sgLayoutEqual() {
        return sgLayoutEqual;
    }

    /** Mappings whose DMA address(es) could be compared with the trace's. */
    public long addressesCompared() {
        return addrCompared;
    }

    /** Of {@link #addressesCompared()}, those equal to the trace's (never forced). */
    public long addressesEqual() {
        return addrEqual;
    }

    /** Mappings and allocations still live when the trace ended. */
    public long leaks() {
        return leaks;
    }

    public long leakBytes() {
        return leakBytes;
    }

    /** Most DMA address space in use at once, in whole pages of the DMA ranges mapped. */
    public long peakMappedBytes() {
        return peakLiveBytes;
    }

    /** Bytes bounced ({@code Stat.BOUNCED_BYTES} over the pass). */
    public long bouncedBytes() {
        return bouncedBytes;
    }

    public long iotlbHits() {
        return iotlbHits;
    }

    public long iotlbMisses() {
        return iotlbMisses;
    }

    /** Times the backend refused the device's DMA mask ({@code dma_set_mask} returned -EIO). */
    public long maskRefused() {
        return maskRefused;
    }

    /**
     * Findings of kind {@code k} the platform's checker recorded for the device during the pass
     * (from its bounded history, so a floor for very long traces). They include what the checker
     * reports without refusing the call: sub-page exposure, overlapping mappings, unchecked
     * mapping errors.
     */
    public long findings(FindingKind k) {
        return findings[k.ordinal()];
    }

    public long findings() {
        long s = 0;
        for (long c : findings) {
            s += c;
        }
        return s;
    }

    /** Calls that failed with an unexpected exception from the platform or a backend. */
    public long errors() {
        return errors;
    }

    /** The first such exception, or null. */
    public String firstError() {
        return firstError;
    }

    @Override
    public String toString() {
        return traceDevice + "@" + backend + " calls=" + calls() + " replayed=" + replayed() + " skipped=" + skipped()
                + " misuse=" + misuse() + " leaks=" + leaks;
    }
}
