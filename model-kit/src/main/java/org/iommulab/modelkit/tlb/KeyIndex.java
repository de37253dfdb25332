package org.iommulab.modelkit.tlb;

import java.util.Arrays;

/**
 * The TLB's lookup index: buckets hashed by an entry's whole key (kind, tags, block, size),
 * chained through the slots in both directions, so a lookup reads one bucket per size probed
 * and a removal unlinks in O(1). Twice as many buckets as slots keep the chains about one
 * entry long. Sized at construction; nothing here allocates afterwards.
 */
final class KeyIndex {
    private static final int NONE = -1;

    private final int[] bucket;
    private final int mask;
    private final int[] next;
    private final int[] prev;

    KeyIndex(int capacity) {
        int buckets = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        bucket = new int[buckets];
        mask = buckets - 1;
        Arrays.fill(bucket, NONE);
        next = new int[capacity];
        prev = new int[capacity];
    }

    /** The first slot whose key hashes like this one, or -1; follow with {@link #next}. */
    int first(int kind, int tag1, int tag2, long base, int shift) {
        return bucket[hash(kind, tag1, tag2, base, shift) & mask];
    }

    int next(int slot) {
        return next[slot];
    }

    void add(int slot, int kind, int tag1, int tag2, long base, int shift) {
        int b = hash(kind, tag1, tag2, base, shift) & mask;
        prev[slot] = NONE;
        next[slot] = bucket[b];
        if (bucket[b] != NONE) {
            prev[bucket[b]] = slot;
        }
        bucket[b] = slot;
    }

    /** Unlinks {@code slot}, which holds the key given. */
    void remove(int slot, int kind, int tag1, int tag2, long base, int shift) {
        int p = prev[slot];
        int n = next[slot];
        if (n != NONE) {
            prev[n] = p;
        }
        if (p != NONE) {
            next[p] = n;
        } else {
            bucket[hash(kind, tag1, tag2, base, shift) & mask] = n;
        }
    }

    void clear() {
        Arrays.fill(bucket, NONE);
    }

    private static int hash(int kind, int tag1, int tag2, long base, int shift) {
        long h = (base ^ shift) * 0x9E3779B97F4A7C15L;
        h ^= ((long) tag1 << 32 | (tag2 & 0xffff_ffffL)) * 0xC2B2AE3D27D4EB4FL;
        h ^= kind * 0x165667B19E3779F9L;
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }
}
