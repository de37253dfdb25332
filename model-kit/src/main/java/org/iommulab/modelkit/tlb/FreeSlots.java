package org.iommulab.modelkit.tlb;

/**
 * The free slots of each set, as a bitmap of {@code ways} bits per set: taking the lowest free
 * slot reads {@code ceil(ways / 64)} words at most, whatever the capacity.
 */
final class FreeSlots {
    private final int ways;
    private final int words;
    private final long[] bits;

    FreeSlots(int sets, int ways) {
        this.ways = ways;
        this.words = (ways + 63) >>> 6;
        this.bits = new long[sets * words];
        for (int s = 0; s < sets; s++) {
            freeAll(s);
        }
    }

    /** Takes the lowest free slot of {@code set}; -1 when the set is full. */
    int take(int set) {
        int w0 = set * words;
        for (int w = 0; w < words; w++) {
            long b = bits[w0 + w];
            if (b != 0) {
                bits[w0 + w] = b & (b - 1);
                return set * ways + (w << 6) + Long.numberOfTrailingZeros(b);
            }
        }
        return -1;
    }

    void release(int slot) {
        int set = slot / ways;
        int way = slot - set * ways;
        bits[set * words + (way >>> 6)] |= 1L << way;
    }

    void freeAll(int set) {
        int w0 = set * words;
        for (int w = 0; w < words; w++) {
            int left = ways - (w << 6);
            bits[w0 + w] = left >= 64 ? -1L : (1L << left) - 1;
        }
    }
}
