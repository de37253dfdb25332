package org.iommulab.replay.internal.device;

import org.iommulab.api.platform.DeviceDescriptor;

/**
 * A device named in the trace and the simulated device that plays it. {@code error} is set
 * (and {@code descriptor} may be null) when the platform would not take the device; its calls
 * are then counted and skipped.
 */
public record ReplayDevice(String traceName, String simName, DeviceDescriptor descriptor, boolean added, String error) {
    public boolean usable() {
        return error == null;
    }
}
