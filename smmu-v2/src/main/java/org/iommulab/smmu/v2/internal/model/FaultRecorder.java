package org.iommulab.smmu.v2.internal.model;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.iommulab.smmu.v2.internal.model.regs.Gr1;

/**
 * Records faults the way IHI0062 describes: a context fault in the bank's FSR, FAR, FSYNR0/1,
 * IPAFAR and GR1 CBFRSYNRA; a global fault in sGFSR, sGFAR and sGFSYNR0..2. A fault that
 * arrives while the status register still holds an unacknowledged one sets only MULTI: the
 * syndrome keeps describing the first (software clears status by writing the bits back).
 * Then the interrupt is raised if enabled (SCTLR.CFIE, sCR0.GFIE). Returns the fault for the
 * abort, built by {@link FaultSyndromes} from what this transaction recorded.
 */
final class FaultRecorder {
    private final SmmuState s;

    FaultRecorder(SmmuState state) {
        this.s = state;
    }

    DmaFault context(String device, int sid, long va, AccessType access, ContextWalk w, int s1Bank) {
        ContextBank b = s.banks[w.faultBank];
        FaultReason reason = w.reason;
        int fsynr0 = (int) (Cb.FSYNR0_PLVL.of(w.level) | Cb.FSYNR0_WNR.of(access == AccessType.WRITE ? 1 : 0)
                | Cb.FSYNR0_PTWF.of(w.tableWalk ? 1 : 0)
                | Cb.FSYNR0_S1CBNDX.of(w.faultBank != s1Bank ? s1Bank : 0));
        int cbfrsynra = (int) Gr1.CBFRSYNRA_SID.of(sid & 0xffff);
        if ((b.fsr & Cb.FSR_FAULT) != 0) {
            b.fsr |= (int) Cb.FSR_MULTI.mask();
        } else {
            b.fsr |= (int) reason.statusBit().mask();
            b.far = va;
            b.fsynr0 = fsynr0;
            b.fsynr1 = reason.syndrome();
            b.ipafar = w.ipa;
            b.cbfrsynra = cbfrsynra;
        }
        DmaFault fault = FaultSyndromes.context(s.name, device, b.index, b.fsr, va, fsynr0, reason.syndrome(), cbfrsynra);
        if (Cb.SCTLR_CFIE.isSet(b.sctlr)) {
            // SMMUv2 has one context interrupt per bank (CBAR.IRPTNDX is SMMUv1's; Linux
            // programs it only there and requests interrupt n for bank n).
            s.irq.contextFault(b.index);
        }
        return fault;
    }

    DmaFault global(String device, int sid, long va, AccessType access, FaultReason reason) {
        int syn0 = (int) Gr0.SGFSYNR0_WNR.of(access == AccessType.WRITE ? 1 : 0);
        int syn1 = (int) Gr0.SGFSYNR1_STREAMID.of(sid & 0xffff);
        if ((s.sgfsr & Gr0.SGFSR_FAULT) != 0) {
            s.sgfsr |= (int) Gr0.SGFSR_MULTI.mask();
        } else {
            s.sgfsr |= (int) reason.statusBit().mask();
            s.sgfar = va;
            s.sgfsynr0 = syn0;
            s.sgfsynr1 = syn1;
            s.sgfsynr2 = reason.syndrome();
        }
        DmaFault fault = FaultSyndromes.global(s.name, device, s.sgfsr, va, syn0, syn1, reason.syndrome());
        if (Gr0.SCR0_GFIE.isSet(s.scr0)) {
            s.irq.globalFault();
        }
        return fault;
    }
}
