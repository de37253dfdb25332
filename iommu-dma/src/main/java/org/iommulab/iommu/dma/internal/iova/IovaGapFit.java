package org.iommulab.iommu.dma.internal.iova;

/**
 * The gap-fit arithmetic of an {@link IovaTree}'s summaries: of a gap {@code [g0, g1)}, the
 * largest naturally aligned power-of-two block that fits in it ({@link #fitOrder}) and how far
 * that block's alignment leaves room ({@link #tail}); of a set of gaps summarised by their
 * maxima, whether a request fits ({@link #fits}, exact: see {@link IovaTree}'s class comment).
 */
final class IovaGapFit {
    private IovaGapFit() {
    }

    /** Whether a set of gaps with these summaries holds the request (exact, see {@link IovaTree}'s class comment). */
    static boolean fits(long maxGap, int maxFitOrder, long maxTail, long size, int k, boolean aligned) {
        if (!aligned) {
            return maxGap >= size;
        }
        return maxFitOrder >= k || (maxFitOrder == k - 1 && maxTail >= size);
    }

    /**
     * Largest m such that an aligned 2^m block fits in {@code [g0, g1)}, or -1 for an empty gap.
     * With len >= 2^L an aligned 2^(L-1) block always fits, so only L and L-1 need checking.
     */
    static int fitOrder(long g0, long g1) {
        long len = g1 - g0;
        if (len <= 0) {
            return -1;
        }
        int l = 63 - Long.numberOfLeadingZeros(len);
        long a = 1L << l;
        long x = (g0 + a - 1) & -a;
        return x + a <= g1 ? l : l - 1;
    }

    /** Room in {@code [g0, g1)} from its first multiple of 2^(m+1): may be negative. */
    static long tail(long g0, long g1, int m) {
        long a = 1L << (m + 1);
        return g1 - ((g0 + a - 1) & -a);
    }
}
