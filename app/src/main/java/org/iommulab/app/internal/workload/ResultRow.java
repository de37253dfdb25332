package org.iommulab.app.internal.workload;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.Stat;

/** One row of the main job's table: a device's workload on one backend. */
public final class ResultRow {
    private final String backend;
    private final String device;
    private final WorkloadResult result;
    private final long[] statDelta;
    private final long nanos;
    private final String refusal;

    private ResultRow(String backend, String device, WorkloadResult result, long[] statDelta, long nanos, String refusal) {
        this.backend = backend;
        this.device = device;
        this.result = result;
        this.statDelta = statDelta;
        this.nanos = nanos;
        this.refusal = refusal;
    }

    /** A row for a workload that ran; the platform counters are the difference across the run. */
    public static ResultRow ran(String backend, String device, WorkloadResult result, DeviceStats before,
            DeviceStats after, long nanos) {
        long[] delta = new long[Stat.values().length];
        for (Stat s : Stat.values()) {
            delta[s.ordinal()] = after.get(s) - (before == null ? 0 : before.get(s));
        }
        return new ResultRow(backend, device, result, delta, nanos, null);
    }

    /** A row for a device the backend would not take. */
    public static ResultRow refused(String backend, String device, String why) {
        return new ResultRow(backend, device, null, null, 0, why);
    }

    public String backend() {
        return backend;
    }

    public String device() {
        return device;
    }

    /** Null when the backend refused the device. */
    public WorkloadResult result() {
        return result;
    }

    public String refusal() {
        return refusal;
    }

    public long stat(Stat s) {
        return statDelta == null ? 0 : statDelta[s.ordinal()];
    }

    public long nanos() {
        return nanos;
    }

    /** True when the workload ran and everything arrived intact with no fault or failed mapping. */
    public boolean clean() {
        return result != null && result.dataErrors() == 0 && result.faults() == 0 && result.mapFailures() == 0;
    }
}
