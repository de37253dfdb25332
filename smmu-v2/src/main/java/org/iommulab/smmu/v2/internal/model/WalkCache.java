package org.iommulab.smmu.v2.internal.model;

import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;

/**
 * One context bank's walk cache: for a region of input addresses, the last-level table a walk
 * went through, so that the next walk in the region starts there (an MMU-500 caches such
 * intermediate entries; IHI0062 lets TLBIVAL and TLBIIPAS2L leave them, while TLBIVA and
 * TLBIIPAS2 must remove them). It makes the difference between "all levels" and "leaf only"
 * invalidation observable: a driver that frees a table but invalidates leaves only leaves the
 * hardware walking a freed page.
 *
 * <p>A resumed walk uses the shared walker with a config whose start level is the cached
 * table's level; hierarchical APTable/XNTable bits above that level are not replayed (Linux's
 * writer sets none). Entries are fully associative and few; a lookup happens only on a TLB
 * miss. Creating an entry for a table not seen before allocates its resume config. Guarded by
 * the model's lock.
 */
final class WalkCache {
    private final boolean[] valid;
    private final int[] vmid;
    private final int[] asid;
    private final byte[] kind;
    private final byte[] regionShift;
    private final long[] region;
    private final long[] table;
    private final byte[] level;
    private final LpaeTranslationConfig[] source;
    private final LpaeTranslationConfig[] resume;
    private int victim;

    WalkCache(int entries) {
        valid = new boolean[entries];
        vmid = new int[entries];
        asid = new int[entries];
        kind = new byte[entries];
        regionShift = new byte[entries];
        region = new long[entries];
        table = new long[entries];
        level = new byte[entries];
        source = new LpaeTranslationConfig[entries];
        resume = new LpaeTranslationConfig[entries];
    }

    /** The entry covering {@code input}, or -1. */
    int lookup(int vm, int as, EntryKind k, long input) {
        for (int i = 0; i < valid.length; i++) {
            if (valid[i] && vmid[i] == vm && asid[i] == as && kind[i] == k.ordinal()
                    && (input >>> regionShift[i]) == region[i]) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The config that resumes a walk at entry {@code i}'s table under the context's current
     * walk config {@code current}: the table pointer is what the entry caches; flags such as
     * SCTLR.AFFD come from the registers now, so the resume config is rebuilt when they changed.
     */
    LpaeTranslationConfig resume(int i, LpaeTranslationConfig current, ResumeFactory f) {
        if (source[i] != current) {
            resume[i] = f.resumeAt(current, level[i], table[i]);
            source[i] = current;
        }
        return resume[i];
    }

    /** Mask of the input bits a resumed walk translates (the region offset). */
    long regionMask(int i) {
        return (1L << regionShift[i]) - 1;
    }

    /** Physical address of entry {@code i}'s table. */
    long table(int i) {
        return table[i];
    }

    /**
     * Remembers that the region of {@code 2^shift} bytes containing {@code input} is translated
     * by the table at {@code tablePa}; {@code cfg} builds the resume config when the table is
     * new to this slot.
     */
    void insert(int vm, int as, EntryKind k, long input, int shift, int lvl, long tablePa, LpaeTranslationConfig current,
            ResumeFactory cfg) {
        long reg = input >>> shift;
        int slot = -1;
        for (int i = 0; i < valid.length; i++) {
            if (valid[i] && vmid[i] == vm && asid[i] == as && kind[i] == k.ordinal() && regionShift[i] == shift
                    && region[i] == reg) {
                slot = i;
                break;
            }
        }
        if (slot < 0) {
            for (int i = 0; i < valid.length && slot < 0; i++) {
                if (!valid[i]) {
                    slot = i;
                }
            }
        }
        if (slot < 0) {
            slot = victim;
            victim = (victim + 1) % valid.length;
        }
        if (!valid[slot] || table[slot] != tablePa || level[slot] != lvl || source[slot] != current) {
            resume[slot] = cfg.resumeAt(current, lvl, tablePa);
            source[slot] = current;
        }
        level[slot] = (byte) lvl;
        valid[slot] = true;
        vmid[slot] = vm;
        asid[slot] = as;
        kind[slot] = (byte) k.ordinal();
        regionShift[slot] = (byte) shift;
        region[slot] = reg;
        table[slot] = tablePa;
    }

    /** Builds the config that starts a walk of {@code from}'s format at a level-{@code lvl} table. */
    interface ResumeFactory {
        LpaeTranslationConfig resumeAt(LpaeTranslationConfig from, int lvl, long tablePa);
    }

    /** TLBIVA/VAA (not VAL): stage-1 entries whose region holds {@code va}. */
    void invalidateVa(int vm, int as, long va) {
        for (int i = 0; i < valid.length; i++) {
            if (valid[i] && kind[i] == EntryKind.STAGE1.ordinal() && vmid[i] == vm && (as < 0 || asid[i] == as)
                    && (va >>> regionShift[i]) == region[i]) {
                valid[i] = false;
            }
        }
    }

    /** TLBIIPAS2 (not the L form): stage-2 entries whose region holds {@code ipa}. */
    void invalidateIpa(int vm, long ipa) {
        for (int i = 0; i < valid.length; i++) {
            if (valid[i] && kind[i] == EntryKind.STAGE2.ordinal() && vmid[i] == vm
                    && (ipa >>> regionShift[i]) == region[i]) {
                valid[i] = false;
            }
        }
    }

    void invalidateAsid(int vm, int as) {
        for (int i = 0; i < valid.length; i++) {
            if (valid[i] && vmid[i] == vm && asid[i] == as) {
                valid[i] = false;
            }
        }
    }

    void invalidateVmid(int vm) {
        for (int i = 0; i < valid.length; i++) {
            if (valid[i] && vmid[i] == vm) {
                valid[i] = false;
            }
        }
    }

    void invalidateAll() {
        java.util.Arrays.fill(valid, false);
    }

    int size() {
        int n = 0;
        for (boolean v : valid) {
            if (v) {
                n++;
            }
        }
        return n;
    }
}
