package org.iommulab.iommu.dma.internal.iova;

import java.util.ArrayList;
import java.util.List;

/*
 * The former implementation (one 64-byte node object per range in an augmented AVL tree), kept
 * in the test sources unchanged but for its names, as the reference the compact IovaTree must
 * agree with operation for operation (IovaTreeDifferentialTest).
 */
/**
 * An IOVA space, Linux {@code struct iova_domain} with the rbtree half of
 * {@code drivers/iommu/iova.c}: {@code init_iova_domain}, {@code alloc_iova},
 * {@code free_iova}, {@code find_iova} and {@code reserve_iova}, with Linux's allocation policy:
 * top-down from the limit, starting below {@code cached_node} (or {@code cached32_node} for
 * limits within 32 bits) and retrying above it once, {@code max32_alloc_size} failing 32-bit
 * requests fast, and natural alignment to {@code roundup_pow_of_two(size)} when asked. Where
 * Linux walks the rbtree node by node ({@code rb_prev}) this domain asks {@link AvlIovaTree} for
 * the same position in O(log n).
 *
 * <p>Units are granules ("pfns" of the IOVA space). pfn 0 is never handed out:
 * {@code startPfn >= 1}, as iommu-dma's {@code base_pfn = max(1, ...)}. A failed allocation
 * returns 0, Linux's {@code NULL}. Thread-safe: one lock, Linux's {@code iova_rbtree_lock}.
 */
final class AvlIovaDomain {
    /**
     * pfn of the anchor node, Linux {@code IOVA_ANCHOR} ({@code ~0UL}): a reserved node above
     * every allocatable pfn, so that every gap has a node above it. 2^62 keeps every summary
     * computation of {@link AvlIovaTree} within a signed long.
     */
    public static final long IOVA_ANCHOR = 1L << 62;
    /** Freed nodes kept for reuse, so a steady map/unmap load allocates no nodes. */
    private static final int NODE_POOL = 1024;

    private final long granule;
    private final int shift;
    private final long startPfn;
    private final long dma32BitPfn;
    private final AvlIovaTree tree = new AvlIovaTree();
    private final AvlIovaNode anchor;
    private AvlIovaNode cachedNode;
    private AvlIovaNode cached32Node;
    private long max32AllocSize;
    private final AvlIovaNode[] pool = new AvlIovaNode[NODE_POOL];
    private int pooled;

    /**
     * Linux {@code init_iova_domain(iovad, granule, start_pfn)}.
     *
     * @throws IllegalArgumentException when {@code granule} is not a power of two between 1 and
     *         1 GiB, or {@code startPfn} is below 1 or beyond the space
     */
    public AvlIovaDomain(long granule, long startPfn) {
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
        this.anchor = new AvlIovaNode(IOVA_ANCHOR, IOVA_ANCHOR, true);
        tree.insert(anchor);
        cachedNode = anchor;
        cached32Node = anchor;
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

    /** Linux {@code __alloc_and_insert_iova_range}, with the rbtree walk done by {@link AvlIovaTree}. */
    private long allocAndInsert(long size, long limitPfn, boolean sizeAligned) {
        int alignOrder = sizeAligned ? 64 - Long.numberOfLeadingZeros(size - 1) : 0;
        if (limitPfn <= dma32BitPfn && size >= max32AllocSize) {
            return 0; // iova32_full: a request this big already failed below 4 GiB
        }
        AvlIovaNode curr = limitPfn <= dma32BitPfn ? cached32Node : cachedNode;
        long retryPfn = curr.pfnHi;
        long pfn = tree.highestFit(startPfn, Math.min(limitPfn, curr.pfnLo), size, alignOrder, sizeAligned);
        if (pfn == AvlIovaTree.NO_FIT && retryPfn < limitPfn) {
            // Nothing below the cached node: retry once in the space above it, up to the limit.
            pfn = tree.highestFit(Math.max(startPfn, retryPfn + 1), limitPfn, size, alignOrder, sizeAligned);
        }
        if (pfn == AvlIovaTree.NO_FIT) {
            max32AllocSize = size;
            return 0;
        }
        AvlIovaNode node = newNode(pfn, pfn + size - 1, false);
        tree.insert(node);
        // __cached_rbnode_insert_update
        if (node.pfnHi < dma32BitPfn) {
            cached32Node = node;
        } else {
            cachedNode = node;
        }
        return pfn;
    }

    /**
     * Linux {@code free_iova}: frees the range containing {@code pfn}.
     *
     * @return false (and nothing changes) when no allocated range contains {@code pfn} or the
     *         range is reserved
     */
    public synchronized boolean free(long pfn) {
        AvlIovaNode n = tree.find(pfn);
        if (n == null || n.reserved) {
            return false;
        }
        cachedRbnodeDeleteUpdate(n);
        tree.remove(n);
        recycle(n);
        return true;
    }

    /** Linux {@code __cached_rbnode_delete_update}: keeps the cached positions above the hole. */
    private void cachedRbnodeDeleteUpdate(AvlIovaNode free) {
        AvlIovaNode cached = cached32Node;
        if (free == cached || (free.pfnHi < dma32BitPfn && free.pfnLo >= cached.pfnLo)) {
            cached32Node = tree.next(free);
        }
        if (free.pfnLo < dma32BitPfn) {
            max32AllocSize = dma32BitPfn;
        }
        cached = cachedNode;
        if (free.pfnLo >= cached.pfnLo) {
            cachedNode = tree.next(free);
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
            AvlIovaNode n = tree.find(x);
            if (n != null) {
                x = n.pfnHi + 1;
                continue;
            }
            AvlIovaNode above = tree.firstAbove(x);
            long end = Math.min(above.pfnLo - 1, pfnHi);
            tree.insert(newNode(x, end, true));
            x = end + 1;
        }
    }

    /** Linux {@code find_iova}: the range containing {@code pfn}, or null. Read-only use. */
    public synchronized AvlIovaNode find(long pfn) {
        AvlIovaNode n = tree.find(pfn);
        return n == anchor ? null : n;
    }

    // ---- inspection ------------------------------------------------------------------------------

    /** Number of ranges (allocated and reserved), the anchor excluded. */
    public synchronized int rangeCount() {
        return tree.size() - 1;
    }

    /** Every range as {@code {pfnLo, pfnHi, reserved ? 1 : 0}}, in address order; O(n), for tests. */
    public synchronized List<long[]> ranges() {
        List<long[]> out = new ArrayList<>();
        tree.forEach(n -> {
            if (n != anchor) {
                out.add(new long[] {n.pfnLo, n.pfnHi, n.reserved ? 1 : 0});
            }
        });
        return out;
    }

    /** Granules in allocated (not reserved) ranges; O(n), for tests. */
    public synchronized long allocatedGranules() {
        long[] sum = {0};
        tree.forEach(n -> {
            if (!n.reserved) {
                sum[0] += n.size();
            }
        });
        return sum[0];
    }

    /** Linux {@code iovad->max32_alloc_size}. */
    public synchronized long max32AllocSize() {
        return max32AllocSize;
    }

    private AvlIovaNode newNode(long lo, long hi, boolean reserved) {
        if (pooled == 0) {
            return new AvlIovaNode(lo, hi, reserved);
        }
        AvlIovaNode n = pool[--pooled];
        pool[pooled] = null;
        n.pfnLo = lo;
        n.pfnHi = hi;
        n.reserved = reserved;
        return n;
    }

    private void recycle(AvlIovaNode n) {
        if (pooled < pool.length) {
            pool[pooled++] = n;
        }
    }

    @Override
    public synchronized String toString() {
        return String.format("iova_domain granule %d start_pfn 0x%x ranges %d", granule, startPfn, tree.size() - 1);
    }
}
