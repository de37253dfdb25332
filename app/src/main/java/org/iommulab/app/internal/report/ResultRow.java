package org.iommulab.app.internal.report;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.Stat;
import org.iommulab.devices.WorkloadReport;

/**
 * One row of the main job's table: a workload on one backend, its report, the platform's
 * counters across the run, and the verdict against what was expected of it.
 */
public final class ResultRow {
    private final String backend;
    private final String workload;
    private final String device;
    private final boolean seededBug;
    private final boolean checkerOn;
    private final WorkloadReport report;
    private final long[] statDelta;
    private final long wallNanos;
    private final long simNanos;
    private final String refusal;
    private final String firstFinding;

    private ResultRow(String backend, String workload, String device, boolean seededBug, boolean checkerOn,
            WorkloadReport report, long[] statDelta, long wallNanos, long simNanos, String refusal, String firstFinding) {
        this.backend = backend;
        this.workload = workload;
        this.device = device;
        this.seededBug = seededBug;
        this.checkerOn = checkerOn;
        this.report = report;
        this.statDelta = statDelta;
        this.wallNanos = wallNanos;
        this.simNanos = simNanos;
        this.refusal = refusal;
        this.firstFinding = firstFinding;
    }

    /**
     * A row for a workload that ran; the counters are the difference across the run.
     *
     * @param wallNanos how long the run took on the host (a wall-time figure, not simulated)
     * @param simNanos how far the run advanced the simulated clock
     * @param firstFinding the first checker finding for the device during the run, or null
     */
    public static ResultRow ran(String backend, String workload, boolean seededBug, boolean checkerOn, WorkloadReport report,
            DeviceStats before, DeviceStats after, long wallNanos, long simNanos, String firstFinding) {
        long[] delta = new long[Stat.values().length];
        for (Stat s : Stat.values()) {
            delta[s.ordinal()] = after.get(s) - (before == null ? 0 : before.get(s));
        }
        return new ResultRow(backend, workload, report.device(), seededBug, checkerOn, report, delta, wallNanos, simNanos, null,
                firstFinding);
    }

    /** A row for a workload that did not run: the backend refused the device, or no driver came up on it. */
    public static ResultRow notRun(String backend, String workload, String device, boolean seededBug, String why) {
        return new ResultRow(backend, workload, device, seededBug, false, null, null, 0, 0, why, null);
    }

    public String backend() {
        return backend;
    }

    public String workload() {
        return workload;
    }

    public String device() {
        return device;
    }

    /** Null when the workload did not run. */
    public WorkloadReport report() {
        return report;
    }

    public String refusal() {
        return refusal;
    }

    public String firstFinding() {
        return firstFinding;
    }

    public long stat(Stat s) {
        return statDelta == null ? 0 : statDelta[s.ordinal()];
    }

    /** Checker findings for the device during the run. */
    public long findings() {
        return stat(Stat.CHECKER_FINDINGS);
    }

    /** How long the run took on the host: wall time, the one figure that differs from run to run. */
    public long wallNanos() {
        return wallNanos;
    }

    /** How far the run advanced the simulated clock (deterministic). */
    public long simNanos() {
        return simNanos;
    }

    /** What the row should show: "clean", or "caught" for the seeded bug where its list was merged. */
    public String expected() {
        if (report == null) {
            return "-";
        }
        return seededBug && report.merged() ? "caught" : "clean";
    }

    /** The verdict. */
    public Outcome outcome() {
        if (report == null) {
            return Outcome.REFUSED;
        }
        boolean clean = report.clean() && findings() == 0;
        if (!seededBug) {
            return clean ? Outcome.OK : Outcome.FAILED;
        }
        if (!report.merged()) {
            return clean ? Outcome.OK_NOT_MERGED : Outcome.FAILED;
        }
        return caught() ? Outcome.CAUGHT : Outcome.UNCAUGHT;
    }

    /** For the seeded bug on a merged list: caught by the data check, and by the checker when it is on. */
    private boolean caught() {
        return report.dataErrors() > 0 && (!checkerOn || findings() > 0);
    }

    /** Why a row is not what was expected, or null. */
    public String why() {
        Outcome o = outcome();
        if (o == Outcome.UNCAUGHT) {
            return report.dataErrors() == 0 ? "the merged list was corrupted without the data check noticing"
                    : "the data check caught it but the checker reported nothing";
        }
        if (o == Outcome.FAILED && report.clean()) {
            return findings() + " checker finding(s)";
        }
        return null;
    }
}
