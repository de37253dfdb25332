package org.iommulab.api.dma;

/**
 * DMA attribute bits, Linux {@code DMA_ATTR_*} from {@code include/linux/dma-mapping.h} with the
 * same bit values, passed as an {@code int} so that a mapping call allocates nothing.
 */
public final class DmaAttrs {
    /** No attributes. */
    public static final int NONE = 0;
    /** Linux {@code DMA_ATTR_WEAK_ORDERING}. */
    public static final int WEAK_ORDERING = 1 << 1;
    /** Linux {@code DMA_ATTR_WRITE_COMBINE}. */
    public static final int WRITE_COMBINE = 1 << 2;
    /** Linux {@code DMA_ATTR_NO_KERNEL_MAPPING}. */
    public static final int NO_KERNEL_MAPPING = 1 << 4;
    /** Linux {@code DMA_ATTR_SKIP_CPU_SYNC}: map or unmap without the CPU cache maintenance or bounce copy. */
    public static final int SKIP_CPU_SYNC = 1 << 5;
    /** Linux {@code DMA_ATTR_FORCE_CONTIGUOUS}. */
    public static final int FORCE_CONTIGUOUS = 1 << 6;
    /** Linux {@code DMA_ATTR_ALLOC_SINGLE_PAGES}. */
    public static final int ALLOC_SINGLE_PAGES = 1 << 7;
    /** Linux {@code DMA_ATTR_NO_WARN}: a failure is not reported as a warning. */
    public static final int NO_WARN = 1 << 8;
    /** Linux {@code DMA_ATTR_PRIVILEGED}: the mapping is for privileged device accesses only. */
    public static final int PRIVILEGED = 1 << 9;
    /** Linux {@code DMA_ATTR_MMIO}: the physical address is MMIO, not RAM (newer kernels). */
    public static final int MMIO = 1 << 10;

    /** Every bit this model knows; any other bit is rejected as bad input. */
    public static final int KNOWN = WEAK_ORDERING | WRITE_COMBINE | NO_KERNEL_MAPPING | SKIP_CPU_SYNC
            | FORCE_CONTIGUOUS | ALLOC_SINGLE_PAGES | NO_WARN | PRIVILEGED | MMIO;

    private DmaAttrs() {
    }

    /** True when {@code attrs} has every bit of {@code bit}. */
    public static boolean has(int attrs, int bit) {
        return (attrs & bit) == bit;
    }

    /** True when {@code attrs} holds only bits this model knows. */
    public static boolean isKnown(int attrs) {
        return (attrs & ~KNOWN) == 0;
    }
}
