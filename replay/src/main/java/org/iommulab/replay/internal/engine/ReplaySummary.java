package org.iommulab.replay.internal.engine;

import java.util.List;
import java.util.Map;

import org.iommulab.replay.internal.device.ReplayDevice;
import org.iommulab.replay.internal.parse.ParseReport;

/**
 * The machine-readable result of a replay: what reading the trace found, the devices that
 * played the trace's devices, one {@link BackendResult} per backend, the trace's own
 * observations (IOMMU faults and attaches per device) and how the trace's physical memory was
 * placed in simulated RAM. Immutable once returned.
 */
public final class ReplaySummary {
    private final String source;
    private final ParseReport parse;
    private final List<ReplayDevice> devices;
    private final List<BackendResult> backends;
    private final Map<String, Long> traceFaults;
    private final Map<String, Long> traceAttaches;
    private final long physPages;
    private final long physAliases;
    private final long physFailures;
    private final boolean checkerEnabled;

    ReplaySummary(String source, ParseReport parse, List<ReplayDevice> devices, List<BackendResult> backends,
            Map<String, Long> traceFaults, Map<String, Long> traceAttaches, long physPages, long physAliases,
            long physFailures, boolean checkerEnabled) {
        this.source = source;
        this.parse = parse;
        this.devices = List.copyOf(devices);
        this.backends = List.copyOf(backends);
        this.traceFaults = Map.copyOf(traceFaults);
        this.traceAttaches = Map.copyOf(traceAttaches);
        this.physPages = physPages;
        this.physAliases = physAliases;
        this.physFailures = physFailures;
        this.checkerEnabled = checkerEnabled;
    }

    /** Whether the platform's DMA-API checker was on: with it off, misuse goes unnoticed. */
    public boolean checkerEnabled() {
        return checkerEnabled;
    }

    public String source() {
        return source;
    }

    /** Lines, events, malformed and unknown lines, lost events (from the first pass). */
    public ParseReport parse() {
        return parse;
    }

    /** The trace devices and the simulated devices that played them, in order of first appearance. */
    public List<ReplayDevice> devices() {
        return devices;
    }

    public List<BackendResult> backends() {
        return backends;
    }

    /** The result on {@code backend}, or null when it was not replayed. */
    public BackendResult backend(String backend) {
        for (BackendResult r : backends) {
            if (r.backend().equals(backend)) {
                return r;
            }
        }
        return null;
    }

    /** {@code iommu:io_page_fault} events in the trace, by trace device. */
    public Map<String, Long> traceFaults() {
        return traceFaults;
    }

    /** {@code iommu:attach_device_to_domain} events in the trace, by trace device. */
    public Map<String, Long> traceAttaches() {
        return traceAttaches;
    }

    /** Distinct trace pages given a home in simulated RAM. */
    public long physPages() {
        return physPages;
    }

    /** Trace ranges that needed a simulated run of their own ({@link org.iommulab.replay.internal.memory.PhysTranslator}). */
    public long physAliases() {
        return physAliases;
    }

    /** Trace ranges the simulated RAM had no room for. */
    public long physFailures() {
        return physFailures;
    }
}
