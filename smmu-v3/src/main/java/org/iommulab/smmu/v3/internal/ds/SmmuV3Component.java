package org.iommulab.smmu.v3.internal.ds;

import java.util.List;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.config.ConfigReader;
import org.iommulab.api.iommu.IommuResvRegion;
import org.iommulab.modelkit.driver.ForwardingIommuDriver;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.smmu.v3.internal.driver.SmmuV3Driver;
import org.iommulab.smmu.v3.internal.model.SmmuV3Model;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The SMMUv3 as an {@link IommuDriver} service named {@value SmmuV3Driver#NAME}: on activation
 * it builds the hardware model in the platform's memory, probes it with the driver and
 * registers the driver; iommu-dma turns it into a DMA backend of the same name, carrying this
 * service's {@code service.ranking} (200 by default, above the generic IOMMU's) so a device
 * prefers it. A new configuration re-creates the SMMU (no {@code @Modified}): the platform swaps
 * its devices off and back. A thin shell over {@link SmmuV3Model} and {@link SmmuV3Driver}.
 */
@Component(service = IommuDriver.class, configurationPid = SmmuV3Component.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = IommuDriver.NAME_PROPERTY + "=" + SmmuV3Driver.NAME)
@Designate(ocd = SmmuV3Configuration.class)
public final class SmmuV3Component extends ForwardingIommuDriver {
    /** Stable configuration PID, so configuration files outlive refactoring. */
    public static final String PID = "org.iommulab.smmu.v3";

    private final SmmuV3Driver driver;

    @Activate
    public SmmuV3Component(@Reference PlatformAdmin platform, SmmuV3Configuration config) {
        SmmuV3ConfigRules.check(ConfigReader.properties(config));
        SmmuV3Model model = new SmmuV3Model(SmmuV3Driver.NAME, platform.memory(), SmmuV3Settings.features(config));
        SmmuV3Driver d = new SmmuV3Driver(SmmuV3Driver.NAME, model, platform.memory(), platform.allocator(),
                SmmuV3Settings.driver(config));
        d.probe();
        driver = d;
    }

    @Deactivate
    void deactivate() {
        driver.shutdown();
    }

    @Override
    public String toString() {
        return driver.toString();
    }

    /**
     * Forwarded here: {@code ForwardingIommuDriver} (model-kit) predates {@code get_resv_regions}
     * and would report none.
     */
    @Override
    public List<IommuResvRegion> resvRegions(DmaDevice device) {
        return delegate().resvRegions(device);
    }

    @Override
    protected IommuDriver delegate() {
        return driver;
    }
}
