package org.iommulab.api.admin;

import org.iommulab.api.platform.DeviceDescriptor;

/** A device and where it is bound now. Immutable snapshot. */
public final class DeviceStatus {
    private final DeviceDescriptor descriptor;
    private final String backend;
    private final String targetFilter;
    private final int swaps;

    public DeviceStatus(DeviceDescriptor descriptor, String backend, String targetFilter, int swaps) {
        this.descriptor = descriptor;
        this.backend = backend;
        this.targetFilter = targetFilter;
        this.swaps = swaps;
    }

    public DeviceDescriptor descriptor() {
        return descriptor;
    }

    public String name() {
        return descriptor.name();
    }

    /** The backend the device is bound to, or null when none accepts it. */
    public String backend() {
        return backend;
    }

    /** The backend target filter from the device's configuration, or null. */
    public String targetFilter() {
        return targetFilter;
    }

    /** How many times the device moved from one backend to another. */
    public int swaps() {
        return swaps;
    }

    @Override
    public String toString() {
        return name() + " -> " + (backend == null ? "(unbound)" : backend) + " swaps=" + swaps;
    }
}
