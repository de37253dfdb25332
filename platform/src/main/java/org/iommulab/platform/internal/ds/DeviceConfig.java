package org.iommulab.platform.internal.ds;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Factory configuration {@code org.iommulab.device}: one simulated DMA device each. Read by
 * {@link DeviceConfigParser}, which also takes hex strings for the masks and the stream IDs.
 */
@ObjectClassDefinition(id = DeviceConfigComponent.PID, name = "iommulab device",
        description = "A simulated DMA device, as firmware and its bus describe it to Linux.")
public @interface DeviceConfig {
    @AttributeDefinition(name = "Name", description = "Unique device name, [A-Za-z0-9_.:-]+ (for example nic1).")
    String name();

    @AttributeDefinition(name = "Stream IDs", cardinality = 64,
            description = "SMMU StreamIDs / requester IDs the device's accesses carry; the first is the primary one.")
    int[] streamIds() default {0};

    @AttributeDefinition(name = "DMA mask bits", min = "1", max = "64",
            description = "Width of the DMA mask before the driver sets one.")
    int dmaMaskBits() default 32;

    @AttributeDefinition(name = "Bus limit bits", min = "0", max = "64",
            description = "Linux bus_dma_limit as a width in bits; 0 for none.")
    int busLimitBits() default 0;

    @AttributeDefinition(name = "Coherent", description = "dev_is_dma_coherent(): no cache maintenance needed.")
    boolean coherent() default true;

    @AttributeDefinition(name = "Trusted", description = "False for an external-facing device: strict IOMMU mode and bouncing.")
    boolean trusted() default true;

    @AttributeDefinition(name = "PCI", description = "A PCI device, which iommu-dma keeps below 4 GiB first.")
    boolean pci() default false;

    @AttributeDefinition(name = "Max segment size",
            description = "dma_get_max_seg_size() in bytes, 1..4G-1: bytes, or a number ending in K, M or G"
                    + " (Linux default 64 KiB).")
    String maxSegmentSize() default "64K";

    @AttributeDefinition(name = "Segment boundary mask",
            description = "dma_get_seg_boundary(), 2^n-1, decimal or 0x hex; no boundary by default.")
    String segmentBoundaryMask() default "0xffffffffffffffff";

    @AttributeDefinition(name = "Min align mask",
            description = "dma_get_min_align_mask(): low address bits a bounce buffer keeps; 0 or 2^n-1, decimal or 0x hex.")
    String minAlignMask() default "0";

    @AttributeDefinition(name = "Backend target", required = false,
            description = "LDAP filter on backend service properties, e.g. (iommulab.backend.name=swiotlb); "
                    + "empty binds to the highest-ranked backend that accepts the device.")
    String backend_target() default "";
}
