package org.iommulab.iommu.generic.internal.model;

import org.iommulab.api.platform.AccessType;

/**
 * The generic IOMMU's IOTLB: leaf translations tagged with a domain ID, one entry per leaf
 * (page or block), at most {@code capacity} of them. A lookup probes each leaf size of the
 * granule, as QEMU's SMMU IOTLB probes each level; when full it is flushed entirely, as QEMU's
 * is ({@code smmu_iotlb_insert}). Open addressing over preallocated arrays: lookups and inserts
 * allocate nothing. Not thread-safe: the model's lock guards it.
 */
final class Iotlb {
    private static final byte PERM_READ = 1;
    private static final byte PERM_WRITE = 2;

    private final int capacity;
    private final int mask;
    private final int[] dids;
    private final long[] vpns;
    /** log2 of the entry's block size; 0 marks an empty slot. */
    private final byte[] shifts;
    private final long[] outputs;
    private final byte[] perms;
    private final byte[] levels;
    private int size;

    Iotlb(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("IOTLB needs at least one entry, got " + capacity);
        }
        this.capacity = capacity;
        int slots = Integer.highestOneBit(Math.max(2, capacity * 2 - 1)) << 1;
        mask = slots - 1;
        dids = new int[slots];
        vpns = new long[slots];
        shifts = new byte[slots];
        outputs = new long[slots];
        perms = new byte[slots];
        levels = new byte[slots];
    }

    int size() {
        return size;
    }

    int capacity() {
        return capacity;
    }

    /** The slot holding a translation of {@code iova} for {@code did}, or -1. */
    int lookup(int did, long iova, int[] leafShifts) {
        for (int shift : leafShifts) {
            int i = find(did, iova >>> shift, shift);
            if (i >= 0) {
                return i;
            }
        }
        return -1;
    }

    long translate(int slot, long iova) {
        long blockMask = (1L << shifts[slot]) - 1;
        return outputs[slot] | (iova & blockMask);
    }

    boolean allows(int slot, AccessType access) {
        return (perms[slot] & (access == AccessType.WRITE ? PERM_WRITE : PERM_READ)) != 0;
    }

    int level(int slot) {
        return levels[slot];
    }

    /** Caches a leaf: {@code blockOutput} is the output of the block's first byte. */
    void insert(int did, long iova, int shift, long blockOutput, boolean read, boolean write, int level) {
        long vpn = iova >>> shift;
        if (find(did, vpn, shift) >= 0) {
            return;
        }
        if (size >= capacity) {
            invalidateAll();
        }
        int i = home(did, vpn, shift);
        while (shifts[i] != 0) {
            i = (i + 1) & mask;
        }
        dids[i] = did;
        vpns[i] = vpn;
        shifts[i] = (byte) shift;
        outputs[i] = blockOutput;
        perms[i] = (byte) ((read ? PERM_READ : 0) | (write ? PERM_WRITE : 0));
        levels[i] = (byte) level;
        size++;
    }

    /** Drops every entry; returns how many there were. */
    int invalidateAll() {
        int n = size;
        java.util.Arrays.fill(shifts, (byte) 0);
        size = 0;
        return n;
    }

    /** Drops every entry of {@code did}. */
    int invalidateDomain(int did) {
        return invalidate(did, 0, -1L >>> 1, false);
    }

    /** Probes per range invalidation below which single slots are looked up instead of a scan. */
    static final int PROBE_LIMIT = 64;

    /**
     * Drops the entries of {@code did} overlapping {@code [start, start + length)}. A small range
     * probes the slot of each page of each leaf size; a large one scans the table. Either way
     * the same entries go: an entry of leaf size s overlaps the range exactly when its page
     * number lies between the range's first and last page numbers at size s.
     */
    int invalidateRange(int did, long start, long length, int[] leafShifts) {
        long last = start + length - 1;
        long probes = 0;
        for (int shift : leafShifts) {
            probes += (last >>> shift) - (start >>> shift) + 1;
        }
        if (probes > PROBE_LIMIT) {
            return invalidate(did, start, length, true);
        }
        int removed = 0;
        for (int shift : leafShifts) {
            for (long vpn = start >>> shift; vpn <= last >>> shift; vpn++) {
                int i = find(did, vpn, shift);
                if (i >= 0) {
                    removeAt(i);
                    removed++;
                }
            }
        }
        return removed;
    }

    private int invalidate(int did, long start, long length, boolean range) {
        int removed = 0;
        for (int i = 0; i <= mask;) {
            if (shifts[i] != 0 && dids[i] == did && (!range || overlaps(i, start, length))) {
                removeAt(i);
                removed++;
                // Stay on i: backward shifting may have moved another entry into it.
            } else {
                i++;
            }
        }
        return removed;
    }

    private boolean overlaps(int i, long start, long length) {
        long entryStart = vpns[i] << shifts[i];
        long entryLast = entryStart + (1L << shifts[i]) - 1;
        long last = start + length - 1;
        return entryStart <= last && entryLast >= start;
    }

    private int find(int did, long vpn, int shift) {
        int i = home(did, vpn, shift);
        while (shifts[i] != 0) {
            if (shifts[i] == shift && vpns[i] == vpn && dids[i] == did) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    private int home(int did, long vpn, int shift) {
        long h = (vpn * 0x9E3779B97F4A7C15L) ^ ((long) did << 20) ^ shift;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 31)) & mask;
    }

    /** Backward-shift deletion: keeps every probe chain intact without tombstones. */
    private void removeAt(int i) {
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (shifts[j] == 0) {
                break;
            }
            int h = home(dids[j], vpns[j], shifts[j]);
            if (((j - h) & mask) >= ((j - i) & mask)) {
                dids[i] = dids[j];
                vpns[i] = vpns[j];
                shifts[i] = shifts[j];
                outputs[i] = outputs[j];
                perms[i] = perms[j];
                levels[i] = levels[j];
                i = j;
            }
        }
        shifts[i] = 0;
        size--;
    }
}
