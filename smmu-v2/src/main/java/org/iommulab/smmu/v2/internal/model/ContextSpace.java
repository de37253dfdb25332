package org.iommulab.smmu.v2.internal.model;

import org.iommulab.api.platform.AccessType;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr1;

/**
 * The behaviour of the GR1 attribute registers and of each context bank's page (IHI0062
 * Global Address Space 1 and Translation Context Bank): configuration storage (every write
 * that can change a decoded context moves the model's generation), write-one-to-clear FSR and
 * FSRRESTORE, TLB maintenance queued until TLBSYNC completes, and the ATS1PR/ATS1PW address
 * translation operations, which fill PAR. Called by {@link RegisterFile} with the access
 * checked and the value masked; guarded by the model's lock.
 */
final class ContextSpace {
    private final SmmuState s;
    private final ConfigCache configs;
    private final AtsUnit ats;

    ContextSpace(SmmuState state, ConfigCache configs, ContextWalk walk) {
        this.s = state;
        this.configs = configs;
        this.ats = new AtsUnit(state, configs, walk);
    }

    long readGr1(Register r, int i) {
        ContextBank b = s.banks[i];
        if (r == Gr1.CBAR) {
            return b.cbar;
        } else if (r == Gr1.CBFRSYNRA) {
            return b.cbfrsynra;
        }
        return b.cba2r;
    }

    void writeGr1(Register r, int i, long v) {
        ContextBank b = s.banks[i];
        if (r == Gr1.CBAR) {
            b.cbar = (int) v;
        } else if (r == Gr1.CBFRSYNRA) {
            b.cbfrsynra = (int) v;
        } else {
            b.cba2r = (int) v;
        }
        s.generation++;
    }

    long read(Register r, ContextBank b) {
        if (r == Cb.SCTLR) {
            return b.sctlr;
        } else if (r == Cb.ACTLR) {
            return b.actlr;
        } else if (r == Cb.TCR2) {
            return b.tcr2;
        } else if (r == Cb.TTBR0) {
            return b.ttbr0;
        } else if (r == Cb.TTBR1) {
            return b.ttbr1;
        } else if (r == Cb.TCR) {
            return b.tcr;
        } else if (r == Cb.CONTEXTIDR) {
            return b.contextidr;
        } else if (r == Cb.MAIR0) {
            return b.mair0;
        } else if (r == Cb.MAIR1) {
            return b.mair1;
        } else if (r == Cb.PAR) {
            return b.par;
        } else if (r == Cb.FSR) {
            return b.fsr;
        } else if (r == Cb.FAR) {
            return b.far;
        } else if (r == Cb.FSYNR0) {
            return b.fsynr0;
        } else if (r == Cb.FSYNR1) {
            return b.fsynr1;
        } else if (r == Cb.IPAFAR) {
            return b.ipafar;
        } else if (r == Cb.TLBSTATUS) {
            int st = b.sync.poll(s.syncStuck);
            if (st == SyncState.COMPLETED) {
                TlbMaintenance.completeBank(b, configs.get(b.index).vmid());
            }
            return st == SyncState.ACTIVE ? Cb.TLBSTATUS_SACTIVE.mask() : 0;
        } else if (r == Cb.ATSR) {
            return 0; // ATS1* operations complete before the write returns
        }
        throw new IllegalStateException("context bank register " + r + " has no read behaviour");
    }

    void write(Register r, ContextBank b, long v) {
        int w = (int) v;
        if (r == Cb.SCTLR) {
            b.sctlr = w;
            s.generation++;
        } else if (r == Cb.ACTLR) {
            b.actlr = w;
        } else if (r == Cb.RESUME) {
            // No transaction is ever stalled (the stall model is not modelled): nothing to resume.
        } else if (r == Cb.TCR2) {
            b.tcr2 = w;
            s.generation++;
        } else if (r == Cb.TTBR0) {
            b.ttbr0 = v;
            s.generation++;
        } else if (r == Cb.TTBR1) {
            b.ttbr1 = v;
            s.generation++;
        } else if (r == Cb.TCR) {
            b.tcr = w;
            s.generation++;
        } else if (r == Cb.CONTEXTIDR) {
            b.contextidr = w;
        } else if (r == Cb.MAIR0) {
            b.mair0 = w;
        } else if (r == Cb.MAIR1) {
            b.mair1 = w;
        } else if (r == Cb.PAR) {
            b.par = v;
        } else if (r == Cb.FSR) {
            b.fsr = (int) Cb.FSR.write(b.fsr, v);
        } else if (r == Cb.FSRRESTORE) {
            b.fsr = w;
        } else if (r == Cb.FAR) {
            b.far = v;
        } else if (r == Cb.FSYNR0) {
            b.fsynr0 = w;
        } else if (r == Cb.FSYNR1) {
            b.fsynr1 = w;
        } else if (r == Cb.IPAFAR) {
            b.ipafar = v;
        } else if (r == Cb.TLBSYNC) {
            if (b.sync.start(s.params.syncPolls(), s.syncStuck)) {
                TlbMaintenance.completeBank(b, configs.get(b.index).vmid());
            }
        } else if (r == Cb.ATS1PR) {
            ats.translate(b, Cb.ATS_VA.get(v) << 12, AccessType.READ);
        } else if (r == Cb.ATS1PW) {
            ats.translate(b, Cb.ATS_VA.get(v) << 12, AccessType.WRITE);
        } else {
            tlbi(r, b, v);
        }
    }

    private void tlbi(Register r, ContextBank b, long v) {
        int asidMask = Cb.TCR2_AS.isSet(b.tcr2) ? 0xffff : 0xff;
        long va = Cb.TLBI_VA.get(v) << 12;
        int asid = (int) Cb.TLBI_ASID.get(v) & asidMask;
        long ipa = Cb.TLBI_IPA.get(v) << 12;
        if (r == Cb.TLBIVA) {
            b.pending.add(TlbOp.VA, va, asid);
        } else if (r == Cb.TLBIVAL) {
            b.pending.add(TlbOp.VAL, va, asid);
        } else if (r == Cb.TLBIVAA) {
            b.pending.add(TlbOp.VAA, va, 0);
        } else if (r == Cb.TLBIVAAL) {
            b.pending.add(TlbOp.VAAL, va, 0);
        } else if (r == Cb.TLBIASID) {
            b.pending.add(TlbOp.ASID, 0, (int) Cb.TLBIASID_ASID.get(v) & asidMask);
        } else if (r == Cb.TLBIALL) {
            b.pending.add(TlbOp.ALL, 0, 0);
        } else if (r == Cb.TLBIIPAS2) {
            b.pending.add(TlbOp.IPAS2, ipa, 0);
        } else if (r == Cb.TLBIIPAS2L) {
            b.pending.add(TlbOp.IPAS2L, ipa, 0);
        } else {
            throw new IllegalStateException("context bank register " + r + " has no write behaviour");
        }
        b.invalidations++;
    }
}
