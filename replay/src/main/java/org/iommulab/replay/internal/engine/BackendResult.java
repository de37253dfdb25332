package org.iommulab.replay.internal.engine;

import java.util.List;

/** The replay of the whole trace on one backend: one report per trace device, and their total. */
public final class BackendResult {
    private final String backend;
    private final List<DeviceReport> devices;
    private final DeviceReport total;

    BackendResult(String backend, List<DeviceReport> devices) {
        this.backend = backend;
        this.devices = List.copyOf(devices);
        this.total = DeviceReport.sum("(all)", backend, devices);
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
