package org.iommulab.modelkit.tlb;

import java.util.Arrays;

import org.iommulab.modelkit.collect.LongIntMap;

/**
 * The TLB's slots grouped by one key (the page they translate, their outer tag, their pair of
 * tags): for each key a doubly linked list of its slots, the head found through a
 * {@link LongIntMap} and the list's length kept at the head. Adding, removing and finding a
 * key's first slot are O(1); walking a key visits exactly its slots. Sized for the TLB's
 * capacity, so nothing here allocates after construction.
 */
final class Chains {
    private static final int NONE = -1;

    private final LongIntMap heads;
    private final int[] next;
    private final int[] prev;
    /** Length of the list, valid at its head slot only. */
    private final int[] length;
    private final long[] keyOf;

    Chains(int capacity) {
        heads = new LongIntMap(capacity);
        next = new int[capacity];
        prev = new int[capacity];
        length = new int[capacity];
        keyOf = new long[capacity];
    }

    void add(long key, int slot) {
        int head = heads.put(key, slot, NONE);
        keyOf[slot] = key;
        prev[slot] = NONE;
        next[slot] = head;
        if (head == NONE) {
            length[slot] = 1;
        } else {
            prev[head] = slot;
            length[slot] = length[head] + 1;
        }
    }

    void remove(int slot) {
        long key = keyOf[slot];
        int p = prev[slot];
        int n = next[slot];
        if (n != NONE) {
            prev[n] = p;
        }
        if (p != NONE) {
            next[p] = n;
            length[heads.get(key, NONE)]--;
        } else if (n == NONE) {
            heads.remove(key, NONE);
        } else {
            heads.put(key, n, NONE);
            length[n] = length[slot] - 1;
        }
    }

    /** The first slot of {@code key}'s list, or -1. */
    int first(long key) {
        return heads.get(key, NONE);
    }

    /** The slot after {@code slot} in its list, or -1. */
    int next(int slot) {
        return next[slot];
    }

    /** How many slots {@code key} has. */
    int length(long key) {
        int head = heads.get(key, NONE);
        return head == NONE ? 0 : length[head];
    }

    void clear() {
        heads.clear();
        Arrays.fill(next, NONE);
        Arrays.fill(prev, NONE);
    }
}
