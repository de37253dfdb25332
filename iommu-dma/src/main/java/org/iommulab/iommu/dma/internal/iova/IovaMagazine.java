package org.iommulab.iommu.dma.internal.iova;

/**
 * Linux {@code struct iova_magazine}: a stack of up to {@link #IOVA_MAG_SIZE} cached pfns of
 * one size. Not thread-safe: its owner's lock guards it.
 */
final class IovaMagazine {
    /** Linux {@code IOVA_MAG_SIZE}: 127 since v6.3, so that a magazine is 1 KiB. */
    static final int IOVA_MAG_SIZE = 127;

    /** Allocated on the first push, so that the caches of CPUs a domain never runs on cost nothing. */
    private long[] pfns;
    private int size;

    boolean full() {
        return size == IOVA_MAG_SIZE;
    }

    boolean empty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    long get(int i) {
        return pfns[i];
    }

    /**
     * Linux {@code iova_magazine_pop}: the topmost pfn at or below {@code limitPfn}, swapped out
     * with the top ("Only fall back to the rbtree if we have no suitable pfns at all"), or 0.
     * The magazine must not be empty.
     */
    long pop(long limitPfn) {
        int i = size - 1;
        while (pfns[i] > limitPfn) {
            if (i == 0) {
                return 0;
            }
            i--;
        }
        long pfn = pfns[i];
        pfns[i] = pfns[--size];
        return pfn;
    }

    /** Linux {@code iova_magazine_push}; the magazine must not be full. */
    void push(long pfn) {
        if (pfns == null) {
            pfns = new long[IOVA_MAG_SIZE];
        }
        pfns[size++] = pfn;
    }

    /** Linux {@code iova_magazine_free_pfns}: returns every pfn to the tree and empties the magazine. */
    void freePfns(IovaDomain iovad) {
        for (int i = 0; i < size; i++) {
            // WARN_ON(!iova) in Linux: a pfn that is no longer in the tree is skipped.
            iovad.free(pfns[i]);
        }
        size = 0;
    }
}
