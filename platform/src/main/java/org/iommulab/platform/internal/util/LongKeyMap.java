package org.iommulab.platform.internal.util;

/**
 * A hash map from {@code long} keys to objects that never boxes a key: open addressing with
 * linear probing and backward-shift deletion (no tombstones), so lookups, puts of existing keys
 * and removals allocate nothing; only growth past half full does. Null values are not stored
 * (null means "absent"). Not thread-safe: its owner serialises access.
 */
public final class LongKeyMap<V> {
    private long[] keys;
    private Object[] values;
    private int mask;
    private int size;

    /** A map with room for about {@code expected} keys before it grows. */
    public LongKeyMap(int expected) {
        int slots = Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
        keys = new long[slots];
        values = new Object[slots];
        mask = slots - 1;
    }

    public int size() {
        return size;
    }

    /** The value of {@code key}, or null. */
    @SuppressWarnings("unchecked")
    public V get(long key) {
        return (V) values[slot(key)];
    }

    /**
     * Maps {@code key} to {@code value} and returns the previous value, or null.
     *
     * @throws IllegalArgumentException for a null value (use {@link #remove})
     */
    @SuppressWarnings("unchecked")
    public V put(long key, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null values are not stored; remove the key instead");
        }
        int i = slot(key);
        Object old = values[i];
        values[i] = value;
        if (old == null) {
            keys[i] = key;
            size++;
            if (size * 2 > values.length) {
                rehash(values.length * 2);
            }
        }
        return (V) old;
    }

    /** The slot holding {@code key}, or the empty slot where it would go; valid until the next change. */
    public int find(long key) {
        return slot(key);
    }

    /** The value in slot {@code i}, or null when the slot is empty. */
    @SuppressWarnings("unchecked")
    public V valueAt(int i) {
        return (V) values[i];
    }

    /** Replaces the value of used slot {@code i} (non-null). */
    public void setAt(int i, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null values are not stored; remove the key instead");
        }
        values[i] = value;
    }

    /** Removes the key in used slot {@code i}. */
    public void removeAt(int i) {
        deleteSlot(i);
    }

    /** Removes {@code key} and returns its value, or null when it was absent. */
    @SuppressWarnings("unchecked")
    public V remove(long key) {
        int i = slot(key);
        Object old = values[i];
        if (old != null) {
            deleteSlot(i);
        }
        return (V) old;
    }

    static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** The slot holding {@code key}, or the empty slot where it would go. */
    private int slot(long key) {
        int i = hash(key) & mask;
        while (values[i] != null && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Backward-shift deletion: keeps every probe sequence unbroken without tombstones. */
    private void deleteSlot(int i) {
        size--;
        int hole = i;
        int j = i;
        for (;;) {
            j = (j + 1) & mask;
            if (values[j] == null) {
                break;
            }
            int home = hash(keys[j]) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = null;
    }

    private void rehash(int slots) {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[slots];
        values = new Object[slots];
        mask = slots - 1;
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != null) {
                int j = slot(oldKeys[i]);
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
            }
        }
    }
}
