package org.iommulab.platform.internal.ds;

import java.util.Map;

import org.iommulab.platform.internal.core.DeviceOrigin;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One device per {@code org.iommulab.device} factory configuration: added on activation,
 * rebound by the platform's rule when the configuration changes (its pin is dropped), removed
 * (its driver released first) when the configuration is deleted. A bad configuration fails the
 * activation with a message naming the property, and adds nothing.
 */
@Component(configurationPid = DeviceConfigComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = DeviceConfig.class, factory = true)
public final class DeviceConfigComponent {
    public static final String PID = "org.iommulab.device";

    private final DevicePlatform platform;
    private volatile String name;

    @Activate
    public DeviceConfigComponent(@Reference(name = "platform") DevicePlatform platform, Map<String, Object> properties) {
        this.platform = platform;
        DeviceSpec spec = DeviceConfigParser.parse(properties);
        platform.addDevice(spec.descriptor(), spec.backendTarget(), DeviceOrigin.CONFIGURATION);
        name = spec.descriptor().name();
    }

    @Modified
    void modified(Map<String, Object> properties) {
        DeviceSpec spec = DeviceConfigParser.parse(properties);
        String next = spec.descriptor().name();
        if (next.equals(name)) {
            platform.updateDevice(spec.descriptor(), spec.backendTarget());
            return;
        }
        // Renamed: one step, so the new device may keep the old one's stream IDs and a clash leaves the old one in place.
        platform.renameConfiguredDevice(name, spec.descriptor(), spec.backendTarget());
        name = next;
    }

    @Deactivate
    void deactivate() {
        platform.removeConfiguredDevice(name);
    }

    String deviceName() {
        return name;
    }
}
