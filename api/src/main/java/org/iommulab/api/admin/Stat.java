package org.iommulab.api.admin;

/** What the platform counts per device and backend. */
public enum Stat {
    /** Successful single mappings (page, phys, resource). */
    MAPS,
    /** Single unmaps. */
    UNMAPS,
    /** Successful sg mappings. */
    SG_MAPS,
    /** sg unmaps. */
    SG_UNMAPS,
    /** CPU entries of successful sg mappings. */
    SG_ENTRIES,
    /** DMA segments those sg mappings produced. */
    SG_SEGMENTS,
    /** Bytes mapped by successful mappings of every kind. */
    MAPPED_BYTES,
    /** Mappings that failed (mapping error, 0, negative status, null). */
    MAP_FAILURES,
    /** Sync calls of every kind. */
    SYNCS,
    /** Coherent allocations. */
    COHERENT_ALLOCS,
    /** Coherent frees. */
    COHERENT_FREES,
    /** Bytes the device read through its bus master. */
    DEVICE_READ_BYTES,
    /** Bytes the device wrote through its bus master. */
    DEVICE_WRITE_BYTES,
    /** Faults reported for the device. */
    FAULTS,
    /** Warnings the backend logged for the device. */
    WARNINGS,
    /** Mappings and coherent buffers the driver still held when it was released, reclaimed by the platform. */
    LEAKS_RECLAIMED,
    /** Bytes copied into and out of bounce buffers (from the backend's counters). */
    BOUNCED_BYTES,
    /** IOTLB hits (from the backend's counters; 0 where there is no IOTLB). */
    IOTLB_HITS,
    /** IOTLB misses (from the backend's counters). */
    IOTLB_MISSES,
    /** Findings the DMA-API checker reported. */
    CHECKER_FINDINGS,
    /**
     * Bytes of other allocations the device could reach because they share pages with a
     * mapping, summed over mappings (sub-page exposure).
     */
    EXPOSED_BYTES,
    /**
     * Device accesses refused because they came through the bus master of a released driver
     * (DMA after driver release), counted on the backend that driver was bound to.
     */
    STALE_DMA_REFUSED,
    /**
     * Swaps away from this backend that were abandoned: the driver did not release within the
     * platform's bound (or its calls or device accesses did not drain), so the device stayed.
     */
    SWAPS_ABANDONED
}
