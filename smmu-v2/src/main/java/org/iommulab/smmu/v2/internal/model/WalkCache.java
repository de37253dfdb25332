package org.iommulab.smmu.v2.internal.model;

import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;
import org.iommulab.modelkit.tlb.Iotlb;
import org.iommulab.modelkit.tlb.ReplacementPolicy;

/**
 * One context bank's walk cache: for a region of input addresses, the last-level table a walk
 * went through, so that the next walk in the region starts there (an MMU-500 caches such
 * intermediate entries; IHI0062 lets TLBIVAL and TLBIIPAS2L leave them, while TLBIVA and
 * TLBIIPAS2 must remove them). It makes the difference between "all levels" and "leaf only"
 * invalidation observable: a driver that frees a table but invalidates leaves only leaves the
 * hardware walking a freed page.
 *
 * <p>The entries are the kit's {@link Iotlb} used as a walk cache: fully associative, round
 * robin, keyed by VMID, ASID and {@link EntryKind}, each caching the region (its block), the
 * table's level (its level) and the table's address (its model data: an output is aligned to
 * the block, a table is not). Where regions of several levels cover an
 * address, the smallest, deepest one answers. What is the model's own is the resume config of
 * each slot, kept here beside the kit's entry.
 *
 * <p>A resumed walk uses the shared walker with a config whose start level is the cached
 * table's level; hierarchical APTable/XNTable bits above that level are not replayed (Linux's
 * writer sets none). A lookup happens only on a TLB miss. Creating an entry for a table not
 * seen before allocates its resume config. Guarded by the model's lock.
 */
final class WalkCache {
    private final Iotlb cache;
    // What each slot's resume config was built for, and the config itself.
    private final long[] resumeTable;
    private final byte[] resumeLevel;
    private final LpaeTranslationConfig[] source;
    private final LpaeTranslationConfig[] resume;

    WalkCache(int entries) {
        cache = new Iotlb(1, entries, ReplacementPolicy.roundRobin());
        resumeTable = new long[entries];
        resumeLevel = new byte[entries];
        source = new LpaeTranslationConfig[entries];
        resume = new LpaeTranslationConfig[entries];
    }

    /** The entry covering {@code input}, or -1. */
    int lookup(int vm, int as, EntryKind k, long input) {
        return cache.find(k.ordinal(), vm, as, input, Iotlb.ALL_SHIFTS);
    }

    /**
     * The config that resumes a walk at entry {@code i}'s table under the context's current
     * walk config {@code current}: the table pointer is what the entry caches; flags such as
     * SCTLR.AFFD come from the registers now, so the resume config is rebuilt when they changed.
     */
    LpaeTranslationConfig resume(int i, LpaeTranslationConfig current, ResumeFactory f) {
        if (source[i] != current) {
            resume[i] = f.resumeAt(current, cache.level(i), table(i));
            source[i] = current;
            resumeTable[i] = table(i);
            resumeLevel[i] = (byte) cache.level(i);
        }
        return resume[i];
    }

    /** Mask of the input bits a resumed walk translates (the region offset). */
    long regionMask(int i) {
        return (1L << cache.shift(i)) - 1;
    }

    /** Physical address of entry {@code i}'s table. */
    long table(int i) {
        return cache.aux0(i);
    }

    /**
     * Remembers that the region of {@code 2^shift} bytes containing {@code input} is translated
     * by the table at {@code tablePa}; {@code cfg} builds the resume config when the slot's is
     * for another table or config.
     */
    void insert(int vm, int as, EntryKind k, long input, int shift, int lvl, long tablePa, LpaeTranslationConfig current,
            ResumeFactory cfg) {
        int slot = cache.fill(k.ordinal(), vm, as, input, shift, 0, 0, lvl);
        cache.setAux(slot, tablePa, 0);
        if (source[slot] != current || resumeTable[slot] != tablePa || resumeLevel[slot] != lvl) {
            resume[slot] = cfg.resumeAt(current, lvl, tablePa);
            source[slot] = current;
            resumeTable[slot] = tablePa;
            resumeLevel[slot] = (byte) lvl;
        }
    }

    /** Builds the config that starts a walk of {@code from}'s format at a level-{@code lvl} table. */
    interface ResumeFactory {
        LpaeTranslationConfig resumeAt(LpaeTranslationConfig from, int lvl, long tablePa);
    }

    /** TLBIVA/VAA (not VAL): stage-1 entries whose region holds {@code va}. */
    void invalidateVa(int vm, int as, long va) {
        cache.invalidateAddress(1 << EntryKind.STAGE1.ordinal(), vm, as < 0 ? Iotlb.ANY : as, va);
    }

    /** TLBIIPAS2 (not the L form): stage-2 entries whose region holds {@code ipa}. */
    void invalidateIpa(int vm, long ipa) {
        cache.invalidateAddress(1 << EntryKind.STAGE2.ordinal(), vm, Iotlb.ANY, ipa);
    }

    void invalidateAsid(int vm, int as) {
        cache.invalidate(Iotlb.ALL_KINDS, vm, as);
    }

    void invalidateVmid(int vm) {
        cache.invalidate(Iotlb.ALL_KINDS, vm, Iotlb.ANY);
    }

    void invalidateAll() {
        cache.invalidateAll();
    }

    int size() {
        return cache.size();
    }
}
