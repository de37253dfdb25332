package org.iommulab.api.dma;

/** Helpers for DMA masks and the mapping-error value. */
public final class DmaMasks {
    /**
     * Linux {@code DMA_MAPPING_ERROR}, {@code (~(dma_addr_t)0)}: the value a failed single mapping
     * returns. The caller must test it with {@link DmaApi#mappingError(long)}.
     */
    public static final long MAPPING_ERROR = ~0L;

    private DmaMasks() {
    }

    /**
     * Linux {@code DMA_BIT_MASK(n)}: the mask of the low {@code n} bits, {@code n} from 1 to 64.
     *
     * @throws IllegalArgumentException for {@code n} outside 1..64 (a mask of 0 bits is bad input)
     */
    public static long bits(int n) {
        if (n < 1 || n > 64) {
            throw new IllegalArgumentException("DMA mask width must be 1..64 bits, got " + n);
        }
        return n == 64 ? ~0L : (1L << n) - 1;
    }

    /**
     * Linux {@code min_not_zero(a, b)} on unsigned values: the smaller one that is not zero,
     * used for {@code min_not_zero(*dev->dma_mask, dev->bus_dma_limit)}.
     */
    public static long minNotZero(long a, long b) {
        if (a == 0) {
            return b;
        }
        if (b == 0) {
            return a;
        }
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    /** True when {@code mask} has the form 2^n - 1 for some n from 1 to 64. */
    public static boolean isValidMask(long mask) {
        return mask != 0 && (mask & (mask + 1)) == 0;
    }

    /** Width in bits of a valid mask, for messages ("Using 32-bit DMA addresses"). */
    public static int width(long mask) {
        return 64 - Long.numberOfLeadingZeros(mask);
    }
}
