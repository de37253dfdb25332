package org.iommulab.smmu.v3.internal.model.tlb;

import java.util.Arrays;

/**
 * The SMMU's translation cache: leaf translations keyed by (kind, ASID, VMID, input block),
 * where the block is the leaf's naturally aligned range ({@code 1 << shift} bytes). Like
 * QEMU's {@code SMMUIOTLBKey (asid, vmid, iova, tg, level)}, a lookup probes every block size
 * present; unlike QEMU, which flushes the whole table when it reaches 256 entries, a full table
 * evicts one entry (CLOCK: the first one not used since the hand last passed), so a working set
 * larger than the TLB degrades gradually, as real TLBs do.
 *
 * <p>Entries live in parallel primitive arrays with an open-addressing index, so a lookup and a
 * hit allocate nothing. Not thread-safe: the model calls it under its lock.
 */
public final class Iotlb {
    /** A stage-1-only translation: input is a VA, output a PA. */
    public static final int KIND_S1 = 1;
    /** A stage-2-only translation: input is an IPA. */
    public static final int KIND_S2 = 2;
    /** A combined stage-1 + stage-2 translation (nesting): input VA, output PA. */
    public static final int KIND_NESTED = 3;

    /** Permission bits of an entry. */
    public static final int S1_READ = 1;
    public static final int S1_WRITE = 2;
    public static final int S2_READ = 4;
    public static final int S2_WRITE = 8;

    private static final int EMPTY = -1;

    private final int capacity;
    private final long[] tag;
    private final long[] input;
    private final long[] output;
    private final long[] ipa;
    private final byte[] shift;
    private final byte[] perms;
    private final byte[] level;
    private final byte[] s2Level;
    private final byte[] granuleShift;
    private final boolean[] valid;
    private final boolean[] referenced;
    private final int[] index;
    private final int indexMask;
    private final int[] shiftCount = new int[64];
    private long shiftsPresent;
    private int size;
    private int hand;
    private long evictions;

    public Iotlb(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("IOTLB capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        tag = new long[capacity];
        input = new long[capacity];
        output = new long[capacity];
        ipa = new long[capacity];
        shift = new byte[capacity];
        perms = new byte[capacity];
        level = new byte[capacity];
        s2Level = new byte[capacity];
        granuleShift = new byte[capacity];
        valid = new boolean[capacity];
        referenced = new boolean[capacity];
        int n = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        index = new int[n];
        indexMask = n - 1;
        Arrays.fill(index, EMPTY);
    }

    /** The tag of an entry: kind, ASID (-1 for none) and VMID (-1 for none). */
    public static long tag(int kind, int asid, int vmid) {
        return (long) kind << 40 | (long) (asid & 0xfffff) << 20 | (vmid & 0xfffff);
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    /** Entries evicted to make room (not invalidations). */
    public long evictions() {
        return evictions;
    }

    /**
     * The entry translating {@code addr} under {@code tag}, or -1. Probes each block size present,
     * smallest first. Allocation-free.
     */
    public int lookup(long tagValue, long addr) {
        long shifts = shiftsPresent;
        while (shifts != 0) {
            int s = Long.numberOfTrailingZeros(shifts);
            shifts &= shifts - 1;
            long base = addr & -(1L << s);
            int i = find(tagValue, base, s);
            if (i >= 0) {
                referenced[i] = true;
                return i;
            }
        }
        return -1;
    }

    /** The output address of {@code addr} through entry {@code e}. */
    public long translate(int e, long addr) {
        return output[e] | (addr & ((1L << shift[e]) - 1));
    }

    /** The IPA of {@code addr} through entry {@code e} (stage-2 and nested entries). */
    public long ipaOf(int e, long addr) {
        return ipa[e] | (addr & ((1L << shift[e]) - 1));
    }

    public int perms(int e) {
        return perms[e];
    }

    public int shift(int e) {
        return shift[e];
    }

    public int level(int e) {
        return level[e];
    }

    public int s2Level(int e) {
        return s2Level[e];
    }

    public int kind(int e) {
        return (int) (tag[e] >>> 40);
    }

    public long input(int e) {
        return input[e];
    }

    /**
     * Caches a translation of the block of {@code 1 << blockShift} bytes containing
     * {@code addr}; replaces an entry with the same key, else takes a free slot or evicts one.
     */
    public void insert(long tagValue, long addr, int blockShift, long out, long ipaAddr, int permBits, int lvl,
            int s2Lvl, int granule) {
        long base = addr & -(1L << blockShift);
        int e = find(tagValue, base, blockShift);
        if (e < 0) {
            e = size < capacity ? freeSlot() : evict();
            tag[e] = tagValue;
            input[e] = base;
            shift[e] = (byte) blockShift;
            valid[e] = true;
            size++;
            if (shiftCount[blockShift]++ == 0) {
                shiftsPresent |= 1L << blockShift;
            }
            indexInsert(e);
        }
        long mask = (1L << blockShift) - 1;
        output[e] = out & ~mask;
        ipa[e] = ipaAddr & ~mask;
        perms[e] = (byte) permBits;
        level[e] = (byte) lvl;
        s2Level[e] = (byte) s2Lvl;
        granuleShift[e] = (byte) granule;
        referenced[e] = true;
    }

    // ---- invalidation ---------------------------------------------------------------------

    /** Everything (CMD_TLBI_NSNH_ALL; NH_ALL without stage 2). Returns the entries removed. */
    public int invalidateAll() {
        int n = size;
        Arrays.fill(valid, false);
        Arrays.fill(index, EMPTY);
        Arrays.fill(shiftCount, 0);
        shiftsPresent = 0;
        size = 0;
        return n;
    }

    /**
     * Entries matching a selector, for the TLBI commands:
     *
     * @param kinds bit {@code 1 << kind} for each kind to consider
     * @param asid ASID to match, or -1 for any
     * @param vmid VMID to match, or -1 for any
     * @param start first input address covered (inclusive)
     * @param end last input address covered (inclusive); {@code start = 0, end = -1} for all
     * @param ttl required leaf level 1..3, or 0 for any (the TTL hint of a range TLBI)
     * @return the number of entries removed
     */
    public int invalidate(int kinds, int asid, int vmid, long start, long end, int ttl) {
        int removed = 0;
        for (int e = 0; e < capacity; e++) {
            if (!valid[e] || (kinds & (1 << kind(e))) == 0) {
                continue;
            }
            long t = tag[e];
            if (asid != -1 && ((t >>> 20) & 0xfffff) != (asid & 0xfffff)) {
                continue;
            }
            if (vmid != -1 && (t & 0xfffff) != (vmid & 0xfffff)) {
                continue;
            }
            if (ttl != 0 && level[e] != ttl) {
                continue;
            }
            long first = input[e];
            long last = first + (1L << shift[e]) - 1;
            if (Long.compareUnsigned(last, start) < 0 || Long.compareUnsigned(first, end) > 0) {
                continue;
            }
            remove(e);
            removed++;
        }
        return removed;
    }

    // ---- internals -------------------------------------------------------------------------

    private int find(long tagValue, long base, int s) {
        int i = hash(tagValue, base, s) & indexMask;
        while (true) {
            int e = index[i];
            if (e == EMPTY) {
                return -1;
            }
            if (tag[e] == tagValue && input[e] == base && shift[e] == s) {
                return e;
            }
            i = (i + 1) & indexMask;
        }
    }

    private static int hash(long tagValue, long base, int s) {
        long h = (tagValue * 0x9E3779B97F4A7C15L) ^ (base * 0xC2B2AE3D27D4EB4FL) ^ s;
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }

    private void indexInsert(int e) {
        int i = hash(tag[e], input[e], shift[e]) & indexMask;
        while (index[i] != EMPTY) {
            i = (i + 1) & indexMask;
        }
        index[i] = e;
    }

    private int freeSlot() {
        for (int k = 0; k < capacity; k++) {
            int e = (hand + k) % capacity;
            if (!valid[e]) {
                return e;
            }
        }
        throw new IllegalStateException("IOTLB claims " + size + " of " + capacity + " entries but has no free slot");
    }

    /** CLOCK: skip (and age) referenced entries, evict the first unreferenced one. */
    private int evict() {
        while (true) {
            int e = hand;
            hand = (hand + 1) % capacity;
            if (!valid[e]) {
                return e;
            }
            if (referenced[e]) {
                referenced[e] = false;
                continue;
            }
            remove(e);
            evictions++;
            return e;
        }
    }

    private void remove(int e) {
        int i = hash(tag[e], input[e], shift[e]) & indexMask;
        while (index[i] != e) {
            i = (i + 1) & indexMask;
        }
        // Backward-shift deletion keeps every probe chain unbroken.
        int j = i;
        while (true) {
            j = (j + 1) & indexMask;
            int f = index[j];
            if (f == EMPTY) {
                break;
            }
            int home = hash(tag[f], input[f], shift[f]) & indexMask;
            if (((j - home) & indexMask) >= ((j - i) & indexMask)) {
                index[i] = f;
                i = j;
            }
        }
        index[i] = EMPTY;
        valid[e] = false;
        size--;
        if (--shiftCount[shift[e]] == 0) {
            shiftsPresent &= ~(1L << shift[e]);
        }
    }
}
