package org.iommulab.replay.internal.device;

import org.iommulab.api.platform.DeviceDescriptor;

/**
 * A device named in the trace and the simulated device that plays it. {@code error} is set
 * (and {@code descriptor} may be null) when the platform would not take the device; its calls
 * are then counted and skipped. {@code settings} are the device file's, resolved.
 */
public record ReplayDevice(String traceName, String simName, DeviceDescriptor descriptor, boolean added, String error,
        DeviceSettings settings) {

    public ReplayDevice(String traceName, String simName, DeviceDescriptor descriptor, boolean added, String error) {
        this(traceName, simName, descriptor, added, error, DeviceConfig.BUILT_IN);
    }

    public boolean usable() {
        return error == null;
    }

    /** True when the device is kept off the IOMMU (replayed on dma-direct on every backend). */
    public boolean keptOffIommu() {
        return settings != null && Boolean.FALSE.equals(settings.iommu());
    }

    /** {@link DeviceSettings#MSI_AUTO}, {@link DeviceSettings#MSI_PROBE} or {@link DeviceSettings#MSI_OFF}. */
    public String msi() {
        return settings == null || settings.msi() == null ? DeviceSettings.MSI_AUTO : settings.msi();
    }
}
