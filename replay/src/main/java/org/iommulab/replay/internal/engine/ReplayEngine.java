package org.iommulab.replay.internal.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.platform.SimScope;
import org.iommulab.replay.internal.device.DeviceConfig;
import org.iommulab.replay.internal.device.ReplayDevices;
import org.iommulab.replay.internal.input.TraceSource;
import org.iommulab.replay.internal.memory.PhysTranslator;
import org.iommulab.replay.internal.parse.EventKind;
import org.iommulab.replay.internal.parse.ParseReport;
import org.iommulab.replay.internal.parse.TraceEvent;
import org.iommulab.replay.internal.parse.TraceParser;
import org.iommulab.replay.internal.sg.SgRebuilder;
import org.iommulab.replay.internal.sg.TruncatedSgIndex;

/**
 * Replays a trace against a platform: every traced DMA-API call goes, in trace order, through
 * the DMA API of the simulated device that plays the trace's device, on one backend or on each
 * backend in turn ({@link PlatformAdmin#bind}). A plain object: tests and benchmarks build it
 * with {@code new} and a lookup function; inside OSGi the lookup is a service lookup.
 *
 * <p>The trace's physical memory is placed in simulated RAM by a {@link PhysTranslator} shared
 * by all passes, so every backend sees the same buffers. The trace's DMA addresses are kept for
 * comparison only: unmaps and syncs are matched to the replayed mapping through the table from
 * the trace's DMA address to the replayed one.
 */
public final class ReplayEngine {
    private final PlatformAdmin admin;
    private final BiFunction<String, String, DmaApi> lookup;
    private final DeviceConfig config;
    private final ReplayOptions options;
    private final Simulated sim;

    /**
     * A replay without the platform's simulation: calls are not put on the trace's CPUs and the
     * simulated clock is not moved (tests of the replay's own logic).
     *
     * @param lookup the DMA API of (simulated device, backend), or null when there is none
     */
    public ReplayEngine(PlatformAdmin admin, BiFunction<String, String, DmaApi> lookup, DeviceConfig config,
            ReplayOptions options) {
        this(admin, lookup, config, options, null);
    }

    /**
     * @param lookup the DMA API of (simulated device, backend), or null when there is none
     * @param sim the platform's simulated clock and CPUs: each call runs on the trace's CPU with
     *        the clock at the trace's time (null: neither)
     */
    public ReplayEngine(PlatformAdmin admin, BiFunction<String, String, DmaApi> lookup, DeviceConfig config,
            ReplayOptions options, Simulated sim) {
        if (admin == null || lookup == null || config == null || options == null) {
            throw new IllegalArgumentException("a replay needs a platform, a DMA API lookup, a device configuration and options");
        }
        this.admin = admin;
        this.lookup = lookup;
        this.config = config;
        this.options = options;
        this.sim = sim;
    }

    /**
     * Replays {@code source} on each of {@code backends} in turn (every registered backend when
     * empty).
     *
     * @throws IllegalArgumentException for an unknown backend; nothing was replayed
     * @throws IllegalStateException when no backend is registered
     * @throws IOException when the trace cannot be opened
     */
    public ReplaySummary run(TraceSource source, List<String> backends, ReplayProgress progress) throws IOException {
        return run(source, backends, progress, null);
    }

    /**
     * As {@link #run(TraceSource, List, ReplayProgress)}, writing what became of every traced
     * call on every backend to {@code calls} (one JSON object per line), when not null.
     */
    public ReplaySummary run(TraceSource source, List<String> backends, ReplayProgress progress, CallsWriter calls)
            throws IOException {
        List<String> chosen = choose(backends);
        Supplier<TruncatedSgIndex> truncated = new LazyTruncatedIndex(source);
        return replay(source.name(), chosen, (backend, sink) -> parser().parse(source.open(), source.size(), sink,
                (lines, bytes, total) -> progress.progress(backend, lines, bytes, total)), truncated, calls);
    }

    /**
     * Replays one stream on one backend: the form a benchmark uses. {@code in} is closed. A stream
     * is read once, so [TRUNCATED] dma_map_sg calls (whose entries only a later dma_unmap_sg
     * prints) cannot be rebuilt here.
     */
    public ReplaySummary run(InputStream in, String backend) throws IOException {
        List<String> chosen = choose(List.of(backend));
        return replay("(stream)", chosen, (b, sink) -> parser().parse(in, -1, sink, (l, r, t) -> { }),
                () -> TruncatedSgIndex.NONE, null);
    }

    /**
     * Scans the trace for the entries of its truncated dma_map_sg calls the first time one is
     * met, and keeps the index for every pass. A trace with no truncated call is read no more.
     */
    private final class LazyTruncatedIndex implements Supplier<TruncatedSgIndex> {
        private final TraceSource source;
        private TruncatedSgIndex index;

        LazyTruncatedIndex(TraceSource source) {
            this.source = source;
        }

        @Override
        public TruncatedSgIndex get() {
            if (index == null) {
                TruncatedSgIndex built = new TruncatedSgIndex();
                try {
                    parser().parse(source.open(), source.size(), built::accept, (l, r, t) -> { });
                    index = built;
                } catch (IOException e) {
                    index = TruncatedSgIndex.NONE;
                }
            }
            return index;
        }
    }

    private TraceParser parser() {
        return new TraceParser(options.maxLineBytes());
    }

    private List<String> choose(List<String> backends) {
        List<String> registered = admin.backends();
        if (registered.isEmpty()) {
            throw new IllegalStateException("no DMA backend is registered");
        }
        if (backends == null || backends.isEmpty()) {
            return List.copyOf(registered);
        }
        for (String b : backends) {
            if (!registered.contains(b)) {
                throw new IllegalArgumentException("unknown backend '" + b + "'; registered: " + String.join(", ", registered));
            }
        }
        return List.copyOf(backends);
    }

    /** Reads the trace once for a backend, handing events to the sink. */
    @FunctionalInterface
    private interface Reading {
        ParseReport read(String backend, java.util.function.Consumer<TraceEvent> sink) throws IOException;
    }

    private ReplaySummary replay(String name, List<String> backends, Reading reading, Supplier<TruncatedSgIndex> truncated,
            CallsWriter calls) throws IOException {
        ReplayDevices devices = new ReplayDevices(admin, config, true);
        PhysTranslator phys = new PhysTranslator(admin.allocator());
        SgRebuilder rebuilder = new SgRebuilder(options.granule());
        List<BackendResult> results = new ArrayList<>();
        Map<String, Long> faults = new LinkedHashMap<>();
        Map<String, Long> attaches = new LinkedHashMap<>();
        ParseReport first = null;
        // The replay's time line is the trace's: its calls do not add their modelled costs.
        SimScope external = sim == null ? null : sim.clock().externalTime();
        try {
            for (String backend : backends) {
                BackendPass pass = new BackendPass(backend, admin, lookup, devices, phys, rebuilder, options, sim,
                        truncated, calls);
                boolean observe = first == null;
                ParseReport report;
                try {
                    report = reading.read(backend, e -> {
                        if (observe) {
                            observe(e, faults, attaches);
                        }
                        pass.accept(e);
                    });
                    pass.endOfTrace();
                } finally {
                    results.add(pass.finish());
                }
                if (first == null) {
                    first = report;
                }
            }
        } finally {
            devices.restorePolicies();
            if (!options.keepDevices()) {
                devices.removeAdded();
            }
            phys.release();
            if (external != null) {
                external.close();
            }
        }
        return new ReplaySummary(name, first, devices.all(), results, faults, attaches, phys.pages(), phys.aliases(),
                phys.failures(), admin.checkerEnabled());
    }

    private static void observe(TraceEvent e, Map<String, Long> faults, Map<String, Long> attaches) {
        if (e.kind() == EventKind.IOMMU_PAGE_FAULT) {
            faults.merge(e.device(), 1L, Long::sum);
        } else if (e.kind() == EventKind.IOMMU_ATTACH) {
            attaches.merge(e.device(), 1L, Long::sum);
        }
    }
}
