package org.iommulab.app.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    /** Where a bad scenario and what cannot run are told: standard error in the main job. */
    private final PrintStream err;

    /** @param clock the simulated clock, for each run's simulated time */
    BatchJob(PlatformAdmin admin, WorkloadLookup lookup, SimClock clock, PrintStream out) {
        this(admin, lookup, clock, out, out);
    }

    /**
     * @param out the table and the progress
     * @param err errors: a scenario that does not fit what is present, nothing to run
     */
    BatchJob(PlatformAdmin admin, WorkloadLookup lookup, SimClock clock, PrintStream out, PrintStream err) {
        this.admin = admin;
        this.lookup = lookup;
        this.clock = clock;
        this.out = out;
        this.err = err;
    }

    int run(Scenario scenario) {
        Map<String, Workload> present = lookup.present();
        List<String> backends = admin.backends();
        out.println("iommulab: " + backends.size() + " backend(s) " + backends + ", " + present.size() + " workload(s) "
                + ScenarioCheck.ordered(present.keySet()) + ", checker " + (admin.checkerEnabled() ? "on" : "off"));
        if (backends.isEmpty() || present.isEmpty()) {
            err.println("iommulab: nothing to run: no backend or no workload is present");
            return FAILED;
        }
        Plan plan;
        try {
            plan = ScenarioCheck.plan(scenario, admin, present);
        } catch (ScenarioException e) {
            err.println("iommulab: " + e.getMessage());
            return BAD_INPUT;
        }
        List<Plan.DeviceChange> applied = new ArrayList<>();
        try {
            for (Plan.DeviceChange c : plan.changes()) {
                replace(c.original(), c.changed(), scenario, c.line());
                applied.add(c);
            }
            List<ResultRow> rows = runAll(plan);
            ResultTable.print(rows, out);
            return summarize(rows);
        } catch (ScenarioException e) {
            err.println("iommulab: " + e.getMessage());
            return BAD_INPUT;
        } finally {
            for (int i = applied.size() - 1; i >= 0; i--) {
                Plan.DeviceChange c = applied.get(i);
                try {
                    replace(c.changed(), c.original(), scenario, c.line());
                } catch (ScenarioException e) {
                    err.println("iommulab: warning: could not restore device " + c.original().name() + ": " + e.getMessage());
                }
            }
            out.flush();
            err.flush();
        }
    }

    private List<ResultRow> runAll(Plan plan) {
        List<ResultRow> rows = new ArrayList<>();
        int i = 0;
        for (String backend : plan.backends()) {
            long start = System.nanoTime();
            List<ResultRow> mine = new ArrayList<>();
            for (Plan.Run run : plan.runs()) {
                mine.add(runOne(backend, run));
            }
            rows.addAll(mine);
            long bad = mine.stream().filter(r -> !r.outcome().success()).count();
            long caught = mine.stream().filter(r -> r.outcome() == Outcome.CAUGHT).count();
            out.printf("iommulab: [%d/%d] %s: %d workload(s) in %.1f s wall time%s%s%n", ++i, plan.backends().size(), backend,
                    mine.size(), (System.nanoTime() - start) / 1e9, caught > 0 ? ", seeded bug caught" : "",
                    bad > 0 ? ", " + bad + " NOT as expected" : "");
            out.flush();
        }
        return rows;
    }

    /** One run: binds the device to {@code backend}, waits for the workload's driver there, runs it. */
    ResultRow runOne(String backend, Plan.Run run) {
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

    private int summarize(List<ResultRow> rows) {
        long bad = rows.stream().filter(r -> !r.outcome().success()).count();
        long caught = rows.stream().filter(r -> r.outcome() == Outcome.CAUGHT).count();
        long refused = rows.stream().filter(r -> r.outcome() == Outcome.REFUSED).count();
        if (bad == 0) {
            out.println("iommulab: every workload as expected (" + rows.size() + " runs"
                    + (caught > 0 ? "; the seeded bug was caught on " + caught + " merging backend(s)" : "")
                    + (refused > 0 ? "; " + refused + " not run" : "") + ")");
            return OK;
        }
        out.println("iommulab: FAILED: " + bad + " of " + rows.size() + " runs not as expected; see the rows above");
        return FAILED;
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
