package org.iommulab.modelkit.tlb;

import java.util.Arrays;

/**
 * A translation cache for hardware models: IOTLBs, and walk caches (an entry then caches a
 * region, its level the level of the table that translates the region and its model data the
 * table's address, which the block-aligned output cannot hold). Capacity is fixed at construction, as {@code sets} sets of
 * {@code ways} slots (one set: fully associative); a {@link ReplacementPolicy} picks the victim
 * when a fill finds its set full.
 *
 * <p><b>Entries.</b> Each caches one naturally aligned block of {@code 2^shift} bytes of input
 * address space (pages and blocks of several sizes live side by side) and is tagged by:
 * <ul>
 * <li>a <i>kind</i>, 0 to 31, which the model defines (stage 1, stage 2, nested; privileged or
 * not) and invalidations select by a mask;
 * <li>two int tags: {@code tag1} the outer context (a VMID, a domain ID) and {@code tag2} the
 * inner one (an ASID, a PASID; any constant where the architecture has none).
 * </ul>
 * and holds the output block, permission bits and the leaf's table level, which the TLB only
 * stores, plus model data it never reads: two longs and an int ({@link #setAux}), for example
 * the leaf descriptor's address and value for stale-hit detection, or a nested entry's IPA.
 *
 * <p><b>Cost.</b> A lookup probes one hash bucket per block size present (at most the number
 * of distinct sizes, a handful), smallest first. Every entry is also on a list per page, per
 * outer tag and per tag pair, so an invalidation by address visits only that page's entries,
 * one by tag only that tag's entries, and one by range either probes each page of each size
 * present or walks the narrowest list the selector allows, whichever visits fewer entries. No
 * operation scans the whole TLB except those that select every entry, and none allocates.
 * Unlike Linux's range flushes, which fall back to flushing everything above a threshold, the
 * fallback here still removes exactly the entries in range: a model's observable behaviour
 * never depends on which way was cheaper.
 *
 * <p>Special behaviours stay in the model on top: QEMU's flush-when-full (check
 * {@link #size()} before a fill), TLB conflict detection (a second {@link #find} above the
 * first hit's size), an erratum that caches blocks at page size (fill with the page's shift).
 *
 * <p>Statistics: hits and misses (of {@link #lookup}, or as recorded by {@link #hit} and
 * {@link #miss}), fills, evictions, invalidation calls, the entries they removed and the
 * entries they examined ({@link #visited()}, the measure of their cost).
 *
 * <p>Not thread-safe: a model calls it under its own lock.
 */
public final class Iotlb {
    /** A tag or level selector that matches every value. Not a valid tag for an entry. */
    public static final int ANY = Integer.MIN_VALUE;
    /** {@link #lookup} and {@link #find}: no entry translates the address. */
    public static final int MISS = -1;
    /** A kind mask that selects every kind. */
    public static final int ALL_KINDS = -1;
    /** Every block size present: the default size mask of a lookup. */
    public static final long ALL_SHIFTS = -1L;
    /** The smallest block an entry may cache: 64 bytes. */
    public static final int MIN_SHIFT = 6;
    /** The largest block: {@code 2^63} bytes. */
    public static final int MAX_SHIFT = 63;

    private static final int NONE = -1;
    /** The key of the list of all entries. */
    private static final long ALL = 0;

    private final int sets;
    private final int ways;
    private final int capacity;
    private final ReplacementPolicy policy;

    // The entries: nothing per entry is an object. What a lookup and a hit read lies in one
    // record of ENTRY_WORDS longs per slot in `entry` (32 bytes: the key, the permissions and
    // the output together, one or two cache lines), not spread over seven parallel arrays
    // (a device's 64 KiB read looks up 16 or 17 pages right after its copy has evicted L1).
    /** Longs per slot in {@link #entry}. */
    private static final int ENTRY_WORDS = 4;
    /** Word 0: the input block's address with log2 of its size in the low 6 bits (a block is at least 64 bytes). */
    private static final int W_BLOCK = 0;
    /** Word 1: tag1 in the high 32 bits, tag2 in the low 32 ({@link #pairKey}). */
    private static final int W_TAGS = 1;
    /** Word 2: the permission bits in the high 32 bits, the level in bits 8-15, the kind in bits 0-7. */
    private static final int W_META = 2;
    /** Word 3: the output block's address. */
    private static final int W_OUT = 3;
    /** The low bits of {@link #W_BLOCK} that hold the size: log2 is at most 63, and a block starts at a multiple of {@code 2^MIN_SHIFT}. */
    private static final long SHIFT_BITS = (1L << MIN_SHIFT) - 1;
    private final boolean[] valid;
    private final long[] entry;
    private final long[] aux0;
    private final long[] aux1;
    private final int[] auxInt;

    private final KeyIndex byKey;
    // Invalidation indexes: every entry is on its page's, its outer tag's, its pair's list and
    // on the one list of all entries.
    private final Chains byPage;
    private final Chains byTag1;
    private final Chains byPair;
    private final Chains all;
    private final FreeSlots free;

    private final int[] shiftCount = new int[64];
    private long shiftsPresent;
    private int size;

    private long hits;
    private long misses;
    private long fills;
    private long evictions;
    private long invalidations;
    private long invalidated;
    private long visited;

    /** A fully associative TLB of {@code capacity} entries with LRU replacement. */
    public Iotlb(int capacity) {
        this(1, capacity, ReplacementPolicy.lru());
    }

    /**
     * A TLB of {@code sets} sets (a power of two) of {@code ways} slots. An entry's set is a
     * hash of its page number and size, so the blocks and pages of one address may sit in
     * different sets.
     *
     * @throws IllegalArgumentException for a set count that is not a power of two, no ways, or
     *         more than 2^28 entries
     */
    public Iotlb(int sets, int ways, ReplacementPolicy.Factory policy) {
        if (sets < 1 || Integer.bitCount(sets) != 1) {
            throw new IllegalArgumentException("IOTLB sets must be a power of two, got " + sets);
        }
        if (ways < 1) {
            throw new IllegalArgumentException("IOTLB ways must be positive, got " + ways);
        }
        if ((long) sets * ways > 1 << 28) {
            throw new IllegalArgumentException("IOTLB of " + sets + " x " + ways + " entries is too large");
        }
        this.sets = sets;
        this.ways = ways;
        this.capacity = sets * ways;
        this.policy = policy.create(sets, ways);
        valid = new boolean[capacity];
        entry = new long[capacity * ENTRY_WORDS];
        aux0 = new long[capacity];
        aux1 = new long[capacity];
        auxInt = new int[capacity];
        byKey = new KeyIndex(capacity);
        byPage = new Chains(capacity);
        byTag1 = new Chains(capacity);
        byPair = new Chains(capacity);
        all = new Chains(capacity);
        free = new FreeSlots(sets, ways);
    }

    // ---- shape and statistics ------------------------------------------------------------------

    public int capacity() {
        return capacity;
    }

    public int sets() {
        return sets;
    }

    public int ways() {
        return ways;
    }

    /** Valid entries now. */
    public int size() {
        return size;
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    /** Fills that created or refreshed an entry. */
    public long fills() {
        return fills;
    }

    /** Entries given up to make room (not invalidations). */
    public long evictions() {
        return evictions;
    }

    /** Calls to the invalidation methods. */
    public long invalidations() {
        return invalidations;
    }

    /** Entries the invalidation methods removed. */
    public long invalidated() {
        return invalidated;
    }

    /**
     * Entries the selective invalidations examined, matching or not: their cost. An
     * invalidation by tag adds that tag's entries, one by address that page's entries, never
     * the whole TLB unless its selector takes every entry.
     */
    public long visited() {
        return visited;
    }

    /** Bit {@code s} set for every block size {@code 2^s} some entry has. */
    public long shiftsPresent() {
        return shiftsPresent;
    }

    // ---- lookup --------------------------------------------------------------------------------

    /** {@link #lookup(int, int, int, long, long)} over every block size present. */
    public int lookup(int kind, int tag1, int tag2, long addr) {
        return lookup(kind, tag1, tag2, addr, ALL_SHIFTS);
    }

    /**
     * The slot translating {@code addr} under the given kind and tags, or {@link #MISS};
     * counts a hit or a miss and tells the replacement policy of the hit. Probes the sizes in
     * {@code shiftMask} (bit {@code s} for {@code 2^s}) that are present, smallest first.
     */
    public int lookup(int kind, int tag1, int tag2, long addr, long shiftMask) {
        int e = find(kind, tag1, tag2, addr, shiftMask);
        if (e == MISS) {
            misses++;
        } else {
            hit(e);
        }
        return e;
    }

    /**
     * The same search as {@link #lookup(int, int, int, long, long)} with no side effect: no
     * statistics, no policy update. For a model that decides first whether the lookup counts
     * (then calls {@link #hit} or {@link #miss}), or that looks for a second match.
     */
    public int find(int kind, int tag1, int tag2, long addr, long shiftMask) {
        long shifts = shiftsPresent & shiftMask;
        while (shifts != 0) {
            int s = Long.numberOfTrailingZeros(shifts);
            shifts &= shifts - 1;
            long base = addr & -(1L << s);
            int e = findExact(kind, tag1, tag2, base, s);
            if (e != NONE) {
                return e;
            }
        }
        return MISS;
    }

    /** Records a hit on slot {@code e} found by {@link #find}. */
    public void hit(int e) {
        hits++;
        policy.used(e);
    }

    /** Records a miss of a {@link #find}. */
    public void miss() {
        misses++;
    }

    // ---- fill ----------------------------------------------------------------------------------

    /**
     * Caches a translation of the {@code 2^shift}-byte block containing {@code addr}: its output
     * block is {@code out} with the offset bits cleared. An entry with the same key is
     * refreshed in place; otherwise the lowest free slot of the block's set is taken, or the
     * policy's victim evicted. The model data ({@link #setAux}) starts at 0.
     *
     * @return the slot now holding the entry
     * @throws IllegalArgumentException for a kind outside 0..31, a tag equal to {@link #ANY},
     *         or a shift outside {@link #MIN_SHIFT}..{@link #MAX_SHIFT}
     */
    public int fill(int kind, int tag1, int tag2, long addr, int shift, long out, int permBits, int lvl) {
        if (kind < 0 || kind > 31 || tag1 == ANY || tag2 == ANY || shift < MIN_SHIFT || shift > MAX_SHIFT) {
            throw new IllegalArgumentException(String.format("bad IOTLB entry: kind %d, tags %d/%d, shift %d", kind,
                    tag1, tag2, shift));
        }
        long base = addr & -(1L << shift);
        int e = findExact(kind, tag1, tag2, base, shift);
        if (e == NONE) {
            int set = setOf(base, shift);
            e = free.take(set);
            if (e == NONE) {
                e = policy.victim(set);
                if (e < set * ways || e >= set * ways + ways || !valid[e]) {
                    throw new IllegalStateException("replacement policy chose slot " + e + " outside full set " + set);
                }
                remove(e);
                evictions++;
                e = free.take(set);
            }
            link(e, kind, tag1, tag2, base, shift);
            policy.filled(e);
        } else {
            policy.used(e);
        }
        int i = e * ENTRY_WORDS;
        entry[i + W_META] = (long) permBits << 32 | (lvl & 0xffL) << 8 | kind;
        entry[i + W_OUT] = out & -(1L << shift);
        aux0[e] = 0;
        aux1[e] = 0;
        auxInt[e] = 0;
        fills++;
        return e;
    }

    /** Sets slot {@code e}'s model data: two longs the TLB stores and never reads. */
    public void setAux(int e, long a0, long a1) {
        aux0[e] = a0;
        aux1[e] = a1;
    }

    /** Sets slot {@code e}'s model int. */
    public void setAuxInt(int e, int v) {
        auxInt[e] = v;
    }

    // ---- entry fields --------------------------------------------------------------------------

    /** The output address of {@code addr} through slot {@code e}: output block plus offset. */
    public long translate(int e, long addr) {
        int i = e * ENTRY_WORDS;
        return entry[i + W_OUT] | (addr & ((1L << (entry[i + W_BLOCK] & SHIFT_BITS)) - 1));
    }

    /** True while slot {@code e} holds an entry. */
    public boolean valid(int e) {
        return valid[e];
    }

    public int kind(int e) {
        return (int) (entry[e * ENTRY_WORDS + W_META] & 0xff);
    }

    public int tag1(int e) {
        return (int) (entry[e * ENTRY_WORDS + W_TAGS] >>> 32);
    }

    public int tag2(int e) {
        return (int) entry[e * ENTRY_WORDS + W_TAGS];
    }

    /** First input address of the entry's block. */
    public long input(int e) {
        return entry[e * ENTRY_WORDS + W_BLOCK] & ~SHIFT_BITS;
    }

    /** log2 of the entry's block size. */
    public int shift(int e) {
        return (int) (entry[e * ENTRY_WORDS + W_BLOCK] & SHIFT_BITS);
    }

    /** Output address of the block's first byte. */
    public long output(int e) {
        return entry[e * ENTRY_WORDS + W_OUT];
    }

    public int perms(int e) {
        return (int) (entry[e * ENTRY_WORDS + W_META] >>> 32);
    }

    public int level(int e) {
        return (byte) (entry[e * ENTRY_WORDS + W_META] >>> 8);
    }

    public long aux0(int e) {
        return aux0[e];
    }

    public long aux1(int e) {
        return aux1[e];
    }

    public int auxInt(int e) {
        return auxInt[e];
    }

    // ---- invalidation --------------------------------------------------------------------------

    /** Removes every entry; returns how many there were. */
    public int invalidateAll() {
        invalidations++;
        int n = 0;
        for (int e = all.first(ALL); e != NONE; e = all.next(e)) {
            policy.removed(e);
            valid[e] = false;
            n++;
        }
        // Every entry is gone: reset the indexes wholesale rather than unlinking one by one.
        byKey.clear();
        byPage.clear();
        byTag1.clear();
        byPair.clear();
        all.clear();
        for (int s = 0; s < sets; s++) {
            free.freeAll(s);
        }
        Arrays.fill(shiftCount, 0);
        shiftsPresent = 0;
        size = 0;
        invalidated += n;
        return n;
    }

    /**
     * Removes the entries of the kinds in {@code kindMask} (bit {@code 1 << kind}) whose tags
     * match ({@link #ANY} matches every value): visits only the outer tag's entries, or the
     * pair's, when those are given. Returns how many went.
     */
    public int invalidate(int kindMask, int tag1, int tag2) {
        return invalidateRange(kindMask, tag1, tag2, 0, -1L, ANY);
    }

    /** Removes the matching entries whose block contains {@code addr}. */
    public int invalidateAddress(int kindMask, int tag1, int tag2, long addr) {
        return invalidateRange(kindMask, tag1, tag2, addr, addr, ANY);
    }

    /**
     * Removes the matching entries whose block overlaps {@code [first, last]} (inclusive,
     * unsigned) and, unless {@code lvl} is {@link #ANY}, whose level is {@code lvl} (a range
     * TLBI's TTL hint). Either probes the pages of each size present in the range or walks the
     * narrowest list the tags select, whichever visits fewer entries; the same entries go.
     */
    public int invalidateRange(int kindMask, int tag1, int tag2, long first, long last, int lvl) {
        invalidations++;
        if (size == 0 || Long.compareUnsigned(first, last) > 0) {
            // Nothing cached (a strict unmap of a page no device touched): nothing to visit.
            return 0;
        }
        long walkCost = tag1 == ANY ? size : tag2 == ANY ? byTag1.length(tag1) : byPair.length(pairKey(tag1, tag2));
        int removed = probesWithin(first, last, walkCost)
                ? probePages(kindMask, tag1, tag2, first, last, lvl)
                : walk(kindMask, tag1, tag2, first, last, lvl);
        invalidated += removed;
        return removed;
    }

    // ---- internals -----------------------------------------------------------------------------

    /** True when probing every page of every size present in the range takes at most {@code limit} probes. */
    private boolean probesWithin(long first, long last, long limit) {
        long probes = 0;
        for (long m = shiftsPresent; m != 0; m &= m - 1) {
            int s = Long.numberOfTrailingZeros(m);
            probes += (last >>> s) - (first >>> s) + 1;
            if (probes > limit || probes < 0) {
                return false;
            }
        }
        return true;
    }

    private int probePages(int kindMask, int t1, int t2, long first, long last, int lvl) {
        int removed = 0;
        for (long m = shiftsPresent; m != 0; m &= m - 1) {
            int s = Long.numberOfTrailingZeros(m);
            long lastPage = last >>> s;
            for (long page = first >>> s; ; page++) {
                long key = (page << s) | s;
                for (int e = byPage.first(key); e != NONE;) {
                    int next = byPage.next(e);
                    visited++;
                    if (matches(e, kindMask, t1, t2, lvl)) {
                        remove(e);
                        removed++;
                    }
                    e = next;
                }
                if (page == lastPage) {
                    break;
                }
            }
        }
        return removed;
    }

    private int walk(int kindMask, int t1, int t2, long first, long last, int lvl) {
        int removed = 0;
        Chains chains = t1 == ANY ? all : t2 == ANY ? byTag1 : byPair;
        long key = t1 == ANY ? ALL : t2 == ANY ? t1 : pairKey(t1, t2);
        for (int e = chains.first(key); e != NONE;) {
            int next = chains.next(e);
            visited++;
            if (matches(e, kindMask, t1, t2, lvl) && overlaps(e, first, last)) {
                remove(e);
                removed++;
            }
            e = next;
        }
        return removed;
    }

    private boolean matches(int e, int kindMask, int t1, int t2, int lvl) {
        return (kindMask & (1 << kind(e))) != 0 && (t1 == ANY || tag1(e) == t1) && (t2 == ANY || tag2(e) == t2)
                && (lvl == ANY || level(e) == lvl);
    }

    private boolean overlaps(int e, long first, long last) {
        long start = input(e);
        long end = start + ((1L << shift(e)) - 1);
        return Long.compareUnsigned(end, first) >= 0 && Long.compareUnsigned(start, last) <= 0;
    }

    private int findExact(int k, int t1, int t2, long base, int s) {
        long block = base | s;
        long tags = pairKey(t1, t2);
        for (int e = byKey.first(k, t1, t2, base, s); e != NONE; e = byKey.next(e)) {
            int i = e * ENTRY_WORDS;
            if (entry[i + W_BLOCK] == block && entry[i + W_TAGS] == tags && (entry[i + W_META] & 0xff) == k) {
                return e;
            }
        }
        return NONE;
    }

    private void link(int e, int k, int t1, int t2, long base, int s) {
        valid[e] = true;
        int i = e * ENTRY_WORDS;
        entry[i + W_BLOCK] = base | s;
        entry[i + W_TAGS] = pairKey(t1, t2);
        entry[i + W_META] = k; // fill() sets the rest of the word
        byKey.add(e, k, t1, t2, base, s);
        byPage.add(base | s, e);
        byTag1.add(t1, e);
        byPair.add(pairKey(t1, t2), e);
        all.add(ALL, e);
        if (shiftCount[s]++ == 0) {
            shiftsPresent |= 1L << s;
        }
        size++;
    }

    private void remove(int e) {
        int s = shift(e);
        byKey.remove(e, kind(e), tag1(e), tag2(e), input(e), s);
        byPage.remove(e);
        byTag1.remove(e);
        byPair.remove(e);
        all.remove(e);
        if (--shiftCount[s] == 0) {
            shiftsPresent &= ~(1L << s);
        }
        valid[e] = false;
        size--;
        free.release(e);
        policy.removed(e);
    }

    /** The set of a block: its page number and size, mixed (the SMMUv2 model's index function). */
    private int setOf(long base, int s) {
        if (sets == 1) {
            return 0;
        }
        long pg = base >>> s;
        long h = (pg ^ (pg >>> 19) ^ ((long) s << 7)) * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & (sets - 1);
    }

    private static long pairKey(int t1, int t2) {
        return (long) t1 << 32 | (t2 & 0xffff_ffffL);
    }
}
