package org.iommulab.iommu.generic.internal.driver;

import java.util.List;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.config.ConfigReader;
import org.iommulab.api.iommu.IommuResvRegion;
import org.iommulab.modelkit.driver.ForwardingIommuDriver;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The generic IOMMU as an OSGi service: builds the hardware model from its configuration and
 * registers the driver as an {@link IommuDriver} named {@value GenericIommuDriver#NAME}, which
 * iommu-dma turns into the {@code generic} DMA backend. A configuration change re-creates the
 * component (new hardware, new driver), so the backend is withdrawn and offered again.
 */
@Component(service = IommuDriver.class, configurationPid = GenericIommuComponent.PID,
        property = IommuDriver.NAME_PROPERTY + "=" + GenericIommuDriver.NAME)
@Designate(ocd = GenericIommuComponent.Config.class)
public final class GenericIommuComponent extends ForwardingIommuDriver {
    /** Configuration PID. */
    public static final String PID = "org.iommulab.iommu.generic";

    @ObjectClassDefinition(name = "iommulab generic IOMMU",
            description = "A simple page-table IOMMU for platforms without an SMMU: device table, stage-1 LPAE"
                    + " tables with a 4 KiB granule, IOTLB, register-based invalidation and a fault log.")
    public @interface Config {
        @AttributeDefinition(name = "Stream ID bits", description = "The device table has 2^n entries (1..16);"
                + " 16 covers every PCI requester ID (a 1 MiB table).")
        int streamIdBits() default 16;

        @AttributeDefinition(name = "Input address bits", description = "IOVA bits the hardware walks (32..48).")
        int inputAddressBits() default 48;

        @AttributeDefinition(name = "Output address bits", description = "Physical address bits (32, 36, 40, 42, 44, 48).")
        int outputAddressBits() default 48;

        @AttributeDefinition(name = "IOTLB entries", description = "Capacity; the IOTLB is flushed whole when full.")
        int iotlbEntries() default 256;

        @AttributeDefinition(name = "Fault log size", description = "Faults the hardware keeps.")
        int faultLogSize() default 256;

        @AttributeDefinition(name = "Privileged accesses",
                description = "Device accesses are privileged: stage-1 mappings made with DMA_ATTR_PRIVILEGED are"
                        + " reachable, AP[1] is not required.")
        boolean privilegedAccesses() default false;

        @AttributeDefinition(name = "Reserved regions",
                description = "What the driver reports as get_resv_regions for every device, each 'type base+size' in hex:"
                        + " sw-msi (where iommu-dma maps MSI doorbells), msi (an untranslated hardware MSI window),"
                        + " direct, direct-relaxable (mapped 1:1) or reserved (never mapped). The default is arm64's"
                        + " software MSI window.")
        String[] reservedRegions() default {"sw-msi 0x8000000+0x100000"};
    }

    private final GenericIommuDriver driver;

    @Activate
    public GenericIommuComponent(Config config) {
        List<IommuResvRegion> regions = GenericIommuConfigRules.check(ConfigReader.properties(config));
        GenericIommuModel hw = new GenericIommuModel(GenericIommuDriver.NAME, config.inputAddressBits(),
                config.outputAddressBits(), config.streamIdBits(), config.iotlbEntries(), config.faultLogSize(),
                config.privilegedAccesses());
        driver = new GenericIommuDriver(hw, regions);
    }

    /** The bundle or the configuration goes: the hardware is disabled and its table freed. */
    @Deactivate
    void deactivate() {
        driver.shutdown();
    }

    @Override
    public List<IommuResvRegion> resvRegions(DmaDevice device) {
        return driver.resvRegions(device);
    }

    @Override
    protected IommuDriver delegate() {
        return driver;
    }
}
