package org.iommulab.smmu.v2.internal;

import java.util.Map;

import org.iommulab.api.config.ConfigValidator;
import org.osgi.service.component.annotations.Component;

/** Checks {@value SmmuV2Component#PID} configurations by the component's own rules. */
@Component(property = ConfigValidator.PID_PROPERTY + "=" + SmmuV2Component.PID)
public final class SmmuV2ConfigValidator implements ConfigValidator {
    @Override
    public void validate(Map<String, ?> properties) {
        SmmuV2ConfigRules.check(properties);
    }
}
