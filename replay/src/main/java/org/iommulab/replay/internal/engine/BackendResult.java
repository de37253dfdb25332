package org.iommulab.replay.internal.engine;

import java.util.List;

/** The replay of the whole trace on one backend: one report per trace device, and their total. */
public final class BackendResult {
    private final String backend;
    private final List<DeviceReport> devices;
    private final DeviceReport total;
    private final long foldedCalls;
    private final int highestCpu;
    private final int cpus;
    private final long unclaimedMaps;

    BackendResult(String backend, List<DeviceReport> devices) {
        this(backend, devices, 0, -1, 0, 0);
    }

    BackendResult(String backend, List<DeviceReport> devices, long foldedCalls, int highestCpu, int cpus, long unclaimedMaps) {
        this.backend = backend;
        this.devices = List.copyOf(devices);
        this.total = DeviceReport.sum("(all)", backend, devices);
        this.foldedCalls = foldedCalls;
        this.highestCpu = highestCpu;
        this.cpus = cpus;
        this.unclaimedMaps = unclaimedMaps;
    }

    /** Calls on trace CPUs the platform does not have, run on CPU {@code cpu % cpus()} instead. */
    public long foldedCalls() {
        return foldedCalls;
    }

    /** The highest CPU the trace named, or -1. */
    public int highestCpu() {
        return highestCpu;
    }

    /** The platform's CPU count during the pass (0 when the replay ran without a simulation). */
    public int cpus() {
        return cpus;
    }

    /** {@code iommu:map} events that no traced call produced and no device's MSI doorbell explains. */
    public long unclaimedMaps() {
        return unclaimedMaps;
    }

    public String backend() {
        return backend;
    }

    /** Reports by trace device, in the order the trace first names them. */
    public List<DeviceReport> devices() {
        return devices;
    }

    /** The report of trace device {@code traceName}, or null. */
    public DeviceReport device(String traceName) {
        for (DeviceReport d : devices) {
            if (d.traceDevice().equals(traceName)) {
                return d;
            }
        }
        return null;
    }

    /** The sum over every device. */
    public DeviceReport total() {
        return total;
    }
}
