package org.iommulab.platform.internal.ds;

import java.util.Map;

import org.iommulab.api.config.ConfigValidator;
import org.osgi.service.component.annotations.Component;

/** Checks {@value DeviceConfigComponent#PID} factory configurations as the device component reads them. */
@Component(property = ConfigValidator.PID_PROPERTY + "=" + DeviceConfigComponent.PID)
public final class DeviceConfigValidator implements ConfigValidator {
    @Override
    public void validate(Map<String, ?> properties) {
        DeviceConfigParser.parse(properties);
    }
}
