package org.iommulab.platform.internal.util;

/**
 * A hash map from {@code long} keys to {@code int} values without boxing: open addressing with
 * linear probing and backward-shift deletion, so the steady state allocates nothing; only
 * growth past half full does. Not thread-safe: its owner serialises access.
 */
public final class LongIntMap {
    private long[] keys;
    private int[] values;
    private boolean[] used;
    private int mask;
    private int size;

    /** A map with room for about {@code expected} keys before it grows. */
    public LongIntMap(int expected) {
        int slots = Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
        keys = new long[slots];
        values = new int[slots];
        used = new boolean[slots];
        mask = slots - 1;
    }

    public int size() {
        return size;
    }

    public boolean containsKey(long key) {
        return used[slot(key)];
    }

    /** The value of {@code key}, or {@code absent} when there is none. */
    public int get(long key, int absent) {
        int i = slot(key);
        return used[i] ? values[i] : absent;
    }

    /** Maps {@code key} to {@code value}. */
    public void put(long key, int value) {
        int i = slot(key);
        values[i] = value;
        if (!used[i]) {
            used[i] = true;
            keys[i] = key;
            size++;
            if (size * 2 > used.length) {
                rehash(used.length * 2);
            }
        }
    }

    // ---- by slot: one probe for a read-modify-write ----------------------------------------
    // A slot from find(key) stays valid until the next insertAt or removeAt.

    /** The slot holding {@code key}, or the empty slot where it would go. */
    public int find(long key) {
        return slot(key);
    }

    /** True when slot {@code i} holds a key. */
    public boolean usedAt(int i) {
        return used[i];
    }

    /** The value in used slot {@code i}. */
    public int valueAt(int i) {
        return values[i];
    }

    /** Sets the value of used slot {@code i}. */
    public void setAt(int i, int value) {
        values[i] = value;
    }

    /** Puts {@code key} (absent, and {@code i} its empty slot from {@link #find}) with {@code value}. */
    public void insertAt(int i, long key, int value) {
        values[i] = value;
        used[i] = true;
        keys[i] = key;
        size++;
        if (size * 2 > used.length) {
            rehash(used.length * 2);
        }
    }

    /** Removes {@code key}; true when it was present. */
    public boolean remove(long key) {
        int i = slot(key);
        if (!used[i]) {
            return false;
        }
        removeAt(i);
        return true;
    }

    /** Removes the key in used slot {@code i}. */
    public void removeAt(int i) {
        size--;
        int hole = i;
        int j = i;
        for (;;) {
            j = (j + 1) & mask;
            if (!used[j]) {
                break;
            }
            int home = LongKeyMap.hash(keys[j]) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        used[hole] = false;
    }

    private int slot(long key) {
        int i = LongKeyMap.hash(key) & mask;
        while (used[i] && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void rehash(int slots) {
        long[] oldKeys = keys;
        int[] oldValues = values;
        boolean[] oldUsed = used;
        keys = new long[slots];
        values = new int[slots];
        used = new boolean[slots];
        mask = slots - 1;
        for (int i = 0; i < oldUsed.length; i++) {
            if (oldUsed[i]) {
                int j = slot(oldKeys[i]);
                used[j] = true;
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
            }
        }
    }
}
