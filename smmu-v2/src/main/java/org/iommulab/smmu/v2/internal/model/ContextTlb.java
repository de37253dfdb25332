package org.iommulab.smmu.v2.internal.model;

/**
 * One context bank's TLB of leaf translations: 4-way set associative over {@code entries}
 * slots, each tagged with VMID, ASID (-1 for stage-2 entries, which have none), privilege
 * and block size. A lookup probes every block size the context can map, as QEMU's IOTLB
 * probes every level; two hits for one address are a TLB match conflict (FSR.TLBMCF), the
 * state a driver reaches when it replaces a table by a block without invalidating. Parallel
 * primitive arrays: lookups and fills allocate nothing. Guarded by the model's lock.
 */
final class ContextTlb {
    static final int WAYS = 4;
    static final int MISS = -1;
    static final int CONFLICT = -2;

    private final int setMask;
    private final boolean[] valid;
    private final int[] vmid;
    private final int[] asid;
    private final boolean[] priv;
    private final byte[] kind;
    private final byte[] shift;
    private final byte[] level;
    private final long[] page;
    private final long[] out;
    private final boolean[] read;
    private final boolean[] write;
    private final long[] pteAddr;
    private final long[] pteVal;
    private final int[] victim;
    private long hits;
    private long misses;
    private long fills;

    ContextTlb(int entries) {
        int sets = Math.max(1, entries / WAYS);
        setMask = sets - 1;
        int n = sets * WAYS;
        valid = new boolean[n];
        vmid = new int[n];
        asid = new int[n];
        priv = new boolean[n];
        kind = new byte[n];
        shift = new byte[n];
        level = new byte[n];
        page = new long[n];
        out = new long[n];
        read = new boolean[n];
        write = new boolean[n];
        pteAddr = new long[n];
        pteVal = new long[n];
        victim = new int[sets];
    }

    private int set(long pg, int s) {
        long h = (pg ^ (pg >>> 19) ^ ((long) s << 7)) * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & setMask;
    }

    /**
     * The slot translating {@code input}, {@link #MISS}, or {@link #CONFLICT} when more than one
     * entry matches. Counts hits and misses (a conflict counts as neither).
     *
     * @param shiftMask bit {@code s} set for every block size {@code 2^s} the context maps with
     */
    int lookup(int vm, int as, boolean privileged, EntryKind k, long input, long shiftMask) {
        int found = MISS;
        for (long m = shiftMask; m != 0; m &= m - 1) {
            int s = Long.numberOfTrailingZeros(m);
            long pg = input >>> s;
            int base = set(pg, s) * WAYS;
            for (int i = base; i < base + WAYS; i++) {
                if (valid[i] && shift[i] == s && page[i] == pg && vmid[i] == vm && asid[i] == as && priv[i] == privileged
                        && kind[i] == k.ordinal()) {
                    if (found != MISS) {
                        return CONFLICT;
                    }
                    found = i;
                }
            }
        }
        if (found == MISS) {
            misses++;
        } else {
            hits++;
        }
        return found;
    }

    /** Inserts a translation of the {@code 2^s}-byte block containing {@code input}. */
    void fill(int vm, int as, boolean privileged, EntryKind k, long input, int s, int lvl, long outputBlock, boolean r,
            boolean w, long descAddr, long desc) {
        long pg = input >>> s;
        int st = set(pg, s);
        int base = st * WAYS;
        int slot = -1;
        for (int i = base; i < base + WAYS; i++) {
            if (!valid[i]) {
                slot = i;
                break;
            }
        }
        if (slot < 0) {
            slot = base + victim[st];
            victim[st] = (victim[st] + 1) % WAYS;
        }
        valid[slot] = true;
        vmid[slot] = vm;
        asid[slot] = as;
        priv[slot] = privileged;
        kind[slot] = (byte) k.ordinal();
        shift[slot] = (byte) s;
        level[slot] = (byte) lvl;
        page[slot] = pg;
        out[slot] = outputBlock;
        read[slot] = r;
        write[slot] = w;
        pteAddr[slot] = descAddr;
        pteVal[slot] = desc;
        fills++;
    }

    long output(int slot, long input) {
        return out[slot] | (input & ((1L << shift[slot]) - 1));
    }

    boolean readable(int slot) {
        return read[slot];
    }

    boolean writable(int slot) {
        return write[slot];
    }

    int level(int slot) {
        return level[slot];
    }

    /** Physical address of the leaf descriptor the entry came from, or -1 (nested entries). */
    long descriptorAddress(int slot) {
        return pteAddr[slot];
    }

    long descriptor(int slot) {
        return pteVal[slot];
    }

    // ---- invalidation ---------------------------------------------------------------------------

    /** TLBIVA/VAL (ASID {@code as}) or TLBIVAA/VAAL ({@code as} &lt; 0): stage-1 and nested entries covering {@code va}. */
    int invalidateVa(int vm, int as, long va) {
        int n = 0;
        for (int i = 0; i < valid.length; i++) {
            if (valid[i] && kind[i] != EntryKind.STAGE2.ordinal() && vmid[i] == vm && (as < 0 || asid[i] == as)
                    && (va >>> shift[i]) == page[i]) {
                valid[i] = false;
                n++;
            }
        }
        return n;
    }

    /** TLBIIPAS2(L): stage-2-only entries covering {@code ipa}. */
    int invalidateIpa(int vm, long ipa) {
        int n = 0;
        for (int i = 0; i < valid.length; i++) {
            if (valid[i] && kind[i] == EntryKind.STAGE2.ordinal() && vmid[i] == vm && (ipa >>> shift[i]) == page[i]) {
                valid[i] = false;
                n++;
            }
        }
        return n;
    }

    /** TLBIASID: every entry of ASID {@code as} in VMID {@code vm}. */
    int invalidateAsid(int vm, int as) {
        int n = 0;
        for (int i = 0; i < valid.length; i++) {
            if (valid[i] && vmid[i] == vm && asid[i] == as) {
                valid[i] = false;
                n++;
            }
        }
        return n;
    }

    /** TLBIALL (bank) and TLBIVMID: every entry of VMID {@code vm}. */
    int invalidateVmid(int vm) {
        int n = 0;
        for (int i = 0; i < valid.length; i++) {
            if (valid[i] && vmid[i] == vm) {
                valid[i] = false;
                n++;
            }
        }
        return n;
    }

    /** TLBIALLNSNH. */
    int invalidateAll() {
        int n = 0;
        for (int i = 0; i < valid.length; i++) {
            if (valid[i]) {
                valid[i] = false;
                n++;
            }
        }
        return n;
    }

    /** Valid entries now. */
    int size() {
        int n = 0;
        for (boolean v : valid) {
            if (v) {
                n++;
            }
        }
        return n;
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }

    long fills() {
        return fills;
    }
}
