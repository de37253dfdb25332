package org.iommulab.iommu.dma.internal.dma;

import java.util.Map;

import org.iommulab.api.config.ConfigValidator;
import org.osgi.service.component.annotations.Component;

/** Checks {@value IommuDmaWhiteboard#PID} configurations by the whiteboard's own rules. */
@Component(property = ConfigValidator.PID_PROPERTY + "=" + IommuDmaWhiteboard.PID)
public final class IommuDmaConfigValidator implements ConfigValidator {
    @Override
    public void validate(Map<String, ?> properties) {
        IommuDmaConfigRules.check(properties);
    }
}
