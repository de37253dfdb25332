package org.iommulab.iommu.generic.internal.model;

import org.iommulab.api.platform.AccessType;
import org.iommulab.modelkit.tlb.Iotlb;
import org.iommulab.modelkit.tlb.ReplacementPolicy;

/**
 * The generic IOMMU's IOTLB: the kit's {@link Iotlb} holding leaf translations tagged with a
 * domain ID, one entry per leaf (page or block), at most {@code capacity} of them. A lookup
 * probes each leaf size of the granule, as QEMU's SMMU IOTLB probes each level. What is this
 * model's own is QEMU's policy when full ({@code smmu_iotlb_insert}): the whole table is
 * flushed, so the kit's replacement policy never runs. Lookups and inserts allocate nothing.
 * Not thread-safe: the model's lock guards it.
 */
final class DomainTlb {
    /** Leaf sizes of the 4 KiB granule: page, 2 MiB and 1 GiB blocks. */
    static final long LEAF_SHIFTS = 1L << 12 | 1L << 21 | 1L << 30;

    private static final int KIND = 0;
    private static final int NO_TAG = 0;
    private static final int PERM_READ = 1;
    private static final int PERM_WRITE = 2;

    private final Iotlb tlb;

    DomainTlb(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("IOTLB needs at least one entry, got " + capacity);
        }
        tlb = new Iotlb(1, capacity, ReplacementPolicy.roundRobin());
    }

    int size() {
        return tlb.size();
    }

    int capacity() {
        return tlb.capacity();
    }

    /** The slot holding a translation of {@code iova} for {@code did}, or -1. */
    int lookup(int did, long iova) {
        return tlb.lookup(KIND, did, NO_TAG, iova, LEAF_SHIFTS);
    }

    /**
     * {@link #lookup} without its side effects (no hit or miss counted, no replacement update):
     * for a run that decides first whether the block is its to translate.
     */
    int find(int did, long iova) {
        return tlb.find(KIND, did, NO_TAG, iova, LEAF_SHIFTS);
    }

    /** Counts a hit on {@code slot}, found by {@link #find}, as {@link #lookup} would have. */
    void hit(int slot) {
        tlb.hit(slot);
    }

    long translate(int slot, long iova) {
        return tlb.translate(slot, iova);
    }

    boolean allows(int slot, AccessType access) {
        return (tlb.perms(slot) & (access == AccessType.WRITE ? PERM_WRITE : PERM_READ)) != 0;
    }

    int level(int slot) {
        return tlb.level(slot);
    }

    /** Caches a leaf: {@code blockOutput} is the output of the block's first byte. */
    void insert(int did, long iova, int shift, long blockOutput, boolean read, boolean write, int level) {
        if (tlb.find(KIND, did, NO_TAG, iova, 1L << shift) != Iotlb.MISS) {
            return;
        }
        if (tlb.size() >= tlb.capacity()) {
            tlb.invalidateAll();
        }
        tlb.fill(KIND, did, NO_TAG, iova, shift, blockOutput, (read ? PERM_READ : 0) | (write ? PERM_WRITE : 0), level);
    }

    /** Drops every entry; returns how many there were. */
    int invalidateAll() {
        return tlb.invalidateAll();
    }

    /** Drops every entry of {@code did}, visiting only that domain's entries. */
    int invalidateDomain(int did) {
        return tlb.invalidate(Iotlb.ALL_KINDS, did, Iotlb.ANY);
    }

    /**
     * Drops the entries of {@code did} overlapping {@code [start, start + length)}: the kit
     * probes each page of each leaf size present or walks the domain's entries, whichever visits
     * fewer; the same entries go either way.
     */
    int invalidateRange(int did, long start, long length) {
        return tlb.invalidateRange(Iotlb.ALL_KINDS, did, Iotlb.ANY, start, start + length - 1, Iotlb.ANY);
    }
}
