package org.iommulab.app.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.SimClock;
import org.iommulab.app.internal.report.Outcome;
import org.iommulab.app.internal.report.ResultRow;
import org.iommulab.app.internal.report.ResultTable;
import org.iommulab.app.internal.scenario.Plan;
import org.iommulab.app.internal.scenario.Scenario;
import org.iommulab.app.internal.scenario.ScenarioCheck;
import org.iommulab.app.internal.scenario.ScenarioException;
import org.iommulab.app.internal.scenario.Sweep;
import org.iommulab.app.internal.results.ResultsFile;
import org.iommulab.app.internal.results.RunPoint;
import org.iommulab.app.internal.results.Summary;
import org.iommulab.app.internal.results.WorkloadRecords;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadReport;

/**
 * The main job without {@code --shell}: runs every workload of the plan on every backend of
 * the plan (by default all of both), swapping each workload's device onto the backend first
 * ({@link PlatformAdmin#bind}; the driver is re-created and its workload registered again), and
 * prints one table with a progress line per backend before it.
 *
 * <p>Exit status: 0 when every row is as expected (correct workloads clean, the seeded-bug
 * workload caught wherever its lists were merged and clean elsewhere, refusals aside); 1 when
 * a row is not, or nothing could run; 2 for a scenario that does not fit the running platform
 * (nothing has run or changed then).
 */
final class BatchJob {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;

    private final PlatformAdmin admin;
    private final WorkloadLookup lookup;
    private final SimClock clock;
    private final PrintStream out;
    private final PrintStream err;
    private final BackendConfig config;
    private Consumer<List<ResultRow>> rowsOut = rows -> { };
    private BiConsumer<String, String> groupEnd = (device, backend) -> { };
    /** Every row this run made, in order, for {@link #rowsOut}. */
    private final List<ResultRow> rowsMade = new ArrayList<>();

    /** @param clock the simulated clock, for each run's simulated time */
    BatchJob(PlatformAdmin admin, WorkloadLookup lookup, SimClock clock, PrintStream out) {
        this(admin, lookup, clock, out, out, BackendConfig.NONE);
    }

    /**
     * @param err where a bad scenario is reported (the table and progress go to {@code out})
     * @param config where a scenario's {@code config} directives are set
     */
    BatchJob(PlatformAdmin admin, WorkloadLookup lookup, SimClock clock, PrintStream out, PrintStream err,
            BackendConfig config) {
        this.admin = admin;
        this.lookup = lookup;
        this.clock = clock;
        this.out = out;
        this.err = err;
        this.config = config;
    }

    /** Hands the rows of the run, once printed, to {@code sink} too (the HTML report). */
    BatchJob onRows(Consumer<List<ResultRow>> sink) {
        this.rowsOut = sink;
        return this;
    }

    /**
     * Tells {@code hook} (device, backend) for every device of a backend's group of runs once
     * the group has run, before the devices move on (the report's page-table census).
     */
    BatchJob onGroupEnd(BiConsumer<String, String> hook) {
        this.groupEnd = hook;
        return this;
    }

    int run(Scenario scenario) {
        return run(Sweep.of(scenario), RunOptions.DEFAULT);
    }

    /**
     * Runs every point of {@code sweep} that has runs in {@code options}' shard: sets the point's
     * configurations and device changes, runs its workloads on its backends, puts everything back.
     * Every point is checked against the running platform first; a bad one changes nothing.
     */
    int run(Sweep sweep, RunOptions options) {
        Map<String, Workload> present = lookup.present();
        List<String> backends = admin.backends();
        out.println("iommulab: " + backends.size() + " backend(s) " + backends + ", " + present.size() + " workload(s) "
                + ScenarioCheck.ordered(present.keySet()) + ", checker " + (admin.checkerEnabled() ? "on" : "off")
                + (sweep.swept() ? ", " + sweep.points().size() + " sweep points" : "")
                + (options.shard().whole() ? "" : ", shard " + options.shard()));
        if (backends.isEmpty() || present.isEmpty()) {
            err.println("iommulab: nothing to run: no backend or no workload is present");
            return FAILED;
        }
        List<Plan> plans = new ArrayList<>();
        try {
            for (Sweep.Point p : sweep.points()) {
                plans.add(ScenarioCheck.plan(p.scenario(), admin, present));
            }
        } catch (ScenarioException e) {
            out.flush();
            err.println("iommulab: " + e.getMessage());
            return BAD_INPUT;
        }
        int total = 0;
        for (Plan plan : plans) {
            total += plan.backends().size() * plan.runs().size();
        }
        List<Map<String, Object>> records = new ArrayList<>();
        int first = 0;
        int firstGroup = 0;
        try {
            for (int p = 0; p < plans.size(); p++) {
                runPoint(sweep.points().get(p), plans.get(p), first, firstGroup, options, records);
                first += plans.get(p).backends().size() * plans.get(p).runs().size();
                firstGroup += plans.get(p).backends().size();
            }
        } catch (ScenarioException e) {
            out.flush();
            err.println("iommulab: " + e.getMessage());
            return BAD_INPUT;
        } finally {
            out.flush();
        }
        ResultTable.printRecords(records, out);
        rowsOut.accept(List.copyOf(rowsMade));
        out.println(options.warm()
                ? "iommulab: wall ms: host time of each run after one unmeasured warm-up run of it on the same backend"
                : "iommulab: wall ms: host time of cold runs (--cold): the first runs include the JIT's warm-up");
        Map<String, List<String>> axes = new LinkedHashMap<>();
        sweep.axes().forEach(a -> axes.put(a.label(), a.values()));
        Map<String, Object> document = ResultsFile.workloads(sweep.source(), axes, sweep.points().size(), total,
                options.shard().whole() ? null : options.shard().toString(), options.warm(), records);
        try {
            if (options.json() != null) {
                ResultsFile.writeJson(document, options.json());
            }
            if (options.csv() != null) {
                ResultsFile.writeCsv(records, options.csv());
            }
        } catch (IOException e) {
            out.println("iommulab: cannot write the results: " + e);
            return FAILED;
        }
        return summarize(records);
    }

    /**
     * The runs of one point this shard takes, with the point's configuration and device changes
     * around them. The shard unit is a group: a point's runs on one backend, numbered over the
     * whole sweep from {@code firstGroup}. What a run finds in simulated memory does not depend
     * on the groups before it: each measured run starts with the allocator's per-CPU lists
     * drained ({@link #runOne}), and the seeded bug's stray PIO meets only poison and its own
     * request's pages, so a shard's records equal the whole sweep's.
     */
    private void runPoint(Sweep.Point point, Plan plan, int first, int firstGroup, RunOptions options, List<Map<String, Object>> records) {
        int perBackend = plan.runs().size();
        boolean any = false;
        for (int b = 0; b < plan.backends().size(); b++) {
            any |= options.shard().takes(firstGroup + b);
        }
        if (!any) {
            return;
        }
        Scenario scenario = point.scenario();
        List<BackendConfig.Restore> configured = new ArrayList<>();
        List<Plan.DeviceChange> applied = new ArrayList<>();
        Map<String, Map<String, String>> backendConfig = new LinkedHashMap<>();
        try {
            for (Scenario.ConfigLine c : scenario.configs()) {
                try {
                    configured.add(config.apply(c.pid(), c.settings()));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new ScenarioException(scenario.source(), c.line(), "config " + c.pid() + ": " + e.getMessage());
                }
                backendConfig.computeIfAbsent(c.pid(), x -> new LinkedHashMap<>()).putAll(c.settings());
            }
            if (!scenario.configs().isEmpty()) {
                List<String> gone = new ArrayList<>(plan.backends());
                gone.removeAll(admin.backends());
                if (!gone.isEmpty()) {
                    Scenario.ConfigLine c = scenario.configs().get(scenario.configs().size() - 1);
                    throw new ScenarioException(scenario.source(), c.line(), "after config " + c.pid() + " " + c.settings()
                            + (point.settings().isEmpty() ? "" : " (sweep point #" + point.index() + ")") + ", backend(s) "
                            + gone + " did not come back (a value the component refused? --verbose shows"
                            + " its log); registered: " + admin.backends());
                }
            }
            for (Plan.DeviceChange c : plan.changes()) {
                replace(c.original(), c.changed(), scenario, c.line());
                applied.add(c);
            }
            for (int b = 0; b < plan.backends().size(); b++) {
                String backend = plan.backends().get(b);
                long start = System.nanoTime(); // wall time, reported as such
                if (!options.shard().takes(firstGroup + b)) {
                    continue;
                }
                List<Map<String, Object>> mine = new ArrayList<>();
                bindAll(plan, backend);
                for (int r = 0; r < perBackend; r++) {
                    int index = first + b * perBackend + r;
                    Plan.Run run = plan.runs().get(r);
                    ResultRow row = runOne(backend, run, options.warm());
                    rowsMade.add(row);
                    RunPoint where = new RunPoint(index, point.index(), point.settings(), overrides(scenario, run.device()),
                            backendConfig);
                    mine.add(WorkloadRecords.of(row, run.params(), where, options.warm()));
                }
                Set<String> ended = new LinkedHashSet<>();
                for (int r = 0; r < perBackend; r++) {
                    String device = plan.runs().get(r).device();
                    if (ended.add(device)) {
                        groupEnd.accept(device, backend);
                    }
                }
                if (mine.isEmpty()) {
                    continue;
                }
                records.addAll(mine);
                long bad = mine.stream().filter(r -> !Boolean.TRUE.equals(r.get("success"))).count();
                long caught = mine.stream().filter(r -> Outcome.CAUGHT.name().equals(r.get("outcome"))).count();
                out.printf("iommulab: %s[%d/%d] %s: %d workload(s) in %.1f s wall time%s%s%n",
                        point.settings().isEmpty() ? "" : "#" + point.index() + " ", b + 1, plan.backends().size(), backend,
                        mine.size(), (System.nanoTime() - start) / 1e9, caught > 0 ? ", seeded bug caught" : "",
                        bad > 0 ? ", " + bad + " NOT as expected" : "");
                out.flush();
            }
        } finally {
            for (int i = applied.size() - 1; i >= 0; i--) {
                Plan.DeviceChange c = applied.get(i);
                try {
                    replace(c.changed(), c.original(), scenario, c.line());
                } catch (ScenarioException e) {
                    err.println("iommulab: warning: could not restore device " + c.original().name() + ": " + e.getMessage());
                }
            }
            for (int i = configured.size() - 1; i >= 0; i--) {
                try {
                    configured.get(i).restore();
                } catch (RuntimeException e) {
                    out.println("iommulab: warning: could not restore a configuration: " + e.getMessage());
                }
            }
            out.flush();
            err.flush();
        }
    }

    /**
     * Moves every device of the plan onto {@code backend} in the plan's order before the group
     * runs, so a group starts from the same bindings whichever group ran before it in this process.
     */
    private void bindAll(Plan plan, String backend) {
        for (Plan.Run run : plan.runs()) {
            try {
                admin.bind(run.device(), backend);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // runOne binds again and reports the refusal in the run's row.
            }
        }
    }

    /** The scenario's device settings for {@code device}, as written. */
    private static Map<String, String> overrides(Scenario s, String device) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Scenario.DeviceLine d : s.devices()) {
            if (d.name().equals(device)) {
                m.putAll(d.settings());
            }
        }
        return m;
    }

    /** One run: binds the device to {@code backend}, waits for the workload's driver there, runs it. */
    ResultRow runOne(String backend, Plan.Run run) {
        return runOne(backend, run, false);
    }

    /**
     * One run; with {@code warm}, the workload first runs once unmeasured on the same driver,
     * so that the measured run's wall time is not the JIT compiling the backend's code.
     */
    ResultRow runOne(String backend, Plan.Run run, boolean warm) {
        try {
            admin.bind(run.device(), backend);
        } catch (IllegalStateException | IllegalArgumentException e) {
            return ResultRow.notRun(backend, run.workload(), run.device(), run.seededBug(), e.getMessage());
        }
        Workload w = lookup.await(run.workload(), backend);
        if (w == null) {
            return ResultRow.notRun(backend, run.workload(), run.device(), run.seededBug(),
                    "no " + run.workload() + " workload appeared after binding " + run.device() + " to " + backend
                            + " (its driver failed to probe? see the log)");
        }
        if (warm) {
            try {
                w.run(run.params());
            } catch (RuntimeException e) {
                // The measured run that follows reports what goes wrong.
            }
        }
        // Every measured run starts with the allocator's per-CPU lists drained (Linux's
        // drain_all_pages()), as a benchmark drops caches between runs: where the run's pages
        // land then follows from the live allocations alone, not from the order in which the
        // runs before it (which differ between a shard and the whole sweep) freed theirs.
        admin.allocator().drainAllPages();
        long lastFinding = lastFindingSequence();
        DeviceStats before = admin.stats(run.device());
        long start = System.nanoTime(); // wall time, reported as such
        long simStart = clock.nanos();
        WorkloadReport report;
        try {
            report = w.run(run.params());
        } catch (RuntimeException e) {
            // A driver bug, not a finding: the row fails with what was thrown.
            report = WorkloadReport.builder(run.workload(), run.device(), backend).error("the run threw " + e).build();
        }
        long nanos = System.nanoTime() - start;
        long simNanos = clock.nanos() - simStart;
        DeviceStats after = admin.stats(run.device());
        return ResultRow.ran(backend, run.workload(), run.seededBug(), admin.checkerEnabled(), report, before, after, nanos,
                simNanos,
                firstFindingSince(lastFinding, run.device()));
    }

    /** The closing line and the exit status, from the records. */
    int summarize(List<Map<String, Object>> rows) {
        return Summary.print(rows, out);
    }

    private long lastFindingSequence() {
        List<Finding> f = admin.findings();
        return f.isEmpty() ? 0 : f.get(f.size() - 1).sequence();
    }

    private String firstFindingSince(long sequence, String device) {
        for (Finding f : admin.findings()) {
            if (f.sequence() > sequence && device.equals(f.device())) {
                return f.message();
            }
        }
        return null;
    }

    /** Puts {@code next} where {@code current} is (remove, then add): the driver is released and probed again. */
    private void replace(DeviceDescriptor current, DeviceDescriptor next, Scenario scenario, int line) {
        try {
            admin.removeDevice(current.name());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ScenarioException(scenario.source(), line, "cannot change device " + current.name() + ": " + e.getMessage());
        }
        try {
            admin.addDevice(next);
        } catch (RuntimeException e) {
            admin.addDevice(current);
            throw new ScenarioException(scenario.source(), line, "cannot change device " + current.name() + ": " + e.getMessage());
        }
    }
}
