package org.iommulab.iommu.dma.internal.iova;

import java.util.Map;
import java.util.TreeMap;

/**
 * A direct, slow transcription of Linux's {@code __alloc_and_insert_iova_range} and
 * {@code __cached_rbnode_*_update} (drivers/iommu/iova.c), walking node by node with
 * {@code rb_prev} and unsigned arithmetic, used as the oracle the O(log n) {@link IovaDomain}
 * must agree with position for position.
 */
final class LinuxIovaReference {
    private static final long ANCHOR = IovaDomain.IOVA_ANCHOR;

    /** pfnLo -> {pfnLo, pfnHi}. */
    private final TreeMap<Long, long[]> nodes = new TreeMap<>();
    private final long startPfn;
    private final long dma32BitPfn;
    private long[] cachedNode;
    private long[] cached32Node;
    private long max32AllocSize;

    LinuxIovaReference(int shift, long startPfn) {
        this.startPfn = startPfn;
        this.dma32BitPfn = 1L << (32 - shift);
        long[] anchor = {ANCHOR, ANCHOR};
        nodes.put(ANCHOR, anchor);
        cachedNode = anchor;
        cached32Node = anchor;
        max32AllocSize = dma32BitPfn;
    }

    /** alloc_iova(iovad, size, limitPfn, sizeAligned): returns pfn or 0. */
    long alloc(long size, long limitPfnInclusive, boolean sizeAligned) {
        long limitPfn = limitPfnInclusive + 1;
        long alignMask = ~0L;
        if (sizeAligned) {
            alignMask <<= 64 - Long.numberOfLeadingZeros(size - 1);
        }
        if (limitPfn <= dma32BitPfn && size >= max32AllocSize) {
            return 0;
        }
        long[] curr = limitPfn <= dma32BitPfn ? cached32Node : cachedNode;
        long retryPfn = curr[1];
        long highPfn = limitPfn;
        long lowPfn = startPfn;
        long newPfn;
        boolean first = true;
        while (true) {
            do {
                highPfn = Math.min(highPfn, curr[0]);
                newPfn = (highPfn - size) & alignMask;
                Map.Entry<Long, long[]> prev = nodes.lowerEntry(curr[0]);
                curr = prev == null ? null : prev.getValue();
            } while (curr != null && Long.compareUnsigned(newPfn, curr[1]) <= 0
                    && Long.compareUnsigned(newPfn, lowPfn) >= 0);
            if (Long.compareUnsigned(highPfn, size) < 0 || Long.compareUnsigned(newPfn, lowPfn) < 0) {
                if (first && lowPfn == startPfn && retryPfn < limitPfn) {
                    first = false;
                    highPfn = limitPfn;
                    lowPfn = retryPfn + 1;
                    curr = findLimit(limitPfn);
                    continue;
                }
                max32AllocSize = size;
                return 0;
            }
            break;
        }
        long[] n = {newPfn, newPfn + size - 1};
        nodes.put(newPfn, n);
        if (n[1] < dma32BitPfn) {
            cached32Node = n;
        } else {
            cachedNode = n;
        }
        return newPfn;
    }

    /** iova_find_limit: the lowest node with pfn_hi >= limit (the anchor at worst). */
    private long[] findLimit(long limitPfn) {
        Map.Entry<Long, long[]> e = nodes.floorEntry(limitPfn);
        if (e != null && e.getValue()[1] >= limitPfn) {
            return e.getValue();
        }
        return nodes.higherEntry(limitPfn).getValue();
    }

    boolean free(long pfn) {
        Map.Entry<Long, long[]> e = nodes.floorEntry(pfn);
        if (e == null || e.getValue()[1] < pfn || e.getKey() == ANCHOR) {
            return false;
        }
        long[] free = e.getValue();
        long[] next = nodes.higherEntry(free[0]).getValue();
        if (free == cached32Node || (free[1] < dma32BitPfn && free[0] >= cached32Node[0])) {
            cached32Node = next;
        }
        if (free[0] < dma32BitPfn) {
            max32AllocSize = dma32BitPfn;
        }
        if (free[0] >= cachedNode[0]) {
            cachedNode = next;
        }
        nodes.remove(free[0]);
        return true;
    }
}
