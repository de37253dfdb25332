package org.iommulab.platform.internal.ds;

import java.util.Map;

import org.iommulab.api.config.ConfigValidator;
import org.osgi.service.component.annotations.Component;

/** Checks {@value PlatformComponent#PID} configurations by the platform component's own rules. */
@Component(property = ConfigValidator.PID_PROPERTY + "=" + PlatformComponent.PID)
public final class PlatformConfigValidator implements ConfigValidator {
    @Override
    public void validate(Map<String, ?> properties) {
        PlatformConfigRules.check(properties);
    }
}
