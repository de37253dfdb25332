package org.iommulab.app.internal.soak;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * What a soak did and whether every invariant held. Immutable.
 *
 * @param settings what was asked
 * @param swaps device moves done (binds and moves caused by bundle stop/start)
 * @param binds device moves seen after the soak's binds
 * @param bindsRefused binds the platform refused (the backend did not accept the device); not a violation
 * @param bounces bundle stop/start cycles
 * @param movesByBounces device moves seen after bundle stops and starts
 * @param pairs device moves per "from -> to" backend pair, as seen between operations
 * @param workloads what each workload loop counted, by workload name
 * @param canary what the canary saw
 * @param staleRefused device accesses refused as DMA after driver release, on the soak's devices (the canary's included)
 * @param abandoned swaps abandoned (a driver did not release within the platform's bound)
 * @param leaks mappings and coherent buffers reclaimed from drivers that leaked them
 * @param ramStart simulated RAM allocated when the soak began (bytes)
 * @param ramEnd simulated RAM allocated once the soak ended and its devices were back where they began (bytes)
 * @param wallNanos host wall time of the whole soak
 * @param violations every invariant that did not hold, empty when the soak passed
 * @param deadlocked true when an operation did not end within its bound: the platform may be stuck
 *        (the violation carries every thread's stack), and a process should exit without
 *        stopping the framework
 */
public record SoakResult(SoakSettings settings, long swaps, long binds, long bindsRefused, long bounces, long movesByBounces,
        Map<String, Long> pairs, Map<String, WorkloadLoop.Counts> workloads, Canary.Counts canary, long staleRefused,
        long abandoned, long leaks, long ramStart, long ramEnd, long wallNanos, List<String> violations, boolean deadlocked) {

    public SoakResult {
        pairs = Map.copyOf(pairs);
        workloads = Map.copyOf(workloads);
        violations = List.copyOf(violations);
    }

    /** True when every invariant held. */
    public boolean passed() {
        return violations.isEmpty();
    }

    public long runs() {
        return workloads.values().stream().mapToLong(WorkloadLoop.Counts::runs).sum();
    }

    public long bytesMoved() {
        return workloads.values().stream().mapToLong(WorkloadLoop.Counts::bytes).sum();
    }

    public long dataErrors() {
        return workloads.values().stream().mapToLong(WorkloadLoop.Counts::unexpectedDataErrors).sum();
    }

    public long exceptions() {
        return workloads.values().stream().mapToLong(WorkloadLoop.Counts::exceptions).sum();
    }

    public long faults() {
        return workloads.values().stream().mapToLong(WorkloadLoop.Counts::faults).sum();
    }

    /** The summary: what was done, every invariant's count, and the verdict (violations listed). */
    public void print(PrintStream out) {
        double seconds = wallNanos / 1e9;
        out.printf("soak: seed %d, %d swaps in %.1f s host wall time (%.0f swaps/s)%n", settings.seed(), swaps, seconds,
                seconds > 0 ? swaps / seconds : 0.0);
        out.printf("  swaps:                 %d; seen between operations: %d after binds, %d after %d backend bundle"
                + " stop/start cycles (a device moved twice by one operation counts once there); %d binds refused%n",
                swaps, binds, movesByBounces, bounces, bindsRefused);
        out.println("  seen per backend pair (from -> to):");
        pairs.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.printf("    %-24s %d%n", e.getKey(), e.getValue()));
        out.printf("  workload runs:         %d (%d clean, %d cut short by a swap), %d operations%n", runs(),
                sum(WorkloadLoop.Counts::clean), sum(WorkloadLoop.Counts::cutShort), sum(WorkloadLoop.Counts::operations));
        workloads.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.printf("    %-12s %8d runs %10s%s%n", e.getKey(), e.getValue().runs(),
                        bytes(e.getValue().bytes()),
                        e.getValue().seededSkipped() > 0 ? " (seeded bug: runs only off IOMMUs)" : ""));
        out.printf("  bytes moved:           %s%n", bytes(bytesMoved()));
        out.printf("  stale DMA refused:     %d (canary: %d released drivers replayed, %d refused with nothing written)%n",
                staleRefused, canary.staleAttempts(), canary.staleRefused());
        out.printf("  swaps abandoned:       %d%n", abandoned);
        out.printf("  leaked mappings:       %d%n", leaks);
        out.printf("  data errors:           %d%n", dataErrors());
        out.printf("  device faults in runs: %d%n", faults());
        out.printf("  exceptions out of run: %d%n", exceptions());
        out.printf("  simulated RAM in use:  %s at the start, %s at the end%n", bytes(ramStart), bytes(ramEnd));
        if (passed()) {
            out.println("soak: PASSED: no deadlock, no byte wrong, no stale access reached memory, no leak, no exception");
        } else {
            out.println("soak: FAILED (seed " + settings.seed() + "): " + violations.size() + " invariant(s) broken:");
            violations.forEach(v -> out.println("  - " + v));
        }
        out.flush();
    }

    private long sum(java.util.function.ToLongFunction<WorkloadLoop.Counts> f) {
        return workloads.values().stream().mapToLong(f).sum();
    }

    static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format("%.2f GiB", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format("%.1f MiB", n / (double) (1L << 20));
        }
        if (n >= 1L << 10) {
            return String.format("%.1f KiB", n / 1024.0);
        }
        return n + " B";
    }
}
