package org.iommulab.smmu.v2.internal.model;

import org.iommulab.modelkit.tlb.Iotlb;
import org.iommulab.modelkit.tlb.ReplacementPolicy;

/**
 * One context bank's TLB of leaf translations, on the kit's {@link Iotlb}: 4-way set
 * associative with a round-robin victim per set, entries tagged with VMID (outer tag), ASID
 * (inner tag; -1 for stage-2 entries, which have none), and a kind that is the
 * {@link EntryKind} and the privilege. What stays here is the MMU-500's own: a lookup probes
 * every block size the context can map, and two hits for one address are a TLB match conflict
 * (FSR.TLBMCF), the state a driver reaches when it replaces a table by a block without
 * invalidating; a conflict counts as neither hit nor miss. Each entry keeps the address and
 * value of the leaf descriptor it came from (the kit's model data), so that a hit through a
 * descriptor changed since can be counted as stale. Lookups and fills allocate nothing.
 * Guarded by the model's lock.
 */
final class ContextTlb {
    static final int WAYS = 4;
    static final int MISS = -1;
    static final int CONFLICT = -2;

    private static final int READ = 1;
    private static final int WRITE = 2;
    /** Kinds of the VA operations: stage 1 and nested, privileged or not. */
    private static final int VA_KINDS = kindBits(EntryKind.STAGE1) | kindBits(EntryKind.NESTED);
    private static final int IPA_KINDS = kindBits(EntryKind.STAGE2);

    private final Iotlb tlb;

    ContextTlb(int entries) {
        tlb = new Iotlb(Math.max(1, entries / WAYS), WAYS, ReplacementPolicy.roundRobin());
    }

    private static int kind(EntryKind k, boolean privileged) {
        return k.ordinal() << 1 | (privileged ? 1 : 0);
    }

    private static int kindBits(EntryKind k) {
        return 3 << (k.ordinal() << 1);
    }

    /**
     * The slot translating {@code input}, {@link #MISS}, or {@link #CONFLICT} when more than one
     * entry matches. Counts hits and misses (a conflict counts as neither).
     *
     * @param shiftMask bit {@code s} set for every block size {@code 2^s} the context maps with
     */
    int lookup(int vm, int as, boolean privileged, EntryKind k, long input, long shiftMask) {
        int kind = kind(k, privileged);
        int e = tlb.find(kind, vm, as, input, shiftMask);
        if (e == Iotlb.MISS) {
            tlb.miss();
            return MISS;
        }
        // The first hit is the smallest size; any other match is a larger block over it.
        if (tlb.find(kind, vm, as, input, shiftMask & (-2L << tlb.shift(e))) != Iotlb.MISS) {
            return CONFLICT;
        }
        tlb.hit(e);
        return e;
    }

    /**
     * What {@link #lookup} would find, without its counting: the slot, {@link #MISS} or
     * {@link #CONFLICT}. With {@link #countHit}, a translation run's lookup of a block that hits.
     */
    int peek(int vm, int as, boolean privileged, EntryKind k, long input, long shiftMask) {
        int kind = kind(k, privileged);
        int e = tlb.find(kind, vm, as, input, shiftMask);
        if (e == Iotlb.MISS) {
            return MISS;
        }
        return tlb.find(kind, vm, as, input, shiftMask & (-2L << tlb.shift(e))) != Iotlb.MISS ? CONFLICT : e;
    }

    /** Counts the hit {@link #lookup} counts for the slot {@link #peek} found. */
    void countHit(int slot) {
        tlb.hit(slot);
    }

    /** Inserts a translation of the {@code 2^s}-byte block containing {@code input}. */
    void fill(int vm, int as, boolean privileged, EntryKind k, long input, int s, int lvl, long outputBlock, boolean r,
            boolean w, long descAddr, long desc) {
        int e = tlb.fill(kind(k, privileged), vm, as, input, s, outputBlock, (r ? READ : 0) | (w ? WRITE : 0), lvl);
        tlb.setAux(e, descAddr, desc);
    }

    long output(int slot, long input) {
        return tlb.translate(slot, input);
    }

    boolean readable(int slot) {
        return (tlb.perms(slot) & READ) != 0;
    }

    boolean writable(int slot) {
        return (tlb.perms(slot) & WRITE) != 0;
    }

    int level(int slot) {
        return tlb.level(slot);
    }

    /** Physical address of the leaf descriptor the entry came from, or -1 (nested entries). */
    long descriptorAddress(int slot) {
        return tlb.aux0(slot);
    }

    long descriptor(int slot) {
        return tlb.aux1(slot);
    }

    // ---- invalidation ---------------------------------------------------------------------------

    /** TLBIVA/VAL (ASID {@code as}) or TLBIVAA/VAAL ({@code as} &lt; 0): stage-1 and nested entries covering {@code va}. */
    int invalidateVa(int vm, int as, long va) {
        return tlb.invalidateAddress(VA_KINDS, vm, as < 0 ? Iotlb.ANY : as, va);
    }

    /** TLBIIPAS2(L): stage-2-only entries covering {@code ipa}. */
    int invalidateIpa(int vm, long ipa) {
        return tlb.invalidateAddress(IPA_KINDS, vm, Iotlb.ANY, ipa);
    }

    /** TLBIASID: every entry of ASID {@code as} in VMID {@code vm}. */
    int invalidateAsid(int vm, int as) {
        return tlb.invalidate(Iotlb.ALL_KINDS, vm, as);
    }

    /** TLBIALL (bank) and TLBIVMID: every entry of VMID {@code vm}. */
    int invalidateVmid(int vm) {
        return tlb.invalidate(Iotlb.ALL_KINDS, vm, Iotlb.ANY);
    }

    /** TLBIALLNSNH. */
    int invalidateAll() {
        return tlb.invalidateAll();
    }

    /** Valid entries now. */
    int size() {
        return tlb.size();
    }

    long hits() {
        return tlb.hits();
    }

    long misses() {
        return tlb.misses();
    }

    long fills() {
        return tlb.fills();
    }
}
