package org.iommulab.smmu.v3.internal.ds;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** The SMMUv3's configuration (PID {@code org.iommulab.smmu.v3}): hardware features and driver choices. */
@ObjectClassDefinition(name = "iommulab SMMUv3", description = "An Arm SMMUv3 model (after QEMU's smmuv3) and its"
        + " Linux-shaped driver, registered as the IOMMU driver 'smmu-v3'.")
public @interface SmmuV3Configuration {
    @AttributeDefinition(name = "Stage", description = "Translation stages the SMMU implements and DMA domains use:"
            + " stage 1, stage 2, or stage 1 nested over an identity stage 2.",
            options = {@Option(label = "Stage 1", value = "1"), @Option(label = "Stage 2", value = "2"),
                @Option(label = "Nested", value = "nested")})
    String stage() default "1";

    @AttributeDefinition(name = "Stream table format", description = "Linear, or 2-level with 256-STE leaf arrays.",
            options = {@Option(label = "2-level", value = "2level"), @Option(label = "Linear", value = "linear")})
    String streamTableFormat() default "2level";

    @AttributeDefinition(name = "StreamID bits", min = "1", max = "24", description = "IDR1.SIDSIZE.")
    int sidBits() default 16;

    @AttributeDefinition(name = "SubstreamID bits", min = "0", max = "20",
            description = "IDR1.SSIDSIZE; 0 disables SubstreamIDs (STE.S1CDMax is then ignored).")
    int ssidBits() default 0;

    @AttributeDefinition(name = "Granule", description = "Page table granule of DMA domains.",
            options = {@Option(label = "4 KiB", value = "4K"), @Option(label = "16 KiB", value = "16K"),
                @Option(label = "64 KiB", value = "64K")})
    String granule() default "4K";

    @AttributeDefinition(name = "IAS (bits)", min = "32", max = "48", description = "Input address size of stage-1 domains.")
    int ias() default 48;

    @AttributeDefinition(name = "OAS (bits)", description = "IDR5.OAS: 32, 36, 40, 42, 44 or 48.")
    int oas() default 44;

    @AttributeDefinition(name = "Command queue log2 size", min = "7", max = "19", description = "IDR1.CMDQS.")
    int cmdqLog2Size() default 8;

    @AttributeDefinition(name = "Event queue log2 size", min = "1", max = "19", description = "IDR1.EVENTQS.")
    int evtqLog2Size() default 8;

    @AttributeDefinition(name = "IOTLB entries", min = "1", max = "1048576",
            description = "IOTLB capacity; a full IOTLB evicts one entry at a time.")
    int iotlbEntries() default 256;

    @AttributeDefinition(name = "Range invalidation", description = "IDR3.RIL: TLBI commands with TG/NUM/SCALE.")
    boolean ril() default true;

    @AttributeDefinition(name = "MSI polling", description = "Await CMD_SYNC by its MSI write (Linux's MSIPOLL)"
            + " rather than by SEV and polling CONS.")
    boolean msiPoll() default true;

    @AttributeDefinition(name = "Service ranking", description = "service.ranking of the IOMMU driver service, which"
            + " iommu-dma gives the backend: above the generic IOMMU's 100 so devices prefer the SMMU.")
    int service_ranking() default 200;
}
