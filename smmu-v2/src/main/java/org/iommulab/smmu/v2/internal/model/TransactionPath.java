package org.iommulab.smmu.v2.internal.model;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;

/**
 * One upstream transaction through the SMMU, in the architecture's order: sCR0.CLIENTPD
 * (everything bypasses), stream matching (unidentified streams bypass or fault by
 * sCR0.USFCFG; conflicts fault), the S2CR (translate, bypass, fault), the context bank's
 * decoded config, then {@link ContextWalk}. Faults are recorded by {@link FaultRecorder}
 * (interrupt included) and returned to the device as a {@link DmaFaultException}. Guarded by
 * the model's lock; a translation that succeeds allocates nothing.
 */
final class TransactionPath {
    private final SmmuState s;
    private final ConfigCache configs;
    private final ContextWalk walk;
    private final FaultRecorder recorder;

    TransactionPath(SmmuState state, ConfigCache configs, ContextWalk walk) {
        this.s = state;
        this.configs = configs;
        this.walk = walk;
        this.recorder = new FaultRecorder(state);
    }

    long translate(String device, int sid, long va, AccessType access) {
        if (Gr0.SCR0_CLIENTPD.isSet(s.scr0)) {
            return va;
        }
        int idx = StreamMatcher.match(s.smr, sid);
        if (idx == StreamMatcher.CONFLICT) {
            throw globalFault(device, sid, va, access, FaultReason.STREAM_MATCH_CONFLICT);
        }
        if (idx == StreamMatcher.NO_MATCH) {
            if (Gr0.SCR0_USFCFG.isSet(s.scr0)) {
                throw globalFault(device, sid, va, access, FaultReason.UNIDENTIFIED_STREAM);
            }
            return va;
        }
        int s2cr = s.s2cr[idx];
        switch (Gr0.S2CR_TYPE.getInt(s2cr)) {
            case Gr0.S2CR_TYPE_BYPASS:
                return va;
            case Gr0.S2CR_TYPE_FAULT:
                throw globalFault(device, sid, va, access, FaultReason.STREAM_FAULT);
            case Gr0.S2CR_TYPE_TRANS:
                break;
            default:
                throw globalFault(device, sid, va, access, FaultReason.INVALID_CONTEXT);
        }
        int bank = Gr0.S2CR_CBNDX.getInt(s2cr);
        if (bank >= s.banks.length) {
            throw globalFault(device, sid, va, access, FaultReason.UNIMPLEMENTED_BANK);
        }
        TranslationConfig cfg = configs.get(bank);
        if (cfg.error() != null) {
            return failedContext(device, sid, va, access, cfg);
        }
        if (cfg.bypasses()) {
            return va;
        }
        // S2CR.PRIVCFG 3 forces privileged; a device's own transactions are unprivileged data.
        boolean priv = Gr0.S2CR_PRIVCFG.get(s2cr) == 3;
        long pa = walk.translate(s.banks, cfg, va, access, priv);
        if (pa != ContextWalk.FAULT) {
            return pa;
        }
        throw contextFault(device, sid, va, access, bank);
    }

    /**
     * A run of blocks of {@code 1 << shift} bytes from {@code va} ({@code TranslationPort.translateRun}):
     * block 0 through {@link #translate}; then, since nothing block 0 went through (sCR0, the
     * stream match, the S2CR, the bank's config) can change under the model's lock, the same
     * path for the blocks after it: the address itself where block 0 bypassed, else a TLB hit
     * per block ({@link ContextWalk#translateHit}), each counted as {@link #translate} counts it.
     * The run stops before the first block that would miss, conflict or be denied, which then
     * goes through {@link #translate} in the caller's next call. What the run spares is the lock,
     * the stream match over every SMR and the S2CR per block.
     *
     * @return the blocks translated into {@code frames}, 1 to {@code count}
     */
    int translateRun(String device, int sid, long va, AccessType access, long[] frames, int count, int shift) {
        frames[0] = translate(device, sid, va, access);
        if (count == 1) {
            return 1;
        }
        long block = va & -(1L << shift);
        TranslationConfig cfg = null;
        boolean priv = false;
        if (!Gr0.SCR0_CLIENTPD.isSet(s.scr0)) {
            // Block 0 did not fault: the stream matched one SMR (or none, with USFCFG clear).
            int idx = StreamMatcher.match(s.smr, sid);
            if (idx >= 0) {
                int s2cr = s.s2cr[idx];
                if (Gr0.S2CR_TYPE.getInt(s2cr) == Gr0.S2CR_TYPE_TRANS) {
                    cfg = configs.get(Gr0.S2CR_CBNDX.getInt(s2cr));
                    priv = Gr0.S2CR_PRIVCFG.get(s2cr) == 3;
                    if (cfg.bypasses()) {
                        cfg = null;
                    }
                }
            }
        }
        if (cfg == null) {
            for (int i = 1; i < count; i++) {
                frames[i] = block + ((long) i << shift);
            }
            return count;
        }
        int i = 1;
        for (; i < count; i++) {
            long pa = walk.translateHit(s.banks, cfg, block + ((long) i << shift), access, priv, frames, i, shift);
            if (pa == ContextWalk.FAULT) {
                break;
            }
            frames[i] = pa;
        }
        return i;
    }

    private long failedContext(String device, int sid, long va, AccessType access, TranslationConfig cfg) {
        FaultReason r = cfg.error();
        if (r == FaultReason.NOT_MODELLED) {
            DmaFault f = FaultSyndromes.notModelled(s.name, device, sid, va, access, cfg.errorDetail());
            s.irq.notModelled(f);
            throw new DmaFaultException(f);
        }
        if (r.global()) {
            throw globalFault(device, sid, va, access, r);
        }
        walk.reason = r;
        walk.level = 0;
        walk.faultBank = cfg.bank();
        walk.tableWalk = false;
        walk.ipa = 0;
        throw contextFault(device, sid, va, access, cfg.bank());
    }

    private DmaFaultException contextFault(String device, int sid, long va, AccessType access, int streamBank) {
        DmaFault f = recorder.context(device, sid, va, access, walk, streamBank);
        if (!Cb.SCTLR_CFRE.isSet(s.banks[walk.faultBank].sctlr)) {
            f = FaultSyndromes.withNote(f, "SCTLR.CFRE=0: the SMMU would complete this access RAZ/WI, which a "
                    + "translation port cannot express; it aborts instead (not modelled)");
        }
        return new DmaFaultException(f);
    }

    private DmaFaultException globalFault(String device, int sid, long va, AccessType access, FaultReason r) {
        DmaFault f = recorder.global(device, sid, va, access, r);
        if (!Gr0.SCR0_GFRE.isSet(s.scr0)) {
            f = FaultSyndromes.withNote(f, "sCR0.GFRE=0: the SMMU would complete this access RAZ/WI, which a "
                    + "translation port cannot express; it aborts instead (not modelled)");
        }
        return new DmaFaultException(f);
    }
}
