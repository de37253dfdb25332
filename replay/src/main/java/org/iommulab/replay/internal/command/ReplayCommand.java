package org.iommulab.replay.internal.command;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.replay.TraceReplay;
import org.iommulab.replay.internal.device.DeviceConfig;
import org.iommulab.replay.internal.engine.CallsWriter;
import org.iommulab.replay.internal.engine.ReplayEngine;
import org.iommulab.replay.internal.engine.ReplayOptions;
import org.iommulab.replay.internal.engine.ReplayProgress;
import org.iommulab.replay.internal.engine.ReplaySummary;
import org.iommulab.replay.internal.engine.ReportPrinter;
import org.iommulab.replay.internal.engine.Simulated;
import org.iommulab.replay.internal.input.TraceSource;

/**
 * {@code replay TRACE [--backend NAME] [--devices FILE] ...}: the plain entry point behind the
 * {@link TraceReplay} service, the {@code iommu:replay} shell command and the application's
 * {@code replay} mode. Parses the arguments, reads the device file, runs the
 * {@link ReplayEngine} and prints the report. {@link #lastSummary()} keeps the machine-readable
 * result of the last run for callers in the same bundle (tests).
 */
public final class ReplayCommand implements TraceReplay {
    private final PlatformAdmin admin;
    private final BiFunction<String, String, DmaApi> lookup;
    private final Simulated sim;
    private volatile ReplaySummary last;

    /** A command that does not drive the platform's simulation (no trace CPUs, no trace time). */
    public ReplayCommand(PlatformAdmin admin, BiFunction<String, String, DmaApi> lookup) {
        this(admin, lookup, null);
    }

    /** @param sim the platform's simulated clock and CPUs, which the replay drives (null: none) */
    public ReplayCommand(PlatformAdmin admin, BiFunction<String, String, DmaApi> lookup, Simulated sim) {
        this.admin = admin;
        this.lookup = lookup;
        this.sim = sim;
    }

    /**
     * One run, for callers that hold a platform and a DMA API lookup (the application's
     * {@code replay} mode outside the service, tests): {@code new ReplayCommand(admin, lookup).run(args, out)}.
     */
    public static int run(List<String> args, PlatformAdmin admin, BiFunction<String, String, DmaApi> lookup, PrintStream out) {
        return new ReplayCommand(admin, lookup).run(args, out);
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        return run(args, out, out);
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(ReplayArgs.USAGE);
            return OK;
        }
        ReplayArgs a;
        DeviceConfig config = new DeviceConfig();
        try {
            a = ReplayArgs.parse(args);
            if (a.devicesFile() != null) {
                try (Reader r = Files.newBufferedReader(Path.of(a.devicesFile()), StandardCharsets.UTF_8)) {
                    config.read(r, a.devicesFile());
                }
            }
            for (String s : a.settings()) {
                config.set(s);
            }
            options(a); // checks the granule
        } catch (IllegalArgumentException | IOException e) {
            err.println("replay: " + e.getMessage());
            err.print(ReplayArgs.USAGE);
            return USAGE;
        }
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < a.traces().size(); i++) {
            String trace = a.traces().get(i);
            if (a.traces().size() > 1) {
                out.println("replay: trace " + (i + 1) + " of " + a.traces().size() + ": " + trace);
            }
            int rc = runOne(a, config, trace, out, err);
            if (rc != OK) {
                return rc;
            }
            ReplaySummary s = last;
            records.addAll(ReplayRecords.of(s, trace, i, a, records.size()));
            ReportPrinter.print(s, out);
        }
        if (a.callsFile() != null) {
            out.println("replay: one line per call written to " + a.callsFile());
        }
        try {
            if (a.jsonFile() != null) {
                Files.writeString(Path.of(a.jsonFile()), ReplayRecords.json(ReplayRecords.document(a.traces(), records)),
                        StandardCharsets.UTF_8);
                out.println("replay: " + records.size() + " record(s) written to " + a.jsonFile());
            }
            if (a.csvFile() != null) {
                Files.writeString(Path.of(a.csvFile()), ReplayRecords.csv(records), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            err.println("replay: cannot write the records: " + e);
            return FAILED;
        }
        return OK;
    }

    /** Replays one trace; the summary is {@link #lastSummary()} on success. */
    private int runOne(ReplayArgs a, DeviceConfig config, String trace, PrintStream out, PrintStream err) {
        // A well-formed command line naming a trace that is not there: the run failed (1), as
        // for any trace that cannot be read; 2 is for the command line itself.
        if (!Files.isRegularFile(Path.of(trace)) || !Files.isReadable(Path.of(trace))) {
            err.println("replay: cannot read trace " + trace + (Files.exists(Path.of(trace)) ? "" : ": no such file"));
            return FAILED;
        }
        ReplayEngine engine = new ReplayEngine(admin, lookup, config, options(a), sim);
        try (BufferedWriter calls = a.callsFile() == null ? null
                : Files.newBufferedWriter(Path.of(a.callsFile()), StandardCharsets.UTF_8)) {
            CallsWriter writer = calls == null ? null : line -> {
                try {
                    calls.write(line);
                    calls.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            ReplaySummary s = engine.run(TraceSource.of(Path.of(trace)), a.backends(),
                    a.quiet() ? ReplayProgress.NONE : new PercentProgress(out), writer);
            last = s;
            if (s.parse().events() == 0) {
                err.println("replay: " + trace + ": no DMA events found" + whyNoEvents(trace, s));
                return FAILED;
            }
            if (s.parse().streamError() != null) {
                // The report covers the events before the break; the trace was not read whole.
                ReportPrinter.print(s, out);
                err.println("replay: " + trace + ": not read whole: " + s.parse().streamError());
                return FAILED;
            }
            return OK;
        } catch (UncheckedIOException e) {
            err.println("replay: --calls " + a.callsFile() + ": " + e.getCause().getMessage());
            return FAILED;
        } catch (IllegalArgumentException e) {
            err.println("replay: " + e.getMessage());
            return USAGE;
        } catch (IOException | IllegalStateException e) {
            err.println("replay: " + e.getMessage());
            return FAILED;
        }
    }

    /**
     * Why a trace held no event: a compressed stream that broke off, a name that promises a
     * compression the bytes do not have (the format is told by the first bytes), or neither.
     */
    private static String whyNoEvents(String trace, ReplaySummary s) {
        if (s.parse().streamError() != null) {
            return " (" + s.parse().streamError() + ")";
        }
        String name = trace.toLowerCase(java.util.Locale.ROOT);
        boolean promised = name.endsWith(".xz") || name.endsWith(".gz");
        if (promised && s.parse().compression() == org.iommulab.replay.internal.input.Compression.NONE) {
            return " (named " + name.substring(name.lastIndexOf('.')) + " but not compressed: its first bytes are no"
                    + (name.endsWith(".xz") ? " xz" : " gzip") + " header, so it was read as text)";
        }
        return " (" + s.parse().lines() + " lines read; dma: or iommu: trace events expected, see replay/README.md)";
    }

    private static ReplayOptions options(ReplayArgs a) {
        new org.iommulab.replay.internal.sg.SgRebuilder(a.granule()); // throws for a bad granule
        return ReplayOptions.defaults().withGranule(a.granule()).withSgGuess(a.sgGuess()).withKeepDevices(a.keepDevices());
    }

    /** The summary of the last successful run, or null. */
    public ReplaySummary lastSummary() {
        return last;
    }

    /** Prints a line at every tenth of a long trace. */
    private static final class PercentProgress implements ReplayProgress {
        private final PrintStream out;
        private String backend;
        private long shown;

        PercentProgress(PrintStream out) {
            this.out = out;
        }

        @Override
        public void progress(String b, long lines, long bytes, long total) {
            if (!b.equals(backend)) {
                backend = b;
                shown = 0;
            }
            if (total <= 0) {
                return;
            }
            long tenth = Math.min(10, bytes * 10 / total);
            if (tenth > shown && total > 1 << 20) {
                shown = tenth;
                out.printf("replay: %s: %d%% (%d lines)%n", b, tenth * 10, lines);
            }
        }
    }
}
