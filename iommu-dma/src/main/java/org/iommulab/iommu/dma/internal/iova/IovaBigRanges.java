package org.iommulab.iommu.dma.internal.iova;

import java.util.Arrays;

/**
 * The ranges of an {@link IovaTree} whose length does not fit {@link IovaLeaf#len} (huge
 * reservations such as the space above a DMA mask): {@code lo[i]} to {@code hi[i]}, a few at
 * most, in primitive arrays so that reading one allocates nothing. Their leaf entry holds
 * {@link IovaLeaf#BIG} instead of the length.
 */
final class IovaBigRanges {
    long[] lo = new long[0];
    long[] hi = new long[0];
    int count;

    /** Records the range {@code [pfnLo, pfnHi]} (growing the arrays only past their high-water mark). */
    void add(long pfnLo, long pfnHi) {
        if (count == lo.length) {
            lo = Arrays.copyOf(lo, count * 2 + 2);
            hi = Arrays.copyOf(hi, count * 2 + 2);
        }
        lo[count] = pfnLo;
        hi[count++] = pfnHi;
    }

    /** Forgets the range starting at {@code pfnLo} (the last one takes its place). */
    void remove(long pfnLo) {
        int b = index(pfnLo);
        count--;
        lo[b] = lo[count];
        hi[b] = hi[count];
    }

    /** Last pfn of the range starting at {@code pfnLo}. */
    long hiOf(long pfnLo) {
        return hi[index(pfnLo)];
    }

    private int index(long pfnLo) {
        for (int i = 0; i < count; i++) {
            if (lo[i] == pfnLo) {
                return i;
            }
        }
        throw new IllegalStateException("IOVA tree lost the end of the range at pfn 0x" + Long.toHexString(pfnLo));
    }
}
