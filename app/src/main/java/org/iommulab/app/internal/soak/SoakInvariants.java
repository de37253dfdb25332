package org.iommulab.app.internal.soak;

import static org.iommulab.app.internal.soak.SoakLookups.totalOf;

import java.util.List;
import java.util.Map;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.FindingKind;

/**
 * The soak's invariants on what it counted, judged once its devices are back where they began
 * (see {@link SoakEngine} for the list): no byte wrong, no exception or fault, the canary's stale
 * accesses all refused, no leak, no swap abandoned, no simulated RAM grown beyond one page per
 * device and a bounded slack. Each broken one is a violation line.
 */
final class SoakInvariants {
    /** Slack for tables a binding keeps (page tables, stream and context tables) beyond one page per device. */
    static final long RAM_SLACK = 4L << 20;

    private SoakInvariants() {
    }

    /**
     * Adds to {@code violations} each invariant the counts break; {@code findingsAtStart} is the
     * sequence of the last finding before the soak (the leaks it names are the soak's).
     */
    static void check(List<String> violations, PlatformAdmin admin, long findingsAtStart,
            Map<String, WorkloadLoop.Counts> counts, Canary.Counts canary, Map<String, Long> end, Map<String, Long> baseline,
            long ramStart, long ramEnd, int devices) {
        for (WorkloadLoop.Counts c : counts.values()) {
            c.examples().forEach(e -> violations.add("workload " + e));
        }
        long dataErrors = counts.values().stream().mapToLong(WorkloadLoop.Counts::unexpectedDataErrors).sum();
        if (dataErrors > 0) {
            violations.add(dataErrors + " data error(s) in workload runs");
        }
        long exceptions = counts.values().stream().mapToLong(WorkloadLoop.Counts::exceptions).sum();
        if (exceptions > 0) {
            violations.add(exceptions + " exception(s) out of Workload.run");
        }
        long faults = counts.values().stream().mapToLong(WorkloadLoop.Counts::faults).sum();
        if (faults > 0) {
            violations.add(faults + " device fault(s) in workload runs");
        }
        canary.problems().forEach(violations::add);
        if (canary.staleRefused() != canary.staleAttempts()) {
            violations.add("the canary: " + (canary.staleAttempts() - canary.staleRefused()) + " of " + canary.staleAttempts()
                    + " released drivers' devices were not refused");
        }
        if (canary.staleAttempts() == 0) {
            violations.add("the canary was never swapped: no stale access was tried");
        }
        long leaks = totalOf(end, baseline, Stat.LEAKS_RECLAIMED);
        if (leaks > 0) {
            violations.add(leaks + " mapping(s) or coherent buffer(s) leaked by released drivers (reclaimed)");
            admin.findings().stream().filter(f -> f.sequence() > findingsAtStart && f.kind() == FindingKind.LEAK).limit(3)
                    .forEach(f -> violations.add("leak: " + f.device() + " on " + f.backend() + ": " + f.message()));
        }
        long abandoned = totalOf(end, baseline, Stat.SWAPS_ABANDONED);
        if (abandoned > 0) {
            violations.add(abandoned + " swap(s) abandoned: a driver did not release within the platform's bound");
        }
        long growth = ramEnd - ramStart;
        if (growth > devices * 4096L + RAM_SLACK) {
            violations.add("simulated RAM in use grew by " + SoakResult.bytes(growth) + " (" + SoakResult.bytes(ramStart) + " -> "
                    + SoakResult.bytes(ramEnd) + ") with every device back on its first backend: a page leak");
        }
    }
}
