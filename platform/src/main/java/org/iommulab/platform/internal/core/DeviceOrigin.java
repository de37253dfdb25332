package org.iommulab.platform.internal.core;

/** Where a device came from, which decides who may remove it. */
public enum DeviceOrigin {
    /** The platform's built-in default set ({@code defaultDevices=true}). */
    DEFAULT,
    /** A factory configuration of {@code org.iommulab.device}: removed when the configuration goes. */
    CONFIGURATION,
    /** {@link org.iommulab.api.admin.PlatformAdmin#addDevice}: tests and scenarios. */
    ADMIN
}
