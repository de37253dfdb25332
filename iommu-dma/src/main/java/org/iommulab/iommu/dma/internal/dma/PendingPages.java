package org.iommulab.iommu.dma.internal.dma;

/**
 * The IOVA pages a lazy domain's flush queue holds, one bit per page: a sparse bitmap of
 * chunks of {@value #CHUNK_PAGES} pages (a {@code long[512]} each), found by chunk number in
 * an open-addressing table. {@link FlushQueue} marks a range when it queues it and clears it
 * when it releases it, and a device access asks {@link #contains} on every page it translates
 * in lazy mode.
 *
 * <p>Why a bitmap: the ranges a flush queue holds never overlap (an IOVA goes back to the
 * allocator only after its flush), so a page is pending exactly when its bit is set. Marking
 * and clearing cost one word per 64 pages of the range, and a lookup is a table probe and a
 * bit test, whatever the number of ranges queued; a sorted array of ranges, which this
 * replaces, moved up to the whole array on every queue and release (up to 32,767 ranges with a
 * single queue). Linux needs no such index: it never asks whether a page is pending.
 *
 * <p>Chunks stay once made, so that a domain whose IOVAs keep coming back to the same region
 * allocates nothing after its first pass over it; the table grows when half full. (The model
 * kit's {@code LongIntMap} is such a table, but iommu-dma is Linux's side and depends on the
 * API alone, not on the kit for hardware models; this one needs no removal, so it is short.)
 * Not thread-safe: the lock of the flush-queue ring it belongs to guards it.
 */
final class PendingPages {
    /** log2 of the pages a chunk covers. */
    static final int CHUNK_SHIFT = 15;
    static final int CHUNK_PAGES = 1 << CHUNK_SHIFT;
    private static final int WORDS = CHUNK_PAGES / Long.SIZE;

    /** Chunk number plus one per slot; 0 is a free slot. */
    private long[] keys = new long[16];
    private long[][] chunks = new long[16][];
    private int used;
    /** The chunk found last, and its number: a device access reads a run of pages of one chunk. */
    private long lastKey = -1;
    private long[] last;

    /** Marks pages {@code [pfn, pfn + pages)} pending. */
    void mark(long pfn, long pages) {
        update(pfn, pages, true);
    }

    /** Clears pages {@code [pfn, pfn + pages)}. */
    void clear(long pfn, long pages) {
        update(pfn, pages, false);
    }

    /** Whether page {@code pfn} is marked. */
    boolean contains(long pfn) {
        long[] c = chunk(pfn >>> CHUNK_SHIFT, false);
        if (c == null) {
            return false;
        }
        int bit = (int) (pfn & (CHUNK_PAGES - 1));
        return (c[bit >>> 6] & (1L << bit)) != 0;
    }

    /** Refuses a range that is not inside the IOVA space (a negative page or count, or one past the last page). */
    static void check(long pfn, long pages) {
        if (pfn < 0 || pages < 0 || pfn + pages < pfn) {
            throw new IllegalArgumentException("pages " + pfn + "+" + pages + " are outside the IOVA space");
        }
    }

    private void update(long pfn, long pages, boolean set) {
        check(pfn, pages);
        long at = pfn;
        long end = pfn + pages;
        while (at < end) {
            long[] c = chunk(at >>> CHUNK_SHIFT, set);
            int from = (int) (at & (CHUNK_PAGES - 1));
            int to = (int) Math.min(CHUNK_PAGES, from + (end - at));
            if (c != null) {
                setBits(c, from, to, set);
            }
            at += to - from;
        }
    }

    /** Sets or clears bits {@code [from, to)} of {@code c}, a word at a time. */
    private static void setBits(long[] c, int from, int to, boolean set) {
        int w = from >>> 6;
        int lastWord = (to - 1) >>> 6;
        for (; w <= lastWord; w++) {
            long mask = -1L;
            if (w == from >>> 6) {
                mask &= -1L << (from & 63);
            }
            if (w == lastWord) {
                mask &= -1L >>> (63 - ((to - 1) & 63));
            }
            c[w] = set ? c[w] | mask : c[w] & ~mask;
        }
    }

    /** Chunk {@code key}, made when {@code make} and absent, else null when absent. */
    private long[] chunk(long key, boolean make) {
        if (key == lastKey) {
            return last;
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != 0) {
            if (keys[i] == key + 1) {
                lastKey = key;
                last = chunks[i];
                return last;
            }
            i = (i + 1) & mask;
        }
        if (!make) {
            return null;
        }
        long[] c = new long[WORDS];
        keys[i] = key + 1;
        chunks[i] = c;
        if (++used * 2 > keys.length) {
            grow();
        }
        lastKey = key;
        last = c;
        return c;
    }

    private static int slot(long key, int mask) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[][] oldChunks = chunks;
        keys = new long[oldKeys.length * 2];
        chunks = new long[oldKeys.length * 2][];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != 0) {
                int i = slot(oldKeys[j] - 1, mask);
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                chunks[i] = oldChunks[j];
            }
        }
    }

    /** Chunks made so far (tests). */
    int chunks() {
        return used;
    }

    @Override
    public String toString() {
        return "PendingPages[" + used + " chunks of " + CHUNK_PAGES + " pages]";
    }
}
