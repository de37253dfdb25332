package org.iommulab.smmu.v2.internal;

import java.util.List;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.config.ConfigReader;
import org.iommulab.api.iommu.IommuResvRegion;
import org.iommulab.modelkit.driver.ForwardingIommuDriver;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.smmu.v2.internal.driver.DriverOptions;
import org.iommulab.smmu.v2.internal.driver.SmmuV2Driver;
import org.iommulab.smmu.v2.internal.model.SmmuV2Model;
import org.iommulab.smmu.v2.internal.model.SmmuV2Params;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The {@code smmu-v2} IOMMU driver service: builds the SMMUv2 model in the platform's memory
 * from its configuration and probes it with the driver; iommu-dma turns the service into the
 * {@code smmu-v2} backend. A new configuration re-creates the component (there is no
 * {@code @Modified}): a different SMMU is different hardware, and the platform moves the
 * devices off and back.
 */
@Component(service = IommuDriver.class, configurationPid = SmmuV2Component.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {IommuDriver.NAME_PROPERTY + "=" + SmmuV2Driver.NAME, "service.ranking:Integer=150"})
@Designate(ocd = SmmuV2Component.Config.class)
public final class SmmuV2Component extends ForwardingIommuDriver {
    /** Stable configuration PID, so configuration files outlive refactoring. */
    public static final String PID = "org.iommulab.smmu.v2";

    @ObjectClassDefinition(name = "iommulab SMMUv2",
            description = "An ARM SMMUv2 (MMU-500 style) model and its Linux-shaped driver (arm-smmu.c).")
    public @interface Config {
        @AttributeDefinition(name = "SMR groups", min = "1", max = "128",
                description = "Stream match register groups (ID0.NUMSMRG).")
        int smrGroups() default 48;

        @AttributeDefinition(name = "Context banks", min = "1", max = "128", description = "Context banks (ID1.NUMCB).")
        int contextBanks() default 16;

        @AttributeDefinition(name = "Register page size", description = "ID1.PAGESIZE.",
                options = {@Option(label = "4 KiB", value = "4096"), @Option(label = "64 KiB", value = "65536")})
        int pageSize() default 4096;

        @AttributeDefinition(name = "IAS (bits)", description = "IPA size, ID2.IAS; also the VA size (ID2.UBS).",
                options = {@Option(label = "32", value = "32"), @Option(label = "36", value = "36"),
                    @Option(label = "40", value = "40"), @Option(label = "42", value = "42"),
                    @Option(label = "44", value = "44"), @Option(label = "48", value = "48")})
        int ias() default 48;

        @AttributeDefinition(name = "OAS (bits)", description = "Physical address size, ID2.OAS.",
                options = {@Option(label = "32", value = "32"), @Option(label = "36", value = "36"),
                    @Option(label = "40", value = "40"), @Option(label = "42", value = "42"),
                    @Option(label = "44", value = "44"), @Option(label = "48", value = "48")})
        int oas() default 48;

        @AttributeDefinition(name = "Translation granule",
                description = "The granule ID2 reports (PTFS_4K/16K/64K); 0 reports all three and Linux then uses 4 KiB.",
                options = {@Option(label = "all", value = "0"), @Option(label = "4 KiB", value = "4096"),
                    @Option(label = "16 KiB", value = "16384"), @Option(label = "64 KiB", value = "65536")})
        int granule() default 0;

        @AttributeDefinition(name = "Stage", description = "The stage paging domains use (Linux arm-smmu.force_stage); "
                + "the model implements both and nesting.",
                options = {@Option(label = "stage 1", value = "1"), @Option(label = "stage 2", value = "2")})
        int stage() default 1;

        @AttributeDefinition(name = "TLB entries", min = "4", max = "65536",
                description = "Entries of each context bank's TLB (a power of two).")
        int tlbEntries() default 128;

        @AttributeDefinition(name = "Sync latency (polls)", min = "0", max = "1000000",
                description = "Status reads that still see SACTIVE/GSACTIVE after a TLB sync.")
        int syncPolls() default 2;

        @AttributeDefinition(name = "Stream ID bits", min = "1", max = "15", description = "ID0.NUMSIDB.")
        int streamIdBits() default 15;

        @AttributeDefinition(name = "Disable bypass",
                description = "Linux arm-smmu.disable_bypass: unmatched and unattached streams fault.")
        boolean disableBypass() default true;

        @AttributeDefinition(name = "Per-page block invalidation",
                description = "Invalidate block mappings page by page (the Qualcomm SMMU-500 TLBIVA workaround).")
        boolean perPageBlockInvalidation() default false;
    }

    private final SmmuV2Driver driver;

    @Activate
    public SmmuV2Component(@Reference PlatformAdmin platform, Config config) {
        SmmuV2ConfigRules.check(ConfigReader.properties(config));
        SmmuV2Model hw = new SmmuV2Model(params(config), platform.memory(), SmmuV2Driver.NAME);
        driver = new SmmuV2Driver(hw, platform.memory(), platform.allocator(),
                new DriverOptions(config.stage(), config.disableBypass(), config.perPageBlockInvalidation()));
    }

    /** The hardware a configuration describes. */
    static SmmuV2Params params(Config c) {
        int g = c.granule();
        if (g != 0 && g != 4096 && g != 16384 && g != 65536) {
            throw new IllegalArgumentException("granule must be 0, 4096, 16384 or 65536, got " + g);
        }
        if (c.stage() != 1 && c.stage() != 2) {
            throw new IllegalArgumentException("stage must be 1 or 2, got " + c.stage());
        }
        return new SmmuV2Params(c.smrGroups(), c.contextBanks(), c.pageSize(), c.ias(), c.oas(), g == 0 || g == 4096,
                g == 0 || g == 16384, g == 0 || g == 65536, true, true, true, c.streamIdBits(), c.tlbEntries(),
                c.syncPolls()).validate();
    }

    @Deactivate
    void deactivate() {
        driver.shutdown();
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
