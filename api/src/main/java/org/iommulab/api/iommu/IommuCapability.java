package org.iommulab.api.iommu;

/** Linux {@code enum iommu_cap}. */
public enum IommuCapability {
    /** The IOMMU can enforce cache-coherent DMA. */
    CACHE_COHERENCY,
    /** No-execute protection is supported. */
    NOEXEC,
    /** Translation protects memory before boot completes. */
    PRE_BOOT_PROTECTION,
    /** Coherency can be enforced for every mapping. */
    ENFORCE_CACHE_COHERENCY,
    /** Invalidation may be deferred (a flush queue is allowed). */
    DEFERRED_FLUSH,
    /** Dirty tracking is supported. */
    DIRTY_TRACKING
}
