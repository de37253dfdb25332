package org.iommulab.iommu.dma.internal.iova;

/*
 * The former implementation (one 64-byte node object per range in an augmented AVL tree), kept
 * in the test sources unchanged but for its names, as the reference the compact IovaTree must
 * agree with operation for operation (IovaTreeDifferentialTest).
 */
/**
 * One allocated (or reserved) IOVA range {@code [pfnLo, pfnHi]}, Linux {@code struct iova}, as a
 * node of {@link AvlIovaTree}. Besides its range a node owns the free gap just below it,
 * {@code [gapLo, pfnLo)}, and carries three summaries of the gaps in its subtree that let the
 * tree find the highest fitting hole without scanning: the longest gap, the largest naturally
 * aligned power-of-two block that fits in any gap, and how far that block's alignment leaves
 * room ("tail"). Fields are package-private: only the tree mutates them. Kept small (64 bytes
 * with compressed references): one node lives per live mapping, so at a million mappings
 * every field costs a megabyte; the subtree's address span is not stored but passed down the
 * search ({@link AvlIovaTree#highestFit}).
 */
final class AvlIovaNode {
    long pfnLo;
    long pfnHi;
    /** Reserved by {@code reserve_iova}: never handed out, never freed. */
    boolean reserved;

    AvlIovaNode left;
    AvlIovaNode right;
    /** AVL height: at most about 1.44 log2(n) + 2, far below a byte's range. */
    byte height = 1;

    /** First free pfn of the gap below this node (the predecessor's {@code pfnHi + 1}, or 0). */
    long gapLo;

    // ---- subtree summaries (AvlIovaTree.update) ---------------------------------------------
    /** Longest gap in the subtree. */
    long maxGap;
    /** Largest m such that an aligned 2^m block fits in some gap of the subtree, -1 if none. */
    byte maxFitOrder = -1;
    /**
     * Over the gaps whose fit order is {@link #maxFitOrder}: the most room left after rounding
     * the gap start up to 2^(maxFitOrder+1); decides whether a size between 2^m and 2^(m+1),
     * aligned to 2^(m+1), fits.
     */
    long maxTail = Long.MIN_VALUE;

    AvlIovaNode(long pfnLo, long pfnHi, boolean reserved) {
        this.pfnLo = pfnLo;
        this.pfnHi = pfnHi;
        this.reserved = reserved;
    }

    public long pfnLo() {
        return pfnLo;
    }

    public long pfnHi() {
        return pfnHi;
    }

    /** Number of granules in the range. */
    public long size() {
        return pfnHi - pfnLo + 1;
    }

    public boolean reserved() {
        return reserved;
    }

    @Override
    public String toString() {
        return String.format("iova[0x%x-0x%x]%s", pfnLo, pfnHi, reserved ? " reserved" : "");
    }
}
