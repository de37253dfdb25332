package org.iommulab.smmu.v2.internal.model;

/**
 * Carries out queued TLB maintenance when its sync completes (IHI0062 "TLB maintenance
 * operations"; see {@link InvalidationQueue} for why at sync time). Context-bank operations
 * act on that bank's TLB and walk cache in the bank's current VMID; TLBIVMID and TLBIALLNSNH
 * act on every bank.
 */
final class TlbMaintenance {
    private TlbMaintenance() {
    }

    /**
     * Applies and empties bank {@code b}'s queue (its TLBSYNC completed); {@code vm} is the VMID
     * the bank's entries carry (a nested bank's are tagged with its stage-2 bank's VMID).
     */
    static void completeBank(ContextBank b, int vm) {
        InvalidationQueue q = b.pending;
        for (int i = 0; i < q.size(); i++) {
            long a = q.address(i);
            int t = q.tag(i);
            switch (q.op(i)) {
                case VA -> {
                    b.tlb.invalidateVa(vm, t, a);
                    b.walks.invalidateVa(vm, t, a);
                }
                case VAL -> b.tlb.invalidateVa(vm, t, a);
                case VAA -> {
                    b.tlb.invalidateVa(vm, -1, a);
                    b.walks.invalidateVa(vm, -1, a);
                }
                case VAAL -> b.tlb.invalidateVa(vm, -1, a);
                case ASID -> {
                    b.tlb.invalidateAsid(vm, t);
                    b.walks.invalidateAsid(vm, t);
                }
                case ALL -> {
                    b.tlb.invalidateVmid(vm);
                    b.walks.invalidateVmid(vm);
                }
                case IPAS2 -> {
                    b.tlb.invalidateIpa(vm, a);
                    b.walks.invalidateIpa(vm, a);
                }
                case IPAS2L -> b.tlb.invalidateIpa(vm, a);
                default -> throw new IllegalStateException("global operation " + q.op(i) + " queued on a context bank");
            }
        }
        q.clear();
    }

    /** Applies and empties the global queue (sTLBGSYNC completed). */
    static void completeGlobal(SmmuState s) {
        InvalidationQueue q = s.globalPending;
        for (int i = 0; i < q.size(); i++) {
            for (ContextBank b : s.banks) {
                if (q.op(i) == TlbOp.VMID) {
                    b.tlb.invalidateVmid(q.tag(i));
                    b.walks.invalidateVmid(q.tag(i));
                } else {
                    b.tlb.invalidateAll();
                    b.walks.invalidateAll();
                }
            }
        }
        q.clear();
    }
}
