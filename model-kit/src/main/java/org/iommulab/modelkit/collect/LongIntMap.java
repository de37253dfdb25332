package org.iommulab.modelkit.collect;

import java.util.Arrays;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A hash map from {@code long} keys to {@code int} values that never boxes: open addressing
 * with linear probing and backward-shift deletion, so there are no tombstones and a map that
 * sees puts and removes forever never degrades or needs a rehash. Every key is allowed (an
 * occupancy array marks the used slots, not a reserved key value).
 *
 * <p>Allocation: {@link #get}, {@link #put}, {@link #remove}, {@link #containsKey} and
 * {@link #removeIf} allocate nothing as long as the map holds at most the {@code expectedSize}
 * it was built for; only a put beyond that grows the arrays. A model sizes it from its fixed
 * capacity (an IOTLB's entries) and its hot paths stay allocation-free.
 *
 * <p>Not thread-safe: the owner guards it, as a model guards its state with its lock.
 */
public final class LongIntMap {
    private long[] keys;
    private int[] values;
    private boolean[] used;
    private int mask;
    private int size;

    /** A map that holds {@code expectedSize} keys without growing. */
    public LongIntMap(int expectedSize) {
        if (expectedSize < 0) {
            throw new IllegalArgumentException("expected size must not be negative, got " + expectedSize);
        }
        allocate(slotsFor(expectedSize));
    }

    /** Keys held. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The value of {@code key}, or {@code absent} when the map has none. */
    public int get(long key, int absent) {
        int i = slot(key);
        return used[i] ? values[i] : absent;
    }

    public boolean containsKey(long key) {
        return used[slot(key)];
    }

    /** Maps {@code key} to {@code value}; returns the previous value, or {@code absent} when there was none. */
    public int put(long key, int value, int absent) {
        int i = slot(key);
        if (used[i]) {
            int old = values[i];
            values[i] = value;
            return old;
        }
        if ((size + 1) * 2 > keys.length) {
            grow();
            i = slot(key);
        }
        used[i] = true;
        keys[i] = key;
        values[i] = value;
        size++;
        return absent;
    }

    /** Removes {@code key}; returns its value, or {@code absent} when the map had none. */
    public int remove(long key, int absent) {
        int i = slot(key);
        if (!used[i]) {
            return absent;
        }
        int old = values[i];
        deleteAt(i);
        return old;
    }

    /**
     * Removes every mapping {@code p} accepts; returns how many went. {@code p} must not change
     * the map. A kept mapping may be offered more than once (backward shifting can move it past
     * the scan); every mapping is offered at least once.
     */
    public int removeIf(KeyValuePredicate p) {
        int removed = 0;
        for (int i = 0; i < keys.length;) {
            if (used[i] && p.test(keys[i], values[i])) {
                deleteAt(i);
                removed++;
                // Stay on i: backward shifting may have moved a later mapping into it. Mappings
                // only ever move towards the hole, so nothing not yet seen moves behind the scan.
            } else {
                i++;
            }
        }
        return removed;
    }

    /** Offers every mapping to {@code c}, in slot order; {@code c} must not change the map. */
    public void forEach(KeyValueConsumer c) {
        for (int i = 0; i < keys.length; i++) {
            if (used[i]) {
                c.accept(keys[i], values[i]);
            }
        }
    }

    public void clear() {
        Arrays.fill(used, false);
        size = 0;
    }

    /** A test on one mapping. Called on the thread that called {@link #removeIf}, under the owner's lock. */
    @ConsumerType
    @FunctionalInterface
    public interface KeyValuePredicate {
        boolean test(long key, int value);
    }

    /** An action on one mapping. Called on the thread that called {@link #forEach}, under the owner's lock. */
    @ConsumerType
    @FunctionalInterface
    public interface KeyValueConsumer {
        void accept(long key, int value);
    }

    // ---- internals -----------------------------------------------------------------------------

    /** The slot holding {@code key}, or the free slot where it would go. */
    private int slot(long key) {
        int i = hash(key) & mask;
        while (used[i] && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Backward-shift deletion: pulls later members of the probe run into the hole. */
    private void deleteAt(int hole) {
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            if (!used[j]) {
                break;
            }
            int home = hash(keys[j]) & mask;
            // keys[j] may move to the hole only if the hole lies on its probe path home..j.
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        used[hole] = false;
        size--;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        boolean[] oldUsed = used;
        allocate(keys.length * 2);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldUsed[i]) {
                put(oldKeys[i], oldValues[i], 0);
            }
        }
    }

    private void allocate(int slots) {
        keys = new long[slots];
        values = new int[slots];
        used = new boolean[slots];
        mask = slots - 1;
    }

    /** A power of two with at most half its slots used at {@code n} keys (probe runs stay short). */
    private static int slotsFor(int n) {
        long slots = Math.max(8L, Long.highestOneBit(Math.max(1L, 2L * n - 1)) << 1);
        if (slots > 1 << 30) {
            throw new IllegalArgumentException("expected size too large for one map: " + n);
        }
        return (int) slots;
    }

    /** The finaliser of MurmurHash3 (fmix64): neighbouring keys, as page numbers are, spread out. */
    static int hash(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h;
    }
}
