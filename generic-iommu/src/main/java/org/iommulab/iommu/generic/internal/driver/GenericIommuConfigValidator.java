package org.iommulab.iommu.generic.internal.driver;

import java.util.Map;

import org.iommulab.api.config.ConfigValidator;
import org.osgi.service.component.annotations.Component;

/** Checks {@value GenericIommuComponent#PID} configurations by the component's own rules. */
@Component(property = ConfigValidator.PID_PROPERTY + "=" + GenericIommuComponent.PID)
public final class GenericIommuConfigValidator implements ConfigValidator {
    @Override
    public void validate(Map<String, ?> properties) {
        GenericIommuConfigRules.check(properties);
    }
}
