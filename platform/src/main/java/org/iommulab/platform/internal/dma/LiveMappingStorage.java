package org.iommulab.platform.internal.dma;

import java.util.Arrays;

/**
 * The storage of {@link LiveMappings}: an entry is an {@code int} handle, an index into parallel
 * primitive arrays (DMA address, size, CPU address, one packed word, the next entry of its
 * chain), with a side array of {@link LiveMappingDetail}s made on first need. An open-addressing
 * hash of {@code int}s maps the DMA page number ({@code dma >>> 12}; dma-debug hashes
 * {@code dev_addr >> 13}) to the chain of entries starting in that page; a slot holds only the
 * chain's head (entry + 1, 0 = empty), and its key is the head's own page number, so the hash
 * stores no key array. {@link LiveMappings} extends it, so that its lookups read these arrays as
 * fields of the same object, with no indirection.
 *
 * <p>Adding and removing take handles from and return them to a free list threaded through the
 * {@code next} array; the arrays grow (about doubling, allocating) only past their high-water
 * mark. Past the first growth every array holds 2^k - 4 elements, so that with its 16-byte header
 * it is exactly a power of two bytes: the JVM's G1 collector gives an array of half a heap region
 * or more whole regions of its own, and a power-of-two array of 8 MiB (plus its header) would
 * take 12 MiB in 4 MiB regions. The hash grows past 70% full through 2^k - 4 and 3 * 2^(k-1) - 4
 * slots (2^(k+2) and 3 * 2^(k+1) bytes with the header, whole regions once past a few regions'
 * size), and its slots are indexed by a multiply-shift of the hash, which takes any length, not
 * by a mask.
 *
 * <p>Not thread-safe: callers hold the table's monitor ({@code synchronized (table)}).
 */
abstract class LiveMappingStorage {
    static final int BUCKET_SHIFT = 12;
    /** {@link #size} of an entry of 2^32 - 1 bytes or more. */
    static final int BIG_SIZE = -1;
    /** The hash grows when more than this many tenths of its slots are used. */
    private static final int MAX_LOAD_TENTHS = 7;

    long[] dma;
    /** Bytes, unsigned; {@link #BIG_SIZE} when the size is in the entry's {@link LiveMappingDetail#bigSize}. */
    int[] size;
    long[] cpu;
    int[] meta;
    /** Next entry in the same hash chain (entry + 1, 0 = end), or in the free list. */
    int[] next;
    /** Per entry, made on first need: the rarely needed fields (null until an entry needs one). */
    LiveMappingDetail[] details;

    /** Hash slots: the head of a chain (entry + 1), 0 when empty; 2^k - 4 of them. */
    int[] heads;
    private int usedSlots;
    /** First free entry + 1, 0 when none is free. */
    private int free;

    /** Storage with {@code initialEntries} entries preallocated. */
    LiveMappingStorage(int initialEntries) {
        if (initialEntries < 1) {
            throw new IllegalArgumentException("initial entries must be positive, got " + initialEntries);
        }
        dma = new long[0];
        size = new int[0];
        cpu = new long[0];
        meta = new int[0];
        next = new int[0];
        growPool(initialEntries);
        heads = new int[wholeBytes(Math.max(12, initialEntries * 2 - 4))];
    }

    // ---- the pool of entries -----------------------------------------------------------------

    /** Takes a handle off the free list (growing the pool when none is free); its {@code next} is 0. */
    final int take() {
        if (free == 0) {
            int n = meta.length;
            growPool(wholeBytes(Math.max(n + 1, n * 2 - 4)) - n);
        }
        int e = free - 1;
        free = next[e];
        next[e] = 0;
        return e;
    }

    /** Clears the (unlinked) entry's fields and side record and puts its handle back on the free list. */
    final void release(int e) {
        dma[e] = 0;
        size[e] = 0;
        cpu[e] = 0;
        meta[e] = 0;
        if (details != null && details[e] != null) {
            details[e].clear();
        }
        next[e] = free;
        free = e + 1;
    }

    /** Adds {@code count} free entries (the arrays grow; the new entries go on the free list, lowest first). */
    private void growPool(int count) {
        int old = meta.length;
        int n = old + count;
        dma = Arrays.copyOf(dma, n);
        size = Arrays.copyOf(size, n);
        cpu = Arrays.copyOf(cpu, n);
        meta = Arrays.copyOf(meta, n);
        next = Arrays.copyOf(next, n);
        if (details != null) {
            details = Arrays.copyOf(details, n);
        }
        for (int e = n - 1; e >= old; e--) {
            next[e] = free;
            free = e + 1;
        }
    }

    /** The entry's side record, made (with the side array) on first need. */
    final LiveMappingDetail detail(int e) {
        if (details == null) {
            details = new LiveMappingDetail[meta.length];
        }
        LiveMappingDetail d = details[e];
        if (d == null) {
            d = new LiveMappingDetail();
            details[e] = d;
        }
        return d;
    }

    final LiveMappingDetail detailOrNull(int e) {
        return details == null ? null : details[e];
    }

    // ---- hash internals ----------------------------------------------------------------------

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** The home slot of {@code key} among {@code n}: multiply-shift of the hash (Lemire's fastrange), any n. */
    private static int home(long key, int n) {
        return (int) (((hash(key) & 0xFFFF_FFFFL) * n) >>> 32);
    }

    /** The smallest 2^k - 4 (k >= 4) not below {@code n}: an int or long array of that length is 2^j bytes with its header. */
    static int wholeBytes(int n) {
        int m = Math.max(16, n + 4);
        int p = Integer.highestOneBit(m);
        return (p == m ? p : p << 1) - 4;
    }

    /**
     * The hash's next length after {@code n}: the smallest 2^k - 4 or 3 * 2^(k-1) - 4 (k >= 4)
     * above it, so that with the 16-byte header the array is 2^(k+2) or 3 * 2^(k+1) bytes: about
     * 1.5 times larger each step, and a whole number of G1 regions once it spans a few.
     */
    static int grownSlots(int n) {
        int w = wholeBytes(n + 1);
        int threeQuarters = (w + 4) / 4 * 3 - 4;
        return threeQuarters > n ? threeQuarters : w;
    }

    /** The page number a slot's chain is keyed by: its head's. */
    private long keyOf(int slotValue) {
        return dma[slotValue - 1] >>> BUCKET_SHIFT;
    }

    /** The slot holding {@code key}, or the empty slot where it would go (linear probing). */
    final int slot(long key) {
        int n = heads.length;
        int i = home(key, n);
        for (int h = heads[i]; h != 0 && keyOf(h) != key; h = heads[i]) {
            if (++i == n) {
                i = 0;
            }
        }
        return i;
    }

    /** Puts entry {@code e} (its {@code dma} set) at the head of its page's chain. */
    final void link(int e) {
        long key = dma[e] >>> BUCKET_SHIFT;
        int i = slot(key);
        if (heads[i] == 0) {
            heads[i] = e + 1;
            usedSlots++;
            if ((long) usedSlots * 10 > (long) heads.length * MAX_LOAD_TENTHS) {
                rehash(grownSlots(heads.length));
            }
        } else {
            next[e] = heads[i];
            heads[i] = e + 1;
        }
    }

    /**
     * The slot the last lookup by page found ({@link #slotOf}), or -1: an unmap looks its entry up
     * and then unlinks it, and the unlink checks this slot before it probes.
     */
    private int lastSlot = -1;

    /** {@link #slot}, remembered for the {@link #unlink} that usually follows. */
    final int slotOf(long key) {
        int i = slot(key);
        lastSlot = i;
        return i;
    }

    /** Takes entry {@code e} out of its page's chain; false when the chain does not hold it. */
    final boolean unlink(int e) {
        long key = dma[e] >>> BUCKET_SHIFT;
        int i = lastSlot;
        // A slot holds one page's chain, keyed by its head: a non-empty slot keyed by this page is its slot.
        if (i < 0 || i >= heads.length || heads[i] == 0 || keyOf(heads[i]) != key) {
            i = slot(key);
        }
        int h = heads[i] - 1;
        if (h == e) {
            heads[i] = next[e];
            if (heads[i] == 0) {
                deleteSlot(i);
            }
            return true;
        }
        int prev = h;
        while (prev >= 0 && next[prev] - 1 != e) {
            prev = next[prev] - 1;
        }
        if (prev < 0) {
            return false;
        }
        next[prev] = next[e];
        return true;
    }

    /** Backward-shift deletion: keeps every probe sequence unbroken without tombstones. */
    private void deleteSlot(int i) {
        usedSlots--;
        int n = heads.length;
        int hole = i;
        int j = i;
        for (;;) {
            if (++j == n) {
                j = 0;
            }
            if (heads[j] == 0) {
                break;
            }
            int home = home(keyOf(heads[j]), n);
            if (distance(home, j, n) >= distance(hole, j, n)) {
                heads[hole] = heads[j];
                hole = j;
            }
        }
        heads[hole] = 0;
    }

    /** How far {@code to} lies after {@code from} going round {@code n} slots. */
    private static int distance(int from, int to, int n) {
        int d = to - from;
        return d < 0 ? d + n : d;
    }

    private void rehash(int slots) {
        int[] oldHeads = heads;
        heads = new int[slots];
        for (int h : oldHeads) {
            if (h != 0) {
                heads[slot(keyOf(h))] = h;
            }
        }
    }
}
