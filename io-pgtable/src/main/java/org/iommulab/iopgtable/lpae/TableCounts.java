package org.iommulab.iopgtable.lpae;

import java.util.Arrays;

/**
 * The writer's own bookkeeping, not part of the format: how many non-zero descriptors each
 * table holds, so that a table is freed the moment its last entry goes without rescanning it.
 * An open-addressing map from a table's physical address to its count that allocates only
 * when it grows. Not thread-safe: {@link LpaePageTable} holds its lock.
 */
final class TableCounts {
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] keys;
    private int[] counts;
    private int size;

    TableCounts() {
        keys = new long[64];
        counts = new int[64];
        Arrays.fill(keys, EMPTY);
    }

    int size() {
        return size;
    }

    /** Registers a new (empty) table. */
    void add(long table) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int i = slot(table);
        if (keys[i] != table) {
            keys[i] = table;
            counts[i] = 0;
            size++;
        }
    }

    /** Adds {@code delta} to the count of {@code table} and returns the new count. */
    int adjust(long table, int delta) {
        int i = slot(table);
        if (keys[i] != table) {
            throw new IllegalStateException("page table 0x" + Long.toHexString(table) + " is not known to its writer");
        }
        counts[i] += delta;
        return counts[i];
    }

    int get(long table) {
        int i = slot(table);
        return keys[i] == table ? counts[i] : -1;
    }

    boolean contains(long table) {
        return keys[slot(table)] == table;
    }

    /** Forgets {@code table} (backward-shift deletion keeps probe chains intact). */
    void remove(long table) {
        int i = slot(table);
        if (keys[i] != table) {
            return;
        }
        int mask = keys.length - 1;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (keys[j] == EMPTY) {
                break;
            }
            int home = hash(keys[j]) & mask;
            // Move keys[j] back into the hole at i if its home is not cyclically in (i, j].
            if (((j - home) & mask) >= ((j - i) & mask)) {
                keys[i] = keys[j];
                counts[i] = counts[j];
                i = j;
            }
        }
        keys[i] = EMPTY;
        size--;
    }

    private int slot(long key) {
        int mask = keys.length - 1;
        int i = hash(key) & mask;
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldCounts = counts;
        keys = new long[oldKeys.length * 2];
        counts = new int[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int s = slot(oldKeys[i]);
                keys[s] = oldKeys[i];
                counts[s] = oldCounts[i];
            }
        }
    }
}
