package org.iommulab.api.iommu;

/** Linux {@code IOMMU_DOMAIN_*}. */
public enum DomainType {
    /** All DMA is blocked. */
    BLOCKED,
    /** DMA addresses are physical addresses (bypass). */
    IDENTITY,
    /** Mappings are managed by the caller (VFIO-style). */
    UNMANAGED,
    /** Mappings are managed by iommu-dma, invalidated strictly. */
    DMA,
    /** Mappings are managed by iommu-dma, invalidated lazily through a flush queue. */
    DMA_FQ
}
