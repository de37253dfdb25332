package org.iommulab.platform.internal.ds;

import org.iommulab.api.platform.DeviceDescriptor;

/** A device as one {@code org.iommulab.device} configuration describes it. Immutable. */
public final class DeviceSpec {
    private final DeviceDescriptor descriptor;
    private final String backendTarget;

    DeviceSpec(DeviceDescriptor descriptor, String backendTarget) {
        this.descriptor = descriptor;
        this.backendTarget = backendTarget;
    }

    public DeviceDescriptor descriptor() {
        return descriptor;
    }

    /** The LDAP filter on backend properties, or null. */
    public String backendTarget() {
        return backendTarget;
    }
}
