package org.iommulab.smmu.v2.internal.model;

/**
 * One sync register pair (TLBSYNC/TLBSTATUS of a bank, or sTLBGSYNC/sTLBGSTATUS): after a
 * sync write the status reads SACTIVE for the model's configured number of polls, then
 * completes (the caller applies the pending invalidations) and reads clear. A stuck model
 * never completes, which is how the driver's "TLB sync timed out" path is exercised. Guarded
 * by the model's lock.
 */
final class SyncState {
    /** {@link #poll}: no sync in flight. */
    static final int IDLE = 0;
    /** {@link #poll}: the sync is still active (SACTIVE reads 1). */
    static final int ACTIVE = 1;
    /** {@link #poll}: the sync completed on this read (SACTIVE reads 0). */
    static final int COMPLETED = 2;

    private boolean active;
    private int remaining;

    /** A sync was written; true when it completed at once. */
    boolean start(int polls, boolean stuck) {
        if (!stuck && polls == 0) {
            active = false;
            return true;
        }
        active = true;
        remaining = polls;
        return false;
    }

    /** A status read: {@link #IDLE}, {@link #ACTIVE} or {@link #COMPLETED}. */
    int poll(boolean stuck) {
        if (!active) {
            return IDLE;
        }
        if (stuck) {
            return ACTIVE;
        }
        if (remaining > 0) {
            remaining--;
            return ACTIVE;
        }
        active = false;
        return COMPLETED;
    }

    boolean active() {
        return active;
    }
}
