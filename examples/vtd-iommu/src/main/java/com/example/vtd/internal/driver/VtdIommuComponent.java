package com.example.vtd.internal.driver;

import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.modelkit.driver.ForwardingIommuDriver;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.model.VtdHardware;

/**
 * The VT-d model as an OSGi service: builds the hardware from its configuration and registers
 * the driver as an {@link IommuDriver} named {@value VtdIommuDriver#NAME}, which iommu-dma turns
 * into the {@code vtd-iommu} DMA backend.
 *
 * <p>Ranking 50: below every built-in IOMMU backend (generic 100, smmu-v2 150, smmu-v3 200), so
 * dropping this bundle into a running container moves no device that already has a built-in
 * IOMMU; above swiotlb (10) and direct (0), so where no other IOMMU is present devices prefer it
 * to bouncing or no isolation. Tests and the TCK select it by name.
 *
 * <p>The seeded fault, if any, comes from the system property {@value Seed#PROPERTY}, read once
 * at activation; an unknown value fails the activation with the list of known ones. A
 * configuration change re-creates the component (new hardware, new driver).
 */
@Component(service = IommuDriver.class, configurationPid = VtdIommuComponent.PID,
        property = {IommuDriver.NAME_PROPERTY + "=" + VtdIommuDriver.NAME, "service.ranking:Integer=50"})
@Designate(ocd = VtdIommuComponent.Config.class)
public final class VtdIommuComponent extends ForwardingIommuDriver {
    /** Configuration PID. */
    public static final String PID = "com.example.vtd";

    @ObjectClassDefinition(name = "Example VT-d IOMMU",
            description = "An Intel VT-d style remapping unit per PCI segment (root and context tables, second-level"
                    + " tables, IOTLB, fault recording registers, invalidation queue) and its driver.")
    public @interface Config {
        @AttributeDefinition(name = "Host address width", description = "Physical address bits (39..52).")
        int hostAddressWidth() default 48;

        @AttributeDefinition(name = "MGAW", description = "Maximum guest address width: 39 (3-level) or 48 (4-level).")
        int maxGuestAddressWidth() default 48;

        @AttributeDefinition(name = "CAP.ND", description = "Domain IDs per unit: 2^(4+2*ND), ND 0..6.")
        int domainIdEncoding() default 4;

        @AttributeDefinition(name = "IOTLB entries", description = "Capacity of each unit's IOTLB (LRU).")
        int iotlbEntries() default 256;

        @AttributeDefinition(name = "Fault recording registers", description = "CAP.NFR + 1, 1..256.")
        int faultRecords() default 8;

        @AttributeDefinition(name = "CAP.MAMV", description = "Largest page-selective invalidation: 2^MAMV pages.")
        int maxAddressMask() default 18;
    }

    private final VtdIommuDriver driver;

    @Activate
    public VtdIommuComponent(Config config) {
        VtdHardware hw = new VtdHardware(VtdIommuDriver.NAME, config.hostAddressWidth(), config.maxGuestAddressWidth(),
                config.domainIdEncoding(), config.iotlbEntries(), config.faultRecords(), config.maxAddressMask(),
                Seed.fromSystemProperty());
        driver = new VtdIommuDriver(hw);
    }

    @Deactivate
    void deactivate() {
        driver.shutdown();
    }

    @Override
    protected IommuDriver delegate() {
        return driver;
    }
}
