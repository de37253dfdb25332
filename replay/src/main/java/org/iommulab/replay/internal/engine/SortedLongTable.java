package org.iommulab.replay.internal.engine;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A sorted map from {@code long} keys (ordered as signed longs, as {@code TreeMap<Long, ...>}
 * orders them) to values, with the floor lookup the replay's syncs need (the greatest key at or
 * below an address): keys in sorted chunks of primitive arrays, found through a directory of
 * each chunk's first key. Lookups are two binary searches; an insert or removal moves at most a
 * chunk's entries; nothing is allocated per operation once the chunks exist (no boxed key, no
 * entry object). Chunks split when full and go when empty, so memory follows the live count.
 */
final class SortedLongTable<V> {
    /** Entries a chunk holds at most: a move within a chunk stays short. */
    static final int CHUNK = 128;

    private long[][] keys = new long[4][];
    private Object[][] values = new Object[4][];
    private int[] sizes = new int[4];
    /** The first key of each chunk in use. */
    private long[] firsts = new long[4];
    /** Chunks in use, all non-empty, in key order; chunk 0 stays allocated when the table is empty. */
    private int chunks;
    private int size;
    /** An emptied chunk's arrays, kept for the next split. */
    private long[] spareKeys;
    private Object[] spareValues;

    SortedLongTable() {
        keys[0] = new long[CHUNK];
        values[0] = new Object[CHUNK];
    }

    int size() {
        return size;
    }

    /** The chunk whose first key is the greatest at or below {@code key}, or -1. */
    private int chunkOf(long key) {
        int lo = 0;
        int hi = chunks - 1;
        if (hi < 0 || key < firsts[0]) {
            return -1;
        }
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (firsts[mid] <= key) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The value at exactly {@code key}, or null. */
    @SuppressWarnings("unchecked")
    V get(long key) {
        int c = chunkOf(key);
        if (c < 0) {
            return null;
        }
        int i = Arrays.binarySearch(keys[c], 0, sizes[c], key);
        return i >= 0 ? (V) values[c][i] : null;
    }

    /** The value of the greatest key at or below {@code key}, or null ({@code TreeMap.floorEntry}). */
    @SuppressWarnings("unchecked")
    V floor(long key) {
        int c = chunkOf(key);
        if (c < 0) {
            return null;
        }
        int i = Arrays.binarySearch(keys[c], 0, sizes[c], key);
        return (V) values[c][i >= 0 ? i : -i - 2]; // the chunk's first key is at or below key
    }

    /** The greatest key at or below {@code key}; only after {@link #floor} found one. */
    long floorKey(long key) {
        int c = chunkOf(key);
        int i = Arrays.binarySearch(keys[c], 0, sizes[c], key);
        return keys[c][i >= 0 ? i : -i - 2];
    }

    /** Maps {@code key} to {@code v} (not null), replacing any value it had. */
    void put(long key, V v) {
        if (chunks == 0) {
            chunks = 1;
            sizes[0] = 0;
        }
        int c = Math.max(0, chunkOf(key));
        int n = sizes[c];
        int i = Arrays.binarySearch(keys[c], 0, n, key);
        if (i >= 0) {
            values[c][i] = v;
            return;
        }
        if (n == CHUNK) {
            split(c);
            put(key, v);
            return;
        }
        i = -i - 1;
        System.arraycopy(keys[c], i, keys[c], i + 1, n - i);
        System.arraycopy(values[c], i, values[c], i + 1, n - i);
        keys[c][i] = key;
        values[c][i] = v;
        sizes[c] = n + 1;
        firsts[c] = keys[c][0];
        size++;
    }

    /** Removes {@code key}; nothing when absent. */
    void remove(long key) {
        int c = chunkOf(key);
        if (c < 0) {
            return;
        }
        int n = sizes[c];
        int i = Arrays.binarySearch(keys[c], 0, n, key);
        if (i < 0) {
            return;
        }
        System.arraycopy(keys[c], i + 1, keys[c], i, n - i - 1);
        System.arraycopy(values[c], i + 1, values[c], i, n - i - 1);
        values[c][n - 1] = null;
        sizes[c] = n - 1;
        size--;
        if (n > 1) {
            firsts[c] = keys[c][0];
        } else if (chunks > 1) {
            dropChunk(c);
        } else {
            chunks = 0; // chunk 0 stays allocated, empty
        }
    }

    /** Calls {@code action} with every value in key order. */
    @SuppressWarnings("unchecked")
    void forEach(Consumer<V> action) {
        for (int c = 0; c < chunks; c++) {
            for (int i = 0; i < sizes[c]; i++) {
                action.accept((V) values[c][i]);
            }
        }
    }

    void clear() {
        for (int c = 0; c < chunks; c++) {
            Arrays.fill(values[c], 0, sizes[c], null);
        }
        for (int c = 1; c < chunks; c++) {
            keys[c] = null;
            values[c] = null;
        }
        chunks = 0;
        size = 0;
    }

    /** Moves the upper half of full chunk {@code c} to a new chunk after it. */
    private void split(int c) {
        if (chunks == keys.length) {
            int cap = chunks * 2;
            keys = Arrays.copyOf(keys, cap);
            values = Arrays.copyOf(values, cap);
            sizes = Arrays.copyOf(sizes, cap);
            firsts = Arrays.copyOf(firsts, cap);
        }
        int after = chunks - c - 1;
        System.arraycopy(keys, c + 1, keys, c + 2, after);
        System.arraycopy(values, c + 1, values, c + 2, after);
        System.arraycopy(sizes, c + 1, sizes, c + 2, after);
        System.arraycopy(firsts, c + 1, firsts, c + 2, after);
        long[] k = spareKeys != null ? spareKeys : new long[CHUNK];
        Object[] v = spareValues != null ? spareValues : new Object[CHUNK];
        spareKeys = null;
        spareValues = null;
        int half = CHUNK / 2;
        System.arraycopy(keys[c], half, k, 0, CHUNK - half);
        System.arraycopy(values[c], half, v, 0, CHUNK - half);
        Arrays.fill(values[c], half, CHUNK, null);
        sizes[c] = half;
        keys[c + 1] = k;
        values[c + 1] = v;
        sizes[c + 1] = CHUNK - half;
        firsts[c + 1] = k[0];
        chunks++;
    }

    /** Takes emptied chunk {@code c} (not the only one) out of the directory. */
    private void dropChunk(int c) {
        spareKeys = keys[c];
        spareValues = values[c];
        int after = chunks - c - 1;
        System.arraycopy(keys, c + 1, keys, c, after);
        System.arraycopy(values, c + 1, values, c, after);
        System.arraycopy(sizes, c + 1, sizes, c, after);
        System.arraycopy(firsts, c + 1, firsts, c, after);
        chunks--;
        keys[chunks] = null;
        values[chunks] = null;
    }
}
