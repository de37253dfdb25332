package org.iommulab.smmu.v2.internal.model;

import java.util.Arrays;

/**
 * Invalidations written but not yet known complete. IHI0062 only guarantees an invalidation
 * once a later sync (TLBSYNC, sTLBGSYNC) has completed; this model takes the latest moment
 * the architecture allows, applying the queue when the sync completes, so a driver that forgets
 * the sync (or whose sync never completes) keeps using stale entries. Grows on the driver's
 * path only. Guarded by the model's lock.
 */
final class InvalidationQueue {
    private TlbOp[] ops = new TlbOp[16];
    private long[] addr = new long[16];
    private int[] tag = new int[16];
    private int size;

    void add(TlbOp op, long address, int asidOrVmid) {
        if (size == ops.length) {
            ops = Arrays.copyOf(ops, size * 2);
            addr = Arrays.copyOf(addr, size * 2);
            tag = Arrays.copyOf(tag, size * 2);
        }
        ops[size] = op;
        addr[size] = address;
        tag[size] = asidOrVmid;
        size++;
    }

    int size() {
        return size;
    }

    TlbOp op(int i) {
        return ops[i];
    }

    long address(int i) {
        return addr[i];
    }

    int tag(int i) {
        return tag[i];
    }

    void clear() {
        size = 0;
    }
}
