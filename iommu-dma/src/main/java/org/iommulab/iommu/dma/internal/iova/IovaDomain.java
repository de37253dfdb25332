package org.iommulab.iommu.dma.internal.iova;

import java.util.ArrayList;
import java.util.List;

/**
 * An IOVA space, Linux {@code struct iova_domain} with the rbtree half of
 * {@code drivers/iommu/iova.c}: {@code init_iova_domain}, {@code alloc_iova},
 * {@code free_iova}, {@code find_iova} and {@code reserve_iova}, with Linux's allocation policy:
 * top-down from the limit, starting below {@code cached_node} (or {@code cached32_node} for
 * limits within 32 bits) and retrying above it once, {@code max32_alloc_size} failing 32-bit
 * requests fast, and natural alignment to {@code roundup_pow_of_two(size)} when asked. Where
 * Linux walks the rbtree node by node ({@code rb_prev}) this domain asks {@link IovaTree} for
 * the same position in O(log n). Linux's {@code cached_node} and {@code cached32_node} point at
 * rbtree nodes; here they are the cached range's bounds, which is the same thing: a range's
 * bounds never change while it is in the tree, and a cached range is always in it (freeing it
 * moves the cache first, {@code __cached_rbnode_delete_update}).
 *
 * <p>Units are granules ("pfns" of the IOVA space). pfn 0 is never handed out:
 * {@code startPfn >= 1}, as iommu-dma's {@code base_pfn = max(1, ...)}. A failed allocation
 * returns 0, Linux's {@code NULL}. Thread-safe: one lock, Linux's {@code iova_rbtree_lock}.
 */
public final class IovaDomain {
    /**
     * pfn of the anchor node, Linux {@code IOVA_ANCHOR} ({@code ~0UL}): a reserved node above
     * every allocatable pfn, so that every gap has a node above it. 2^62 keeps every summary
     * computation of {@link IovaTree} within a signed long.
     */
    public static final long IOVA_ANCHOR = 1L << 62;

    private final long granule;
    private final int shift;
    private final long startPfn;
    private final long dma32BitPfn;
    private final IovaTree tree = new IovaTree();
    /** Linux {@code cached_node}: the range last allocated above 4 GiB (or the anchor), as its bounds. */
    private long cachedLo;
    private long cachedHi;
    /** Linux {@code cached32_node}, likewise below 4 GiB. */
    private long cached32Lo;
    private long cached32Hi;
    private long max32AllocSize;

    /**
     * Linux {@code init_iova_domain(iovad, granule, start_pfn)}.
     *
     * @throws IllegalArgumentException when {@code granule} is not a power of two between 1 and
     *         1 GiB, or {@code startPfn} is below 1 or beyond the space
     */
    public IovaDomain(long granule, long startPfn) {
        if (granule <= 0 || (granule & (granule - 1)) != 0 || granule > (1L << 30)) {
            throw new IllegalArgumentException("IOVA granule must be a power of two up to 1 GiB, got " + granule);
        }
        if (startPfn < 1 || startPfn >= IOVA_ANCHOR) {
            throw new IllegalArgumentException("IOVA start pfn must be at least 1 (IOVA 0 is never used), got "
                    + startPfn);
        }
        this.granule = granule;
        this.shift = Long.numberOfTrailingZeros(granule);
        this.startPfn = startPfn;
        this.dma32BitPfn = 1L << (32 - shift);
        tree.insert(IOVA_ANCHOR, IOVA_ANCHOR, true);
        cachedLo = IOVA_ANCHOR;
        cachedHi = IOVA_ANCHOR;
        cached32Lo = IOVA_ANCHOR;
        cached32Hi = IOVA_ANCHOR;
        max32AllocSize = dma32BitPfn;
    }

    // ---- iova.h helpers ----------------------------------------------------------------------

    public long granule() {
        return granule;
    }

    /** Linux {@code iova_shift}. */
    public int shift() {
        return shift;
    }

    /** Linux {@code iova_mask}: {@code granule - 1}. */
    public long mask() {
        return granule - 1;
    }

    /** Linux {@code iova_offset}: the offset of {@code addr} inside its granule. */
    public long offset(long addr) {
        return addr & (granule - 1);
    }

    /** Linux {@code iova_align}: {@code size} rounded up to whole granules. */
    public long align(long size) {
        return (size + granule - 1) & -granule;
    }

    /** Linux {@code iova_align_down}. */
    public long alignDown(long addr) {
        return addr & -granule;
    }

    /** Linux {@code iova_pfn}. */
    public long pfn(long addr) {
        return addr >>> shift;
    }

    public long startPfn() {
        return startPfn;
    }

    /** Linux {@code iovad->dma_32bit_pfn}: the first pfn above 4 GiB. */
    public long dma32BitPfn() {
        return dma32BitPfn;
    }

    // ---- allocation ----------------------------------------------------------------------------

    /**
     * Linux {@code alloc_iova}: {@code size} granules at or below {@code limitPfn} (inclusive),
     * naturally aligned to {@code roundup_pow_of_two(size)} when {@code sizeAligned}.
     *
     * @return the first pfn of the new range, or 0 when nothing fits
     * @throws IllegalArgumentException for a non-positive size; nothing changes
     */
    public synchronized long alloc(long size, long limitPfn, boolean sizeAligned) {
        if (size <= 0) {
            throw new IllegalArgumentException("IOVA allocation size must be positive, got " + size);
        }
        // alloc_iova passes limit_pfn + 1: from here on the limit is exclusive.
        long limit = Long.compareUnsigned(limitPfn, IOVA_ANCHOR - 1) >= 0 ? IOVA_ANCHOR : limitPfn + 1;
        return allocAndInsert(size, limit, sizeAligned);
    }

    /** Linux {@code __alloc_and_insert_iova_range}, with the rbtree walk done by {@link IovaTree}. */
    private long allocAndInsert(long size, long limitPfn, boolean sizeAligned) {
        int alignOrder = sizeAligned ? 64 - Long.numberOfLeadingZeros(size - 1) : 0;
        if (limitPfn <= dma32BitPfn && size >= max32AllocSize) {
            return 0; // iova32_full: a request this big already failed below 4 GiB
        }
        boolean use32 = limitPfn <= dma32BitPfn;
        long currLo = use32 ? cached32Lo : cachedLo;
        long retryPfn = use32 ? cached32Hi : cachedHi;
        long hi;
        long pfn = IovaTree.NO_FIT;
        if (currLo <= limitPfn) {
            // The walk's first candidate, the gap right below cached_node, usually fits: then
            // the tree places the range there in one walk (the same position highestFit gives).
            pfn = tree.insertBelow(currLo, startPfn, size, sizeAligned ? -(1L << alignOrder) : -1L);
            if (pfn != IovaTree.NO_FIT) {
                hi = pfn + size - 1;
                cachedRbnodeInsertUpdate(pfn, hi);
                return pfn;
            }
        }
        pfn = tree.highestFit(startPfn, Math.min(limitPfn, currLo), size, alignOrder, sizeAligned);
        if (pfn == IovaTree.NO_FIT && retryPfn < limitPfn) {
            // Nothing below the cached node: retry once in the space above it, up to the limit.
            pfn = tree.highestFit(Math.max(startPfn, retryPfn + 1), limitPfn, size, alignOrder, sizeAligned);
        }
        if (pfn == IovaTree.NO_FIT) {
            max32AllocSize = size;
            return 0;
        }
        hi = pfn + size - 1;
        tree.insert(pfn, hi, false);
        cachedRbnodeInsertUpdate(pfn, hi);
        return pfn;
    }

    /** Linux {@code __cached_rbnode_insert_update}. */
    private void cachedRbnodeInsertUpdate(long pfn, long hi) {
        if (hi < dma32BitPfn) {
            cached32Lo = pfn;
            cached32Hi = hi;
        } else {
            cachedLo = pfn;
            cachedHi = hi;
        }
    }

    /**
     * Linux {@code free_iova}: frees the range containing {@code pfn}.
     *
     * @return false (and nothing changes) when no allocated range contains {@code pfn} or the
     *         range is reserved
     */
    public synchronized boolean free(long pfn) {
        if (!tree.find(pfn) || tree.reserved()) {
            return false;
        }
        cachedRbnodeDeleteUpdate(tree.lo(), tree.hi());
        tree.removeFound(); // rb_erase of the node private_find_iova returned: no second search
        return true;
    }

    /** Linux {@code __cached_rbnode_delete_update}: keeps the cached positions above the hole. */
    private void cachedRbnodeDeleteUpdate(long freeLo, long freeHi) {
        // "free == cached" compares nodes in Linux; both are in the tree, so their bounds say it.
        if (freeLo == cached32Lo || (freeHi < dma32BitPfn && freeLo >= cached32Lo)) {
            nextAfterFree(freeLo); // rb_next(&free->node): the anchor at least is above
            cached32Lo = tree.lo();
            cached32Hi = tree.hi();
        }
        if (freeLo < dma32BitPfn) {
            max32AllocSize = dma32BitPfn;
        }
        if (freeLo >= cachedLo) {
            nextAfterFree(freeLo);
            cachedLo = tree.lo();
            cachedHi = tree.hi();
        }
    }

    /** Linux {@code rb_next(&free->node)}: from the node {@link #free} found, no new search. */
    private void nextAfterFree(long freeLo) {
        if (!tree.nextAfterFound()) {
            throw new IllegalStateException("no IOVA range above pfn 0x" + Long.toHexString(freeLo) + ", not even the anchor");
        }
    }

    /** Makes the range after the one at {@code pfnLo} the tree's current one (Linux {@code rb_next}). */
    private void nextRange(long pfnLo) {
        if (!tree.firstAbove(pfnLo)) {
            throw new IllegalStateException("no IOVA range above pfn 0x" + Long.toHexString(pfnLo) + ", not even the anchor");
        }
    }

    /**
     * Linux {@code reserve_iova}: makes {@code [pfnLo, pfnHi]} unavailable. Free parts become
     * reserved ranges; parts already allocated or reserved stay as they are. Linux instead
     * stretches an overlapping node over the request after a walk from {@code rb_first}; the
     * outcome (nothing in the range can be handed out) is the same, without the linear walk.
     *
     * @throws IllegalArgumentException for an empty or out-of-space range; nothing changes
     */
    public synchronized void reserve(long pfnLo, long pfnHi) {
        if (pfnLo < 0 || pfnHi < pfnLo || pfnHi >= IOVA_ANCHOR) {
            throw new IllegalArgumentException(String.format("cannot reserve IOVA pfns [0x%x-0x%x]", pfnLo, pfnHi));
        }
        long x = pfnLo;
        while (x <= pfnHi) {
            if (tree.find(x)) {
                x = tree.hi() + 1;
                continue;
            }
            nextRange(x);
            long end = Math.min(tree.lo() - 1, pfnHi);
            tree.insert(x, end, true);
            x = end + 1;
        }
    }

    /** Linux {@code find_iova}: the range containing {@code pfn}, or null. Read-only use. */
    public synchronized IovaNode find(long pfn) {
        if (!tree.find(pfn) || tree.lo() == IOVA_ANCHOR) {
            return null;
        }
        return new IovaNode(tree.lo(), tree.hi(), tree.reserved());
    }

    // ---- inspection ------------------------------------------------------------------------------

    /** Number of ranges (allocated and reserved), the anchor excluded. */
    public synchronized int rangeCount() {
        return tree.size() - 1;
    }

    /** Every range as {@code {pfnLo, pfnHi, reserved ? 1 : 0}}, in address order; O(n), for tests. */
    public synchronized List<long[]> ranges() {
        List<long[]> out = new ArrayList<>();
        tree.forEach((lo, hi, reserved) -> {
            if (lo != IOVA_ANCHOR) {
                out.add(new long[] {lo, hi, reserved ? 1 : 0});
            }
        });
        return out;
    }

    /** Granules in allocated (not reserved) ranges; O(n), for tests. */
    public synchronized long allocatedGranules() {
        long[] sum = {0};
        tree.forEach((lo, hi, reserved) -> {
            if (!reserved) {
                sum[0] += hi - lo + 1;
            }
        });
        return sum[0];
    }

    /** Linux {@code iovad->max32_alloc_size}. */
    public synchronized long max32AllocSize() {
        return max32AllocSize;
    }

    /** Leaves of the tree now (tests: how densely the ranges are packed). */
    synchronized int leafCount() {
        return tree.leafCount();
    }

    @Override
    public synchronized String toString() {
        return String.format("iova_domain granule %d start_pfn 0x%x ranges %d", granule, startPfn, tree.size() - 1);
    }
}
