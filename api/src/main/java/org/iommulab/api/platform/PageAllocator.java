package org.iommulab.api.platform;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The platform's allocator of physical memory: whole pages (Linux {@code alloc_pages}) and
 * sub-page objects that share pages with each other (Linux {@code kmalloc}). It knows every
 * live allocation, so the checker can tell a CPU access inside an allocation from one outside,
 * and how many bytes of other allocations share a mapped buffer's pages.
 */
@ProviderType
public interface PageAllocator {
    int PAGE_SHIFT = 12;
    long PAGE_SIZE = 1L << PAGE_SHIFT;
    /** Returned when memory ran out, Linux's {@code NULL}. */
    long NO_MEMORY = -1L;

    /**
     * Allocates {@code count} physically contiguous pages, aligned to the page size, from
     * {@code zone}. Returns the physical address, or {@link #NO_MEMORY}.
     *
     * @throws IllegalArgumentException for a non-positive count or a null zone
     */
    long allocPages(long count, Zone zone);

    /**
     * Allocates {@code size} bytes, Linux {@code kmalloc}: sizes below a page come from size
     * classes that pack objects into shared pages (aligned to their power-of-two class, at least
     * {@link #KMALLOC_MIN_ALIGN}); larger sizes get whole pages. Returns the physical address, or
     * {@link #NO_MEMORY}.
     */
    long kmalloc(long size, Zone zone);

    /** Smallest kmalloc alignment, arm64's {@code ARCH_KMALLOC_MINALIGN} with cache-line DMA safety. */
    int KMALLOC_MIN_ALIGN = 64;

    /**
     * Frees the allocation that starts at {@code addr} (from either method).
     *
     * @throws IllegalArgumentException when no allocation starts there; nothing changes
     */
    void free(long addr);

    /** True when {@code addr} lies inside a live allocation. */
    boolean isAllocated(long addr);

    /** Start of the live allocation containing {@code addr}, or {@link #NO_MEMORY}. */
    long allocationStart(long addr);

    /** Size of the live allocation starting at {@code start}, or 0 if none starts there. */
    long allocationSize(long start);

    /** Bytes allocated now (whole pages for page allocations, the object size for kmalloc). */
    long allocatedBytes();

    /** Bytes still free in {@code zone}'s RAM. */
    long freeBytes(Zone zone);

    /**
     * Returns the free pages an allocator keeps aside for quick reuse (Linux's per-CPU page
     * lists) to its free areas, where they merge with their neighbours: Linux's
     * {@code drain_all_pages()}. Afterwards where the next allocations land depends only on the
     * live allocations, not on the order in which earlier frees came. Frees nothing and
     * allocates nothing; an allocator without such lists does nothing (the default).
     */
    default void drainAllPages() {
    }
}
