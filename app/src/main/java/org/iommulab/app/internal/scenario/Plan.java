package org.iommulab.app.internal.scenario;

import java.util.List;

import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.devices.WorkloadParams;

/**
 * A scenario checked against the running platform: the backends and runs in order, each run's
 * parameters final, and the device changes with the descriptors to restore. Immutable.
 */
public record Plan(List<String> backends, List<Run> runs, List<DeviceChange> changes) {
    public Plan {
        backends = List.copyOf(backends);
        runs = List.copyOf(runs);
        changes = List.copyOf(changes);
    }

    /** One workload to run on every backend of the plan. */
    public record Run(String workload, String device, boolean seededBug, WorkloadParams params) {
    }

    /** A device to replace for the run, and what to put back after it. */
    public record DeviceChange(int line, DeviceDescriptor original, DeviceDescriptor changed) {
    }
}
