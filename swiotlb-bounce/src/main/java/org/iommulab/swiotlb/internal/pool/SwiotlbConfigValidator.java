package org.iommulab.swiotlb.internal.pool;

import java.util.Map;

import org.iommulab.api.config.ConfigValidator;
import org.osgi.service.component.annotations.Component;

/** Checks {@value SwiotlbPoolComponent#PID} configurations by the pool component's own rules. */
@Component(property = ConfigValidator.PID_PROPERTY + "=" + SwiotlbPoolComponent.PID)
public final class SwiotlbConfigValidator implements ConfigValidator {
    @Override
    public void validate(Map<String, ?> properties) {
        SwiotlbPoolConfig.read(properties);
    }
}
