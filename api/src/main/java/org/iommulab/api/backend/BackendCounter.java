package org.iommulab.api.backend;

/** Counters a backend may keep per attached device; see {@link DeviceBinding#counter}. */
public enum BackendCounter {
    /** Bytes copied into bounce buffers (original to bounce). */
    BOUNCED_BYTES_TO_DEVICE,
    /** Bytes copied out of bounce buffers (bounce to original). */
    BOUNCED_BYTES_FROM_DEVICE,
    /** Mappings that went through a bounce buffer. */
    BOUNCED_MAPPINGS,
    /** Translations served by the IOTLB. */
    IOTLB_HITS,
    /** Translations that needed a table walk. */
    IOTLB_MISSES,
    /** IOTLB invalidation operations the driver issued. */
    IOTLB_INVALIDATIONS,
    /** Bytes of IOVA space this device holds now. */
    IOVA_BYTES_IN_USE,
    /** Most IOVA space this device held at once. */
    IOVA_BYTES_PEAK,
    /**
     * Device accesses that reached an IOVA already unmapped by the driver but not yet
     * invalidated: the lazy-mode window.
     */
    STALE_TRANSLATIONS
}
