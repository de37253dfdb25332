package org.iommulab.smmu.v2.internal.model;

import org.iommulab.api.platform.AccessType;
import org.iommulab.smmu.v2.internal.model.regs.Cb;

/**
 * The ATS1PR/ATS1PW address translation operations (IHI0062 "Address translation
 * operations"): a privileged read or write translation of a VA through the bank's context,
 * whose result goes to PAR and never to FSR. This model walks the tables without consulting
 * or filling the TLB (IMPLEMENTATION DEFINED on hardware), so PAR tells what the tables say: on success PAR holds PA[47:12] with
 * F clear; on failure F is set with the FSR-style cause in bits [8:1] and the level in PLVL.
 * Linux's {@code arm_smmu_iova_to_phys_hard} issues it and polls ATSR; here the operation
 * completes before the write returns, so ATSR.ACTIVE always reads clear.
 */
final class AtsUnit {
    private final ConfigCache configs;
    private final ContextWalk walk;
    private final SmmuState s;

    AtsUnit(SmmuState state, ConfigCache configs, ContextWalk walk) {
        this.s = state;
        this.configs = configs;
        this.walk = walk;
    }

    void translate(ContextBank b, long va, AccessType access) {
        TranslationConfig cfg = configs.get(b.index);
        if (cfg.error() != null) {
            b.par = faultPar(cfg.error(), 0);
            return;
        }
        if (cfg.bypasses()) {
            b.par = Cb.PAR_PA.of((va >>> 12) & ((1L << 36) - 1));
            return;
        }
        long pa = walk.translateUncached(s.banks, cfg, va, access, true);
        b.par = pa == ContextWalk.FAULT ? faultPar(walk.reason, walk.level) : Cb.PAR_PA.of(pa >>> 12);
    }

    private static long faultPar(FaultReason reason, int level) {
        long cause = reason.statusBit() == null || reason.global() ? Cb.FSR_TF.mask() : reason.statusBit().mask();
        return Cb.PAR_F.mask() | (cause & Cb.PAR_FAULT_CAUSE.mask()) | Cb.PAR_PLVL.of(level);
    }
}
