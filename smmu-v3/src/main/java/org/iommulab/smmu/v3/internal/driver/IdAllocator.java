package org.iommulab.smmu.v3.internal.driver;

import java.util.BitSet;

/**
 * ASIDs and VMIDs, Linux's {@code arm_smmu_asid_xa} / {@code vmid_map}: the lowest free id in
 * {@code [first, limit)}. Thread-safe.
 */
final class IdAllocator {
    private final BitSet used = new BitSet();
    private final int first;
    private final int limit;

    IdAllocator(int first, int limit) {
        this.first = first;
        this.limit = limit;
    }

    /** An id, or -1 when all are taken (-ENOSPC). */
    synchronized int allocate() {
        int id = used.nextClearBit(first);
        if (id >= limit) {
            return -1;
        }
        used.set(id);
        return id;
    }

    synchronized void free(int id) {
        if (id >= first && id < limit) {
            used.clear(id);
        }
    }

    synchronized int inUse() {
        return used.cardinality();
    }
}
