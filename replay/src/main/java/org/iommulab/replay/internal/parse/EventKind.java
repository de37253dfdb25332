package org.iommulab.replay.internal.parse;

import java.util.HashMap;
import java.util.Map;

/**
 * The trace events the replay understands, by their ftrace names, with the printk format class
 * each one uses. Sources: Linux {@code include/trace/events/dma.h} as merged in v6.12
 * (gregkh/linux @1edd532f: dma_map_page, dma_map_resource, dma_alloc, dma_free, dma_map_sg,
 * dma_unmap_sg, syncs), v6.13 additions (Sean Anderson, "[PATCH v2 1/4] dma-mapping: Use
 * macros to define events in a class", 2024-10-18: dma_alloc_pages, dma_alloc_sgt(_err),
 * dma_free_pages, dma_free_sgt, dma_map_sg_err), the physical-address rework
 * (linux-next @6725ada4: dma_map_phys/dma_unmap_phys beside dma_map_resource) and the current
 * tree (torvalds/linux @0b9828c7: dma_map_resource folded into dma_map_phys with
 * DMA_ATTR_MMIO); and {@code include/trace/events/iommu.h} (torvalds/linux @03ab8e62).
 */
public enum EventKind {
    DMA_MAP_PAGE("dma_map_page", Format.MAP),
    DMA_MAP_PHYS("dma_map_phys", Format.MAP),
    DMA_MAP_RESOURCE("dma_map_resource", Format.MAP),
    DMA_UNMAP_PAGE("dma_unmap_page", Format.UNMAP),
    DMA_UNMAP_PHYS("dma_unmap_phys", Format.UNMAP),
    DMA_UNMAP_RESOURCE("dma_unmap_resource", Format.UNMAP),
    DMA_MAP_SG("dma_map_sg", Format.MAP_SG),
    DMA_MAP_SG_ERR("dma_map_sg_err", Format.MAP_SG_ERR),
    DMA_UNMAP_SG("dma_unmap_sg", Format.UNMAP_SG),
    DMA_ALLOC("dma_alloc", Format.ALLOC),
    DMA_ALLOC_PAGES("dma_alloc_pages", Format.ALLOC),
    DMA_ALLOC_SGT_ERR("dma_alloc_sgt_err", Format.ALLOC),
    DMA_ALLOC_SGT("dma_alloc_sgt", Format.ALLOC_SGT),
    DMA_FREE("dma_free", Format.FREE),
    DMA_FREE_PAGES("dma_free_pages", Format.FREE),
    DMA_FREE_SGT("dma_free_sgt", Format.FREE_SGT),
    DMA_SYNC_SINGLE_FOR_CPU("dma_sync_single_for_cpu", Format.SYNC_SINGLE),
    DMA_SYNC_SINGLE_FOR_DEVICE("dma_sync_single_for_device", Format.SYNC_SINGLE),
    DMA_SYNC_SG_FOR_CPU("dma_sync_sg_for_cpu", Format.SYNC_SG),
    DMA_SYNC_SG_FOR_DEVICE("dma_sync_sg_for_device", Format.SYNC_SG),
    IOMMU_MAP("map", Format.IOMMU_MAP),
    IOMMU_UNMAP("unmap", Format.IOMMU_UNMAP),
    IOMMU_ATTACH("attach_device_to_domain", Format.IOMMU_DEVICE),
    IOMMU_DETACH("detach_device_from_domain", Format.IOMMU_DEVICE),
    IOMMU_ADD_TO_GROUP("add_device_to_group", Format.IOMMU_GROUP),
    IOMMU_REMOVE_FROM_GROUP("remove_device_from_group", Format.IOMMU_GROUP),
    IOMMU_PAGE_FAULT("io_page_fault", Format.IOMMU_FAULT);

    /** The TP_printk format an event prints its fields with (one per event class). */
    public enum Format {
        /** {@code "%s dir=%s dma_addr=%llx size=%zu phys_addr=%llx attrs=%s"} (class dma_map). */
        MAP,
        /** {@code "%s dir=%s dma_addr=%llx size=%zu attrs=%s"} (class dma_unmap). */
        UNMAP,
        /**
         * {@code "%s dir=%s dma_addrs=%s sizes=%s phys_addrs=%s attrs=%s"} (v6.12), or with the
         * 128-entry cap {@code "%s dir=%s nents=%d/%d ents=%d/%d%s dma_addrs=..."} where {@code %s}
         * is {@code " [TRUNCATED]"} or empty (upstream daafcc0ef0b3, also in 6.12+ stable).
         */
        MAP_SG,
        /** {@code "%s dir=%s dma_addrs=%s err=%d attrs=%s"}: the array printed as dma_addrs holds the phys addresses. */
        MAP_SG_ERR,
        /** {@code "%s dir=%s phys_addrs=%s attrs=%s"}. */
        UNMAP_SG,
        /** {@code "%s dir=%s dma_addr=%llx size=%zu virt_addr=%p flags=%s attrs=%s"} (class dma_alloc_class). */
        ALLOC,
        /** {@code "%s dir=%s dma_addr=%llx size=%zu phys_addrs=%s flags=%s attrs=%s"}. */
        ALLOC_SGT,
        /** {@code "%s dir=%s dma_addr=%llx size=%zu virt_addr=%p attrs=%s"} (class dma_free_class). */
        FREE,
        /** {@code "%s dir=%s dma_addr=%llx size=%zu phys_addrs=%s"}. */
        FREE_SGT,
        /** {@code "%s dir=%s dma_addr=%llx size=%zu"}. */
        SYNC_SINGLE,
        /** {@code "%s dir=%s dma_addrs=%s sizes=%s"}. */
        SYNC_SG,
        /** {@code "IOMMU: iova=0x%016llx - 0x%016llx paddr=0x%016llx size=%zu"}: no device name. */
        IOMMU_MAP,
        /** {@code "IOMMU: iova=0x%016llx - 0x%016llx size=%zu unmapped_size=%zu"}: no device name. */
        IOMMU_UNMAP,
        /** {@code "IOMMU: device=%s"}. */
        IOMMU_DEVICE,
        /** {@code "IOMMU: groupID=%d device=%s"}. */
        IOMMU_GROUP,
        /** {@code "IOMMU:%s %s iova=0x%016llx flags=0x%04x"} (driver, device). */
        IOMMU_FAULT
    }

    private static final Map<String, EventKind> BY_NAME = new HashMap<>();

    static {
        for (EventKind k : values()) {
            BY_NAME.put(k.traceName, k);
        }
    }

    private final String traceName;
    private final Format format;

    EventKind(String traceName, Format format) {
        this.traceName = traceName;
        this.format = format;
    }

    /** The event's name as ftrace prints it. */
    public String traceName() {
        return traceName;
    }

    public Format format() {
        return format;
    }

    /** True for events of the {@code dma} trace system (a DMA-API call of a device). */
    public boolean isDma() {
        return ordinal() < IOMMU_MAP.ordinal();
    }

    /**
     * The kind named {@code name} (optionally {@code system:name}), or null. The iommu events
     * have generic names ({@code map}, {@code unmap}); a {@code system:} prefix other than
     * {@code iommu} or {@code dma} does not match.
     */
    public static EventKind byName(String name) {
        int colon = name.indexOf(':');
        if (colon >= 0) {
            String system = name.substring(0, colon);
            EventKind k = BY_NAME.get(name.substring(colon + 1));
            if (k == null) {
                return null;
            }
            return (k.isDma() ? "dma" : "iommu").equals(system) ? k : null;
        }
        return BY_NAME.get(name);
    }
}
