package org.iommulab.api.platform;

/** Where the page allocator takes memory from, after Linux's zones on arm64. */
public enum Zone {
    /** Below 4 GiB, Linux {@code ZONE_DMA32}: reachable by a device with a 32-bit mask. */
    DMA32,
    /** Anywhere; RAM above 4 GiB first, then below, Linux {@code ZONE_NORMAL} with fallback. */
    NORMAL,
    /** Above 4 GiB only: for tests and workloads that need a buffer a 32-bit device cannot reach. */
    HIGH
}
