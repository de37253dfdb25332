package org.iommulab.smmu.v2.internal.model;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iopgtable.DescriptorReader;
import org.iommulab.iopgtable.NestedDescriptorReader;
import org.iommulab.iopgtable.lpae.LpaeFault;
import org.iommulab.iopgtable.lpae.LpaeFormat;
import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;
import org.iommulab.iopgtable.lpae.LpaeWalkResult;
import org.iommulab.iopgtable.lpae.LpaeWalker;

/**
 * Translates one transaction through a decoded context: TLB lookup, then on a miss the walk
 * cache and the shared LPAE walker ({@link LpaeWalker}), stage 1, stage 2 or both (nested:
 * stage-1 descriptor fetches go through stage 2, see {@link NestedDescriptorReader}), and a
 * TLB fill.
 * On a fault it leaves the cause in its fault fields for the caller to record. Guarded by the
 * model's lock; the hit path and the miss path into known tables allocate nothing.
 */
final class ContextWalk implements WalkCache.ResumeFactory {
    /** {@link #translate}'s result when the transaction faulted. */
    static final long FAULT = -1;

    private final PhysicalMemory memory;
    private final LpaeWalker walker;
    private final NestedDescriptorReader stage2Reader;
    private final LpaeWalker nestedWalker;
    private final LpaeWalkResult r1 = new LpaeWalkResult();
    private final LpaeWalkResult r2 = new LpaeWalkResult();

    // The fault of the last translate() that returned FAULT.
    FaultReason reason;
    int level;
    int faultBank;
    boolean tableWalk;
    long ipa;

    /** False while an uncached translation runs. */
    private boolean cached = true;

    /**
     * The Qualcomm SMMU-500 erratum: blocks are cached as base-page-size entries and TLBIVA(L)
     * removes only the one at the address given, leaving the rest of a block's pages stale
     * ({@code ../shared/reference/smmu.md} §6, qualcomm-linux/kernel-topics PR 1550).
     */
    boolean basePageErratum;

    ContextWalk(PhysicalMemory memory) {
        this.memory = memory;
        DescriptorReader phys = DescriptorReader.of(memory);
        this.walker = new LpaeWalker(phys);
        this.stage2Reader = new NestedDescriptorReader(phys);
        this.nestedWalker = new LpaeWalker(stage2Reader);
    }

    /** The physical address of {@code va}, or {@link #FAULT}. */
    long translate(ContextBank[] banks, TranslationConfig cfg, long va, AccessType access, boolean priv) {
        cached = true;
        return run(banks, cfg, va, access, priv);
    }

    /**
     * A further block of a translation run ({@code TranslationPort.translateRun}) whose block 0
     * {@link #translate} has just translated through the same context: its output when the TLB
     * hits without conflict and the entry permits the access, with the hit and the stale-hit
     * check {@link #translate} makes; {@link #FAULT} with nothing looked up, counted or recorded
     * otherwise, so that the block then goes through {@link #translate} and walks or faults as
     * it would have on its own.
     *
     * <p>The stale-hit check reads the entry's leaf descriptor now, before the run's accesses;
     * block by block it would read it after the device's accesses to the blocks before. Those
     * differ only when the device writes the descriptor itself, so a write run stops before a
     * block whose descriptor lies in a page an earlier block of the run reaches
     * ({@code frames[0..i-1]}).
     *
     * @param frames the run's translations so far (blocks 0 to {@code i - 1})
     */
    long translateHit(ContextBank[] banks, TranslationConfig cfg, long va, AccessType access, boolean priv,
            long[] frames, int i, int shift) {
        if (cfg.stage2Fault() && cfg.s1() == null) {
            return FAULT;
        }
        ContextBank bank = banks[cfg.bank()];
        int as = cfg.s1() != null ? cfg.asid() : -1;
        int slot = bank.tlb.peek(cfg.vmid(), as, priv, cfg.entryKind(), va, cfg.leafShifts());
        if (slot < 0 || (access == AccessType.WRITE ? !bank.tlb.writable(slot) : !bank.tlb.readable(slot))) {
            return FAULT;
        }
        long pteAddr = bank.tlb.descriptorAddress(slot);
        if (pteAddr >= 0 && access == AccessType.WRITE) {
            long ptePage = pteAddr >>> shift;
            for (int k = 0; k < i; k++) {
                if (frames[k] >>> shift == ptePage) {
                    return FAULT;
                }
            }
        }
        bank.tlb.countHit(slot);
        if (pteAddr >= 0 && memory.readLong(pteAddr) != bank.tlb.descriptor(slot)) {
            bank.staleHits++;
        }
        return bank.tlb.output(slot, va);
    }

    /**
     * The same translation from the tables alone: no TLB or walk-cache lookup, no fill (the
     * ATS1* operations of this model, so that PAR always tells what the tables say).
     */
    long translateUncached(ContextBank[] banks, TranslationConfig cfg, long va, AccessType access, boolean priv) {
        cached = false;
        try {
            return run(banks, cfg, va, access, priv);
        } finally {
            cached = true;
        }
    }

    private long run(ContextBank[] banks, TranslationConfig cfg, long va, AccessType access, boolean priv) {
        if (cfg.stage2Fault() && cfg.s1() == null) {
            // Stage 1 disabled (SCTLR.M=0) passes the address on to a stage 2 that faults.
            return fail(FaultReason.STAGE2_FAULT_CONTEXT, 0, cfg.bank(), false, va);
        }
        ContextBank bank = banks[cfg.bank()];
        EntryKind kind = cfg.entryKind();
        int as = cfg.s1() != null ? cfg.asid() : -1;
        int slot = cached ? bank.tlb.lookup(cfg.vmid(), as, priv, kind, va, cfg.leafShifts()) : ContextTlb.MISS;
        if (slot == ContextTlb.CONFLICT) {
            return fail(FaultReason.TLB_CONFLICT, 0, cfg.bank(), false, 0);
        }
        if (slot >= 0) {
            long pteAddr = bank.tlb.descriptorAddress(slot);
            if (pteAddr >= 0 && memory.readLong(pteAddr) != bank.tlb.descriptor(slot)) {
                bank.staleHits++;
            }
            if (access == AccessType.WRITE ? !bank.tlb.writable(slot) : !bank.tlb.readable(slot)) {
                return fail(FaultReason.PERMISSION, bank.tlb.level(slot), cfg.bank(), false, 0);
            }
            return bank.tlb.output(slot, va);
        }
        if (cfg.s1() != null && cfg.walksDisabled()) {
            return fail(FaultReason.WALK_DISABLED, 0, cfg.bank(), false, 0);
        }
        switch (kind) {
            case STAGE1: {
                if (!walk(bank, cfg, cfg.s1(), EntryKind.STAGE1, as, va, access, priv, r1)) {
                    return failFrom(r1, cfg.s1(), va, cfg.bank(), false, 0);
                }
                if (cfg.stage2Fault()) {
                    return fail(FaultReason.STAGE2_FAULT_CONTEXT, r1.level(), cfg.bank(), false, r1.outputAddress());
                }
                fill(bank, cfg, kind, as, priv, va, r1.blockShift(), r1.level(), r1.blockOutput(), r1, r1);
                return r1.outputAddress();
            }
            case STAGE2: {
                int recordIn = cfg.s2Bank() >= 0 ? cfg.s2Bank() : cfg.bank();
                if (!walk(bank, cfg, cfg.s2(), EntryKind.STAGE2, -1, va, access, false, r2)) {
                    return failFrom(r2, cfg.s2(), va, recordIn, false, va);
                }
                fill(bank, cfg, kind, as, priv, va, r2.blockShift(), r2.level(), r2.blockOutput(), r2, r2);
                return r2.outputAddress();
            }
            default:
                return nested(bank, cfg, as, va, access, priv);
        }
    }

    private long nested(ContextBank bank, TranslationConfig cfg, int as, long va, AccessType access, boolean priv) {
        stage2Reader.begin(cfg.s2());
        if (!nestedWalker.walk(cfg.s1(), va, access, priv, r1)) {
            if (r1.fault() == LpaeFault.WALK_EABT && stage2Reader.stage2Fault() != null) {
                // A stage-2 fault on a stage-1 descriptor fetch: recorded by the stage-2 bank
                // (FSYNR0.PTWF), with the IPA of the descriptor.
                return fail(reasonOf(stage2Reader.stage2Fault(), true), stage2Reader.stage2FaultLevel(), cfg.s2Bank(),
                        true, stage2Reader.stage2FaultIpa());
            }
            return failFrom(r1, cfg.s1(), va, cfg.bank(), false, 0);
        }
        long ipaOut = r1.outputAddress();
        if (!walker.walk(cfg.s2(), ipaOut, access, false, r2)) {
            return failFrom(r2, cfg.s2(), ipaOut, cfg.s2Bank(), false, ipaOut);
        }
        int shift = entryShift(Math.min(r1.blockShift(), r2.blockShift()), cfg);
        long outBlock = r2.outputAddress() & -(1L << shift);
        if (cached) {
            bank.tlb.fill(cfg.vmid(), as, priv, EntryKind.NESTED, va, shift, r1.level(), outBlock,
                    r1.readable() && r2.readable(), r1.writable() && r2.writable(), -1, 0);
        }
        return r2.outputAddress();
    }

    /** A walk that starts at a cached table when the walk cache has one for {@code input}. */
    private boolean walk(ContextBank bank, TranslationConfig cfg, LpaeTranslationConfig lc, EntryKind kind, int as,
            long input, AccessType access, boolean priv, LpaeWalkResult r) {
        if (!cached) {
            return walker.walk(lc, input, access, priv, r);
        }
        int w = bank.walks.lookup(cfg.vmid(), as, kind, input);
        if (w >= 0) {
            return walker.walk(bank.walks.resume(w, lc, this), input & bank.walks.regionMask(w), access, priv, r);
        }
        boolean ok = walker.walk(lc, input, access, priv, r);
        int lvl = r.level();
        if (lvl > lc.startLevel() && r.fault() != LpaeFault.WALK_EABT) {
            // The table holding the last descriptor was reached through valid table descriptors.
            long table = r.descriptorAddress() & -lc.granule().size();
            int regionShift = lc.levelShift(lvl) + lc.granule().bitsPerLevel();
            bank.walks.insert(cfg.vmid(), as, kind, input, regionShift, lvl, table, lc, this);
        }
        return ok;
    }

    @Override
    public LpaeTranslationConfig resumeAt(LpaeTranslationConfig from, int lvl, long tablePa) {
        int regionShift = from.levelShift(lvl) + from.granule().bitsPerLevel();
        return LpaeTranslationConfig.builder(from.stage(), from.granule()).inputSize(regionShift).startLevel(lvl)
                .ttb(tablePa).outputSize(from.outputSize()).accessFlagFaultDisabled(from.accessFlagFaultDisabled())
                .build();
    }

    private void fill(ContextBank bank, TranslationConfig cfg, EntryKind kind, int as, boolean priv, long va,
            int shift, int lvl, long outBlock, LpaeWalkResult perms, LpaeWalkResult leaf) {
        if (!cached) {
            return;
        }
        int s = entryShift(shift, cfg);
        long out = s == shift ? outBlock : (outBlock | (va & ((1L << shift) - 1))) & -(1L << s);
        bank.tlb.fill(cfg.vmid(), as, priv, kind, va, s, lvl, out, perms.readable(), perms.writable(),
                leaf.descriptorAddress(), leaf.descriptor());
    }

    /** The size an entry for a {@code 2^shift} leaf gets: the base page's with the erratum. */
    private int entryShift(int shift, TranslationConfig cfg) {
        return basePageErratum ? Math.min(shift, Long.numberOfTrailingZeros(cfg.leafShifts())) : shift;
    }

    private long failFrom(LpaeWalkResult r, LpaeTranslationConfig lc, long input, int bank, boolean ptw, long ipaVal) {
        boolean inRange = r.level() != 0 || (input >>> lc.inputSize()) == 0;
        return fail(reasonOf(r.fault(), inRange), r.level(), bank, ptw, ipaVal);
    }

    /** The model's reason for a walker fault; {@code inRange} false when the input was beyond the input size. */
    private static FaultReason reasonOf(LpaeFault f, boolean inRange) {
        return switch (f) {
            case TRANSLATION -> inRange ? FaultReason.UNMAPPED : FaultReason.INPUT_RANGE;
            case ADDRESS_SIZE -> FaultReason.ADDRESS_SIZE;
            case ACCESS_FLAG -> FaultReason.ACCESS_FLAG;
            case PERMISSION -> FaultReason.PERMISSION;
            case WALK_EABT -> FaultReason.WALK_ABORT;
        };
    }

    private long fail(FaultReason why, int lvl, int bank, boolean ptw, long ipaVal) {
        reason = why;
        level = Math.max(0, Math.min(LpaeFormat.MAX_LEVELS - 1, lvl));
        faultBank = bank;
        tableWalk = ptw;
        ipa = ipaVal;
        return FAULT;
    }
}
