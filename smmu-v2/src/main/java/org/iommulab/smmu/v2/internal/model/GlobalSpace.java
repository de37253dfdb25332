package org.iommulab.smmu.v2.internal.model;

import org.iommulab.modelkit.regs.Register;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;

/**
 * The behaviour of the GR0 registers (IHI0062 Global Address Space 0): plain storage for
 * configuration, read-only identification from the parameters, write-one-to-clear sGFSR,
 * queued global TLB maintenance and the global sync. SMR ID and MASK keep only the
 * ID0.NUMSIDB bits this SMMU implements, which is how Linux's
 * {@code arm_smmu_test_smr_masks} discovers the stream ID width. Called by
 * {@link RegisterFile} with the access already checked; guarded by the model's lock.
 */
final class GlobalSpace {
    private final SmmuState s;

    GlobalSpace(SmmuState state) {
        this.s = state;
    }

    long read(Register r, int i) {
        if (r == Gr0.SCR0) {
            return s.scr0;
        } else if (r == Gr0.ID0) {
            return s.params.id0();
        } else if (r == Gr0.ID1) {
            return s.params.id1();
        } else if (r == Gr0.ID2) {
            return s.params.id2();
        } else if (r == Gr0.ID7) {
            return s.params.id7();
        } else if (r == Gr0.SGFAR) {
            return s.sgfar;
        } else if (r == Gr0.SGFSR) {
            return s.sgfsr;
        } else if (r == Gr0.SGFSYNR0) {
            return s.sgfsynr0;
        } else if (r == Gr0.SGFSYNR1) {
            return s.sgfsynr1;
        } else if (r == Gr0.SGFSYNR2) {
            return s.sgfsynr2;
        } else if (r == Gr0.STLBGSTATUS) {
            int st = s.globalSync.poll(s.syncStuck);
            if (st == SyncState.COMPLETED) {
                TlbMaintenance.completeGlobal(s);
            }
            return st == SyncState.ACTIVE ? Gr0.STLBGSTATUS_GSACTIVE.mask() : 0;
        } else if (r == Gr0.SMR) {
            return s.smr[i];
        } else if (r == Gr0.S2CR) {
            return s.s2cr[i];
        }
        throw new IllegalStateException("GR0 register " + r + " has no read behaviour");
    }

    /** {@code v} has been masked to the register's implemented bits. */
    void write(Register r, int i, long v) {
        int w = (int) v;
        if (r == Gr0.SCR0) {
            s.scr0 = w;
            s.generation++;
        } else if (r == Gr0.SGFAR) {
            s.sgfar = v;
        } else if (r == Gr0.SGFSR) {
            s.sgfsr = (int) Gr0.SGFSR.write(s.sgfsr, v);
        } else if (r == Gr0.SGFSRRESTORE) {
            s.sgfsr = w;
        } else if (r == Gr0.SGFSYNR0) {
            s.sgfsynr0 = w;
        } else if (r == Gr0.SGFSYNR1) {
            s.sgfsynr1 = w;
        } else if (r == Gr0.SGFSYNR2) {
            s.sgfsynr2 = w;
        } else if (r == Gr0.TLBIVMID) {
            s.globalPending.add(TlbOp.VMID, 0, (int) Gr0.TLBIVMID_VMID.get(v));
        } else if (r == Gr0.TLBIALLNSNH) {
            s.globalPending.add(TlbOp.ALLNSNH, 0, 0);
        } else if (r == Gr0.STLBGSYNC) {
            if (s.globalSync.start(s.params.syncPolls(), s.syncStuck)) {
                TlbMaintenance.completeGlobal(s);
            }
        } else if (r == Gr0.SMR) {
            s.smr[i] = w & smrImplemented();
        } else if (r == Gr0.S2CR) {
            s.s2cr[i] = w;
        } else {
            throw new IllegalStateException("GR0 register " + r + " has no write behaviour");
        }
    }

    /** SMR bits this SMMU implements: VALID, and ID/MASK up to ID0.NUMSIDB bits. */
    int smrImplemented() {
        long sid = (1L << s.params.streamIdBits()) - 1;
        return (int) (Gr0.SMR_VALID.mask() | Gr0.SMR_ID.of(sid) | Gr0.SMR_MASK.of(sid));
    }
}
