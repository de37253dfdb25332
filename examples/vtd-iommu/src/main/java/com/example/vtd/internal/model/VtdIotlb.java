package com.example.vtd.internal.model;

import org.iommulab.modelkit.tlb.Iotlb;
import org.iommulab.modelkit.tlb.ReplacementPolicy;

/**
 * The unit's IOTLB on the model kit's {@link Iotlb}: leaf translations (4 KiB pages, 2 MiB and
 * 1 GiB superpages side by side) tagged with the domain ID from the context entry, as the spec
 * tags them (§6.2.3, "IOTLB"), with the effective R/W of the walk. Invalidation follows the
 * IOTLB invalidate descriptor's granularities (§6.5.2.3): global, domain-selective (DSI, by DID)
 * and page-selective (PSI, by DID and a naturally aligned 2^AM-page range; every entry
 * overlapping it goes, superpages included). Fully associative with LRU replacement when full.
 *
 * <p>Not modelled: paging-structure caches (the IH hint is accepted and has nothing to spare),
 * and the device-TLB. Allocation-free; not thread-safe (the unit's lock).
 */
final class VtdIotlb {
    /** Leaf sizes: 4 KiB, 2 MiB, 1 GiB. */
    private static final long LEAF_SHIFTS = 1L << 12 | 1L << 21 | 1L << 30;
    private static final int KIND = 0;
    private static final int NO_PASID = 0;
    private static final int PERM_READ = 1;
    private static final int PERM_WRITE = 2;

    private final Iotlb tlb;

    VtdIotlb(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the IOTLB needs at least one entry, got " + capacity);
        }
        tlb = new Iotlb(1, capacity, ReplacementPolicy.lru());
    }

    /** The slot translating {@code iova} for {@code tag}, or -1. */
    int lookup(int tag, long iova) {
        return tlb.lookup(KIND, tag, NO_PASID, iova, LEAF_SHIFTS);
    }

    boolean allows(int slot, boolean write) {
        return (tlb.perms(slot) & (write ? PERM_WRITE : PERM_READ)) != 0;
    }

    long translate(int slot, long iova) {
        return tlb.translate(slot, iova);
    }

    int level(int slot) {
        return tlb.level(slot);
    }

    /** The tag an entry carries (tests: which tag the unit used). */
    int tag(int slot) {
        return tlb.tag1(slot);
    }

    void fill(int tag, long iova, int shift, long block, boolean read, boolean write, int level) {
        tlb.fill(KIND, tag, NO_PASID, iova, shift, block, (read ? PERM_READ : 0) | (write ? PERM_WRITE : 0), level);
    }

    int invalidateAll() {
        return tlb.invalidateAll();
    }

    int invalidateDomain(int did) {
        return tlb.invalidate(Iotlb.ALL_KINDS, did, Iotlb.ANY);
    }

    /** PSI: the 2^am pages at {@code addr}, aligned down to their size as hardware ignores the low bits. */
    int invalidatePages(int did, long addr, int am) {
        long span = 4096L << am;
        long first = addr & -span;
        return tlb.invalidateRange(Iotlb.ALL_KINDS, did, Iotlb.ANY, first, first + span - 1, Iotlb.ANY);
    }

    int size() {
        return tlb.size();
    }
}
