package org.iommulab.devices.internal.ds;

import java.util.List;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.devices.internal.core.DeviceModels;
import org.iommulab.devices.internal.core.ExtraDevices;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Adds the devices this bundle's drivers need beyond the platform's defaults (mmc0, mmc1,
 * testdev0; see {@link ExtraDevices}) and removes them when the bundle stops. It waits for the
 * device models so that each driver finds its hardware the moment its DmaApi appears.
 */
@Component(service = {}, immediate = true)
public final class ExtraDevicesComponent {
    private final PlatformAdmin admin;
    private final List<String> added;

    @Activate
    public ExtraDevicesComponent(@Reference(name = "platform") PlatformAdmin admin, @Reference(name = "models") DeviceModels models) {
        this.admin = admin;
        this.added = ExtraDevices.addMissing(admin);
    }

    @Deactivate
    void deactivate() {
        ExtraDevices.remove(admin, added);
    }
}
