package org.iommulab.iommu.dma.internal.iova;

import static org.iommulab.iommu.dma.internal.iova.IovaGapFit.fitOrder;
import static org.iommulab.iommu.dma.internal.iova.IovaGapFit.fits;
import static org.iommulab.iommu.dma.internal.iova.IovaGapFit.tail;
import static org.iommulab.iommu.dma.internal.iova.IovaTree.NO_FIT;

/**
 * The search of an {@link IovaTree} for the highest hole that fits a request between bounds: it
 * descends highest-first and enters a subtree wholly inside the bounds only when its summary
 * says a fit exists, so it visits O(log n) leaves and scans the gaps of O(1) of them.
 */
final class IovaHighestFit {
    private IovaHighestFit() {
    }

    /**
     * The highest pfn {@code x} with {@code low <= x}, {@code x + size <= high}, {@code x} a
     * multiple of {@code 2^alignOrder} (when {@code aligned}) and {@code [x, x+size)} free among
     * the ranges of the tree of leaves {@code root}, or {@link IovaTree#NO_FIT}. This is the
     * position Linux's {@code __alloc_and_insert_iova_range} walk settles on between the same bounds.
     */
    static long highestFit(IovaLeaf root, IovaBigRanges big, long low, long high, long size, int alignOrder,
            boolean aligned) {
        if (size <= 0 || high - low < size) {
            return NO_FIT;
        }
        long mask = aligned ? -(1L << alignOrder) : -1L;
        // The whole tree's gaps begin at 0 (the lowest leaf's gap starts there).
        return search(big, root, 0, Long.MAX_VALUE, low, high, size, alignOrder, aligned, mask);
    }

    /**
     * {@code [spanLo, spanHi)} holds every gap of {@code l}'s subtree: passed down rather than
     * stored. Exact at the low end (a right subtree's gaps begin at its parent's last
     * {@code pfnHi + 1}); at the high end a left subtree is bounded by its parent's
     * {@code gapLo}. A wider span only prunes less and calls fewer subtrees "inside", never wrongly.
     */
    private static long search(IovaBigRanges big, IovaLeaf l, long spanLo, long spanHi, long low, long high,
            long size, int k, boolean aligned, long mask) {
        if (l == null || spanHi <= low || spanLo >= high) {
            return NO_FIT;
        }
        boolean inside = spanLo >= low && spanHi <= high;
        if (inside && !fits(l.maxGap, l.maxFitOrder, l.maxTail, size, k, aligned)) {
            return NO_FIT;
        }
        long r = search(big, l.right, l.lastHi(big) + 1, spanHi, low, high, size, k, aligned, mask);
        if (r != NO_FIT) {
            return r;
        }
        r = searchOwn(big, l, low, high, size, k, aligned, mask);
        if (r != NO_FIT) {
            return r;
        }
        return search(big, l.left, spanLo, l.gapLo, low, high, size, k, aligned, mask);
    }

    /** The highest fit in the leaf's own gaps, scanning down from {@code high}. */
    private static long searchOwn(IovaBigRanges big, IovaLeaf l, long low, long high, long size, int k,
            boolean aligned, long mask) {
        int begin = l.begin;
        int last = l.end - 1;
        long[] lo = l.lo;
        // The leaf's gaps lie in [gapLo, lo[last]): none reaches into the bounds when that
        // interval misses them (the usual case for the leaves above a top-down search's limit).
        if (l.gapLo >= high || lo[last] <= low) {
            return NO_FIT;
        }
        if (l.gapLo >= low && lo[last] <= high) {
            // Every gap of the leaf lies inside the bounds: its summaries say whether to look.
            long g0 = l.gapLo;
            long g1 = lo[begin];
            int order = fitOrder(g0, g1);
            boolean firstFits = fits(g1 - g0, order, order >= 0 ? tail(g0, g1, order) : Long.MIN_VALUE, size, k,
                    aligned);
            if (!firstFits && !fits(l.innerGap, l.innerOrder, l.innerTail, size, k, aligned)) {
                return NO_FIT;
            }
        }
        // The highest gap that reaches below high: the one under the first range at or above it.
        int j = high <= lo[begin] ? begin : IovaLeaf.floorIndex(l, high - 1) + 1;
        if (j > last) {
            j = last;
        }
        for (; j >= begin; j--) {
            long gs = j > begin ? l.hiAt(j - 1, big) + 1 : l.gapLo;
            long g1 = Math.min(lo[j], high);
            long g0 = Math.max(gs, low);
            if (g1 - g0 >= size) {
                long x = (g1 - size) & mask;
                if (x >= g0) {
                    return x;
                }
            }
            if (gs <= low) {
                break;
            }
        }
        return NO_FIT;
    }
}
