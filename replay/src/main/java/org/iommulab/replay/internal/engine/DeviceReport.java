package org.iommulab.replay.internal.engine;

import java.util.List;

import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.replay.internal.parse.EventKind;
import org.iommulab.replay.internal.parse.TraceEvent;
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
    private long sgTruncatedRebuilt;
    private long sgMapped;
    private long sgLayoutEqual;
    private long addrCompared;
    private long addrEqual;
    private long addrCalls;
    private long sgCalls;
    private long msiTrace;
    private long msiEqual;
    private long msiExtra;
    private boolean keptOff;
    /** The call being replayed now (its fate for --calls), or null. */
    private CallRecord current;
    /**
     * Whether each call's fate is recorded ({@code --calls}): without it no record is made, so a
     * replay allocates nothing per call for a report nobody reads.
     */
    private boolean recording = true;
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
            t.sgTruncatedRebuilt += r.sgTruncatedRebuilt;
            t.sgMapped += r.sgMapped;
            t.sgLayoutEqual += r.sgLayoutEqual;
            t.addrCompared += r.addrCompared;
            t.addrEqual += r.addrEqual;
            t.addrCalls += r.addrCalls;
            t.sgCalls += r.sgCalls;
            t.msiTrace += r.msiTrace;
            t.msiEqual += r.msiEqual;
            t.msiExtra += r.msiExtra;
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

    /** Records each call's fate ({@link #begin} makes a {@link CallRecord}) only when {@code on}. */
    void recordCalls(boolean on) {
        recording = on;
    }

    /**
     * True while a call's record is open: only then is a reason worth formatting (callers test
     * this before they build one with {@code String.format}).
     */
    boolean recording() {
        return current != null;
    }

    void unavailable(String why) {
        unavailable = why;
    }

    void call(EventKind k) {
        calls[k.ordinal()]++;
    }

    /**
     * Starts the record of traced call {@code e} and counts it in the denominators: every
     * mapping or allocation the trace shows succeeding has an address to compare, every
     * dma_map_sg a layout, whether or not the replay gets to make the call.
     */
    CallRecord begin(TraceEvent e) {
        call(e.kind());
        current = recording ? new CallRecord(e, traceDevice, backend) : null;
        if (hasAddress(e)) {
            addrCalls++;
            if (e.kind() == EventKind.DMA_MAP_SG) {
                sgCalls++;
            }
        }
        if (unavailable != null && current != null) {
            current.outcome("unavailable", unavailable);
        }
        return current;
    }

    /** Ends the record of the call being replayed and returns it. */
    CallRecord end() {
        CallRecord r = current;
        current = null;
        return r;
    }

    /** The record of the call being replayed now, or null. */
    CallRecord current() {
        return current;
    }

    /** Whether {@code e} is a call the trace shows returning an address (a mapping or allocation that succeeded). */
    static boolean hasAddress(TraceEvent e) {
        switch (e.kind()) {
            case DMA_MAP_PAGE:
            case DMA_MAP_PHYS:
            case DMA_MAP_RESOURCE:
                return e.dmaAddr() != DmaMasks.MAPPING_ERROR;
            case DMA_ALLOC:
            case DMA_ALLOC_PAGES:
            case DMA_ALLOC_SGT:
                return e.dmaAddr() != 0 && e.dmaAddr() != DmaMasks.MAPPING_ERROR;
            case DMA_MAP_SG:
                return !e.dmaAddrs().isEmpty();
            default:
                return false;
        }
    }

    void countReplayed() {
        replayed++;
    }

    void skip(SkipReason r) {
        skip(r, null);
    }

    void skip(SkipReason r, String detail) {
        skipped[r.ordinal()]++;
        if (current != null) {
            String w = r.name().toLowerCase().replace('_', ' ');
            current.outcome("skipped", detail == null ? w : w + ": " + detail);
        }
    }

    void countMisuse(MisuseKind k) {
        countMisuse(k, null);
    }

    void countMisuse(MisuseKind k, String message) {
        misuse[k.ordinal()]++;
        if (current != null) {
            String w = k.name().toLowerCase().replace('_', ' ');
            current.outcome("misuse", message == null ? w : w + ": " + message);
        }
    }

    void replayFailure() {
        replayFailures++;
        if (current != null) {
            current.outcome("failed in the replay", "the backend returned an error where the trace's call succeeded");
        }
    }

    void traceFailure(boolean replaySucceeded) {
        traceFailures++;
        if (replaySucceeded) {
            traceFailedReplaySucceeded++;
        }
        if (current != null) {
            current.outcome("failed in the trace", replaySucceeded ? "the replay's call succeeded (undone at once)" : null);
        }
    }

    void countBadInput() {
        countBadInput(null);
    }

    void countBadInput(String message) {
        badInput++;
        if (current != null) {
            current.outcome("bad input", message);
        }
    }

    /** The DMA address the replay used for the call being replayed. */
    void replayedAt(long dma) {
        if (current != null) {
            current.replayedDma = dma;
        }
    }

    /**
     * The call being replayed returned an address that cannot be compared with the trace's (a
     * coherent buffer on dma-direct: its address is where the simulated allocator put it).
     */
    void notCompared(String why) {
        if (current != null) {
            current.because(why);
        }
    }

    /** A reason why the call being replayed differs from the trace. */
    void because(String why) {
        if (current != null) {
            current.because(why);
        }
    }

    /** The device is kept off the IOMMU (replayed on dma-direct). */
    void keptOffIommu() {
        keptOff = true;
    }

    /** An MSI doorbell mapping the trace shows for this device, and whether the replay's IOVA for it equals the trace's. */
    void msi(boolean equal) {
        msiTrace++;
        if (equal) {
            msiEqual++;
        }
    }

    /** A further doorbell mapping in the trace beyond the platform's one doorbell: not replayed. */
    void countMsiExtra() {
        msiExtra++;
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

    void countSgTruncatedRebuilt() {
        sgTruncatedRebuilt++;
    }

    void sgMapped(boolean layoutEqual) {
        sgMapped++;
        if (layoutEqual) {
            sgLayoutEqual++;
        }
        if (current != null) {
            current.layoutEqual = layoutEqual;
        }
    }

    void address(boolean equal) {
        addrCompared++;
        if (equal) {
            addrEqual++;
        }
        if (current != null) {
            current.addressEqual = equal;
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
        if (current != null) {
            current.outcome("error", message);
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

    /** [TRUNCATED] dma_map_sg calls rebuilt from their iommu:map runs and dma_unmap_sg. */
    public long sgTruncatedRebuilt() {
        return sgTruncatedRebuilt;
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

    /**
     * Every traced call that returned an address (mappings and allocations that succeeded in the
     * trace), replayed or not: the denominator of {@link #addressesEqual()}.
     */
    public long addressCalls() {
        return addrCalls;
    }

    /** Of {@link #addressCalls()}, those whose address could not be compared (skipped, failed, unavailable). */
    public long addressesNotCompared() {
        return addrCalls - addrCompared;
    }

    /** Every traced dma_map_sg that succeeded, replayed or not: the denominator of {@link #sgLayoutEqual()}. */
    public long sgCalls() {
        return sgCalls;
    }

    /** MSI doorbell mappings the trace shows for the device (one per device replayed). */
    public long msiTrace() {
        return msiTrace;
    }

    /** Of {@link #msiTrace()}, those the replay mapped at the trace's IOVA. */
    public long msiEqual() {
        return msiEqual;
    }

    /** Doorbell mappings beyond the first per device: the platform has one doorbell, so they are not replayed. */
    public long msiExtra() {
        return msiExtra;
    }

    /** True when the device was kept off the IOMMU (replayed on dma-direct). */
    public boolean isKeptOffIommu() {
        return keptOff;
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
