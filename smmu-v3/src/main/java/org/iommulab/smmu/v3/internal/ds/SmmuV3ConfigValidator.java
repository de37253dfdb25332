package org.iommulab.smmu.v3.internal.ds;

import java.util.Map;

import org.iommulab.api.config.ConfigValidator;
import org.osgi.service.component.annotations.Component;

/** Checks {@value SmmuV3Component#PID} configurations by the component's own rules. */
@Component(property = ConfigValidator.PID_PROPERTY + "=" + SmmuV3Component.PID)
public final class SmmuV3ConfigValidator implements ConfigValidator {
    @Override
    public void validate(Map<String, ?> properties) {
        SmmuV3ConfigRules.check(properties);
    }
}
