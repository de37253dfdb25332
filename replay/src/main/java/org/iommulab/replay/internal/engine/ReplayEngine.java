package org.iommulab.replay.internal.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.replay.internal.device.DeviceConfig;
import org.iommulab.replay.internal.device.ReplayDevices;
import org.iommulab.replay.internal.input.TraceSource;
import org.iommulab.replay.internal.memory.PhysTranslator;
import org.iommulab.replay.internal.parse.EventKind;
import org.iommulab.replay.internal.parse.ParseReport;
import org.iommulab.replay.internal.parse.TraceEvent;
import org.iommulab.replay.internal.parse.TraceParser;
import org.iommulab.replay.internal.sg.SgRebuilder;

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

    /**
     * @param lookup the DMA API of (simulated device, backend), or null when there is none
     */
    public ReplayEngine(PlatformAdmin admin, BiFunction<String, String, DmaApi> lookup, DeviceConfig config,
            ReplayOptions options) {
        if (admin == null || lookup == null || config == null || options == null) {
            throw new IllegalArgumentException("a replay needs a platform, a DMA API lookup, a device configuration and options");
        }
        this.admin = admin;
        this.lookup = lookup;
        this.config = config;
        this.options = options;
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
        List<String> chosen = choose(backends);
        return replay(source.name(), chosen, (backend, sink) -> parser().parse(source.open(), source.size(), sink,
                (lines, bytes, total) -> progress.progress(backend, lines, bytes, total)));
    }

    /** Replays one stream on one backend: the form a benchmark uses. {@code in} is closed. */
    public ReplaySummary run(InputStream in, String backend) throws IOException {
        List<String> chosen = choose(List.of(backend));
        return replay("(stream)", chosen, (b, sink) -> parser().parse(in, -1, sink, (l, r, t) -> { }));
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

    private ReplaySummary replay(String name, List<String> backends, Reading reading) throws IOException {
        ReplayDevices devices = new ReplayDevices(admin, config);
        PhysTranslator phys = new PhysTranslator(admin.allocator());
        SgRebuilder rebuilder = new SgRebuilder(options.granule());
        List<BackendResult> results = new ArrayList<>();
        Map<String, Long> faults = new LinkedHashMap<>();
        Map<String, Long> attaches = new LinkedHashMap<>();
        ParseReport first = null;
        try {
            for (String backend : backends) {
                BackendPass pass = new BackendPass(backend, admin, lookup, devices, phys, rebuilder, options);
                boolean observe = first == null;
                ParseReport report;
                try {
                    report = reading.read(backend, e -> {
                        if (observe) {
                            observe(e, faults, attaches);
                        }
                        pass.accept(e);
                    });
                } finally {
                    results.add(pass.finish());
                }
                if (first == null) {
                    first = report;
                }
            }
        } finally {
            if (!options.keepDevices()) {
                devices.removeAdded();
            }
            phys.release();
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
