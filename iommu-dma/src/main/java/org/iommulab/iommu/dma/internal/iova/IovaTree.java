package org.iommulab.iommu.dma.internal.iova;

/**
 * The ranges of an IOVA domain, the structure Linux keeps in an rbtree of {@code struct iova}
 * ({@code iovad->rbroot}), kept compact: the ranges sit in leaves of up to {@value #B} entries,
 * each a sorted pair of primitive arrays ({@code long} first pfn, {@code int} length and reserved
 * flag: 12 bytes a range), and the leaves form a balanced (AVL) binary tree ordered by address,
 * augmented so that the highest hole that fits a request below a limit is found with no linear
 * walk of the tree. The former tree spent one 64-byte object per range; at a million live
 * mappings that was most of the heap a mapping cost.
 *
 * <p>Each range owns the gap just below it (from its predecessor's {@code pfnHi + 1}, or 0, up
 * to its {@code pfnLo}). A leaf's gaps are its first range's gap (from {@link IovaLeaf#gapLo}, the
 * previous leaf's last {@code pfnHi + 1}) and its inner gaps (between its ranges); it keeps a
 * summary of the inner ones, and every leaf keeps the summary of its subtree: the longest gap,
 * the largest naturally aligned power-of-two block that fits in a gap, and how far that block's
 * alignment leaves room ("tail"). They tell exactly whether any gap can hold a request:
 * <ul>
 * <li>unaligned requests of {@code size} fit iff {@code maxGap >= size};</li>
 * <li>a request of {@code size} aligned to {@code 2^k = roundup_pow_of_two(size)} fits in a gap
 * iff the gap holds an aligned 2^k block, or it holds an aligned 2^(k-1) block at most and the
 * room after its first 2^k boundary is at least {@code size} (a fit of more than 2^(k-1)
 * granules at a 2^k boundary contains an aligned 2^(k-1) block, so nothing else can fit).</li>
 * </ul>
 * The search descends highest-first and enters a subtree wholly inside the bounds only when its
 * summary says a fit exists, so it visits O(log n) leaves and scans the gaps of O(1) of them.
 *
 * <p>Updates keep the inner summary in O(1) for the allocator's usual moves (a range added at
 * either end of a leaf, a range removed: gaps split off the first gap or merge, which only add
 * to the summary); only a removed or split inner gap that held a maximum makes the leaf rescan
 * its {@value #B} entries. Leaves split where the new range goes, so Linux's top-down
 * (descending) allocation leaves them full; an emptied leaf leaves the tree and is kept for
 * reuse, so a steady load allocates nothing.
 *
 * <p>This class is the façade {@link IovaDomain} uses (lookups, the search, insert and remove);
 * the parts live beside it: {@link IovaLeaf} (a leaf's arrays and its inner summary),
 * {@link IovaLeafAvl} (the tree of leaves and its subtree summaries), {@link IovaGapFit} (the
 * fit arithmetic), {@link IovaHighestFit} (the search) and {@link IovaBigRanges} (the ranges too
 * long for a leaf's {@code int}).
 *
 * <p>Lookups answer through the "current range" registers ({@link #lo()}, {@link #hi()},
 * {@link #reserved()}), so that none allocates. Not thread-safe: {@link IovaDomain} holds the lock.
 */
final class IovaTree {
    /** Returned by {@link #highestFit} when nothing fits, and the lookups' "none". */
    static final long NO_FIT = -1L;
    /** Ranges per leaf. */
    static final int B = IovaLeaf.B;
    /** Empty leaves kept for reuse. */
    private static final int SPARES = 4;

    private IovaLeaf root;
    private int size;
    /** The ranges whose length does not fit {@link IovaLeaf#len}. */
    private final IovaBigRanges big = new IovaBigRanges();
    private final IovaLeaf[] spares = new IovaLeaf[SPARES];
    private int spareCount;

    // The current range, set by the lookups.
    private long curLo;
    private long curHi;
    private boolean curReserved;
    /**
     * Where {@link #find} found its range (leaf and index), so that {@link #nextAfterFound} and
     * {@link #removeFound} need no walk of their own: Linux's {@code free_iova} also holds the
     * node {@code private_find_iova} returned and hands it to {@code rb_next} and
     * {@code rb_erase}. Valid until the next update; null when the last find found nothing.
     */
    private IovaLeaf foundLeaf;
    private int foundIdx;
    /**
     * A remembered position (leaf and index) of a range the next call will likely ask for: the
     * range {@link #insertBelow} placed, or the one above a range removed from the front of its
     * leaf (the new {@code cached_node} after {@code __cached_rbnode_delete_update}). Linux's
     * {@code free_iova} and {@code alloc_iova} start from a node pointer they hold
     * ({@code cached_node}, the iova being freed); here that node's leaf is otherwise found by a
     * walk from the root. A hint only: trusted when {@link #at} confirms it, never required.
     */
    private IovaLeaf fingerLeaf;
    private int fingerIdx;
    /**
     * The path {@link #refresh} walked last, root first ({@code pathDepth} leaves), valid while
     * {@link #shape} is {@code pathShape}: the links of the tree of leaves change only when a
     * leaf joins or leaves it (rebalancing included), while the allocator's usual moves change
     * only a leaf's ranges. The next refresh of the same leaf then needs no walk (the path to a
     * leaf is unique while the links stay). Deep enough for any AVL tree of int-many leaves.
     */
    private final IovaLeaf[] path = new IovaLeaf[64];
    private int pathDepth;
    private long pathShape = -1;
    /** Counts changes to the links of the tree of leaves. */
    private long shape;

    int size() {
        return size;
    }

    /** First pfn of the current range. */
    long lo() {
        return curLo;
    }

    /** Last pfn of the current range. */
    long hi() {
        return curHi;
    }

    /** Whether the current range is reserved. */
    boolean reserved() {
        return curReserved;
    }

    private long hiAt(IovaLeaf l, int j) {
        return l.hiAt(j, big);
    }

    private long lastHi(IovaLeaf l) {
        return l.hiAt(l.end - 1, big);
    }

    private void setCurrent(IovaLeaf l, int j) {
        curLo = l.lo[j];
        curHi = hiAt(l, j);
        curReserved = (l.len[j] & IovaLeaf.RESERVED) != 0;
    }

    // ---- lookups -----------------------------------------------------------------------------

    /** Makes the range containing {@code pfn} current, Linux {@code private_find_iova}; false when none does. */
    boolean find(long pfn) {
        IovaLeaf f = fingerLeaf;
        int fi = fingerIdx;
        if (f != null && at(f, fi) && f.lo[fi] <= pfn && pfn <= hiAt(f, fi)) {
            // Ranges do not overlap: the range of a leaf in the tree that holds pfn is the one.
            setCurrent(f, fi);
            foundLeaf = f;
            foundIdx = fi;
            return true;
        }
        IovaLeaf l = root;
        while (l != null) {
            if (pfn < l.first()) {
                l = l.left;
            } else if (pfn > lastHi(l)) {
                l = l.right;
            } else {
                int j = IovaLeaf.floorIndex(l, pfn);
                if (pfn <= hiAt(l, j)) {
                    setCurrent(l, j);
                    foundLeaf = l;
                    foundIdx = j;
                    return true;
                }
                foundLeaf = null;
                return false;
            }
        }
        foundLeaf = null;
        return false;
    }

    /** Whether slot {@code i} of {@code l} holds a range of the tree now (a remembered position still valid). */
    private static boolean at(IovaLeaf l, int i) {
        return l.inTree && i >= l.begin && i < l.end;
    }

    /**
     * Makes the range after the one the last {@link #find} found current (Linux {@code rb_next});
     * false when none. From the found leaf when the next range is in it, else one walk.
     */
    boolean nextAfterFound() {
        IovaLeaf l = foundLeaf;
        if (l == null) {
            throw new IllegalStateException("no range found to step from");
        }
        if (foundIdx + 1 < l.end) {
            setCurrent(l, foundIdx + 1);
            return true;
        }
        return firstAbove(l.lo[foundIdx]);
    }

    /** Removes the range the last {@link #find} found, as {@link #remove} does but with no search for it. */
    void removeFound() {
        IovaLeaf l = foundLeaf;
        if (l == null) {
            throw new IllegalStateException("no range found to remove");
        }
        foundLeaf = null;
        removeAt(l, foundIdx);
    }

    /** Makes the range with the smallest {@code pfnLo > pfn} current (Linux {@code rb_next} of a range at pfn); false when none. */
    boolean firstAbove(long pfn) {
        IovaLeaf l = root;
        IovaLeaf best = null;
        while (l != null) {
            if (l.lo[l.end - 1] > pfn) {
                best = l;
                if (l.first() > pfn) {
                    l = l.left;
                } else {
                    break;
                }
            } else {
                l = l.right;
            }
        }
        if (best == null) {
            return false;
        }
        setCurrent(best, IovaLeaf.floorIndex(best, pfn) + 1);
        return true;
    }

    /** Visits every range in address order (tests and diagnostics; O(n)). */
    void forEach(IovaRangeVisitor v) {
        IovaLeafAvl.walk(root, big, v);
    }

    /** Leaves in the tree (tests: how full they are). */
    int leafCount() {
        return IovaLeafAvl.count(root);
    }

    // ---- the search ------------------------------------------------------------------------

    /**
     * The highest pfn {@code x} with {@code low <= x}, {@code x + size <= high}, {@code x} a
     * multiple of {@code 2^alignOrder} (when {@code aligned}) and {@code [x, x+size)} free, or
     * {@link #NO_FIT}. This is the position Linux's {@code __alloc_and_insert_iova_range} walk
     * settles on between the same bounds (see {@link IovaHighestFit}).
     */
    long highestFit(long low, long high, long size, int alignOrder, boolean aligned) {
        return IovaHighestFit.highestFit(root, big, low, high, size, alignOrder, aligned);
    }

    /**
     * Linux's first step below the cached node, done in place: when the highest aligned
     * position under {@code top} (the first pfn of a range in the tree, {@code cached_node}) for
     * {@code count} granules, {@code x = (top - count) & mask}, is at least {@code low} and lies
     * in the gap just below that range, {@code x} is what {@link #highestFit}{@code (low, top, ...)} answers (nothing above
     * it can be both aligned and end by {@code top}), and the range is inserted there with no
     * search of its own: the leaf the walk to {@code top} found is where it goes.
     *
     * @return {@code x}, inserted; or {@link #NO_FIT} when that position is not free (nothing changed)
     */
    long insertBelow(long top, long low, long count, long mask) {
        long x = (top - count) & mask;
        if (count <= 0 || x < low || x >= top) {
            return NO_FIT;
        }
        IovaLeaf l = fingerLeaf;
        int j = fingerIdx;
        if (l == null || !at(l, j) || l.lo[j] != top) {
            // No remembered position for top: the walk to the leaf that holds it.
            l = leafHolding(top);
            if (l == null) {
                return NO_FIT;
            }
            j = IovaLeaf.floorIndex(l, top);
            if (l.lo[j] != top) {
                return NO_FIT;
            }
        }
        long gs = j > l.begin ? hiAt(l, j - 1) + 1 : l.gapLo;
        if (x < gs) {
            return NO_FIT;
        }
        long pfnHi = x + count - 1;
        if (pfnHi - x >= IovaLeaf.BIG) {
            return NO_FIT; // the general insert keeps the big ranges' side table
        }
        if (j > l.begin) {
            foundLeaf = null;
            size++;
            insertInside(l, j, x, pfnHi, (int) (pfnHi - x));
            return x;
        }
        if (l.begin > 0) {
            foundLeaf = null;
            size++;
            prepend(l, x, pfnHi, (int) (pfnHi - x));
            fingerLeaf = l; // the new range, which the next free most likely asks for
            fingerIdx = l.begin;
            return x;
        }
        // The first gap of a leaf with no room in front: the general insert picks the leaf.
        insert(x, pfnHi, false);
        return x;
    }

    // ---- updates -----------------------------------------------------------------------------

    /** Inserts {@code [pfnLo, pfnHi]}, which must not overlap any range, splitting the gap it lands in. */
    void insert(long pfnLo, long pfnHi, boolean reserved) {
        foundLeaf = null;
        long span = pfnHi - pfnLo;
        int w = (span >= IovaLeaf.BIG ? IovaLeaf.BIG : (int) span) | (reserved ? IovaLeaf.RESERVED : 0);
        if (span >= IovaLeaf.BIG) {
            big.add(pfnLo, pfnHi);
        }
        size++;
        if (root == null) {
            IovaLeaf l = newLeaf(B - 1);
            l.lo[B - 1] = pfnLo;
            l.len[B - 1] = w;
            l.gapLo = 0;
            IovaLeafAvl.updateOwn(l);
            root = l;
            shape++;
            return;
        }
        // The leaf with the largest first pfn below pfnLo, and the one after it.
        IovaLeaf p = null;
        IovaLeaf c = null;
        for (IovaLeaf l = root; l != null; ) {
            if (l.first() < pfnLo) {
                p = l;
                l = l.right;
            } else {
                c = l;
                l = l.left;
            }
        }
        if (p != null && pfnLo < lastHi(p)) {
            insertInside(p, IovaLeaf.floorIndex(p, pfnLo) + 1, pfnLo, pfnHi, w);
            return;
        }
        // Between leaves p (may be null) and c (may be null): onto the end of one of them.
        if (c != null && c.begin > 0) {
            prepend(c, pfnLo, pfnHi, w);
        } else if (p != null && p.end < B) {
            append(p, c, pfnLo, pfnHi, w);
        } else if (c != null && c.end < B) {
            c.moveTo(B - (c.end - c.begin));
            prepend(c, pfnLo, pfnHi, w);
        } else if (p != null && p.begin > 0) {
            p.moveTo(0);
            append(p, c, pfnLo, pfnHi, w);
        } else {
            // Both full: a leaf of its own, with room below it (the allocator works top-down).
            IovaLeaf l = newLeaf(B - 1);
            l.lo[B - 1] = pfnLo;
            l.len[B - 1] = w;
            l.gapLo = p == null ? 0 : lastHi(p) + 1;
            IovaLeafAvl.updateOwn(l);
            root = IovaLeafAvl.insertLeaf(root, l);
            shape++;
            if (c != null) {
                c.gapLo = pfnHi + 1;
                refresh(c.first());
            }
        }
    }

    /** Puts the range in front of {@code c}'s first (room there): it takes the first gap's top part. */
    private void prepend(IovaLeaf c, long pfnLo, long pfnHi, int w) {
        int j = --c.begin;
        c.lo[j] = pfnLo;
        c.len[j] = w;
        if (j + 1 < c.end) {
            c.addInner(pfnHi + 1, c.lo[j + 1]);
        }
        refresh(pfnLo);
    }

    /** Puts the range after {@code p}'s last (room there): the successor leaf {@code c}'s first gap shrinks. */
    private void append(IovaLeaf p, IovaLeaf c, long pfnLo, long pfnHi, int w) {
        long prevHi = lastHi(p);
        int j = p.end++;
        p.lo[j] = pfnLo;
        p.len[j] = w;
        p.addInner(prevHi + 1, pfnLo);
        refresh(pfnLo);
        if (c != null) {
            c.gapLo = pfnHi + 1;
            refresh(c.first());
        }
    }

    /** Inserts the range at index {@code i} of {@code l} (between two of its ranges). */
    private void insertInside(IovaLeaf l, int i, long pfnLo, long pfnHi, int w) {
        long g0 = hiAt(l, i - 1) + 1;
        long g1 = l.lo[i];
        boolean rescan = l.dropInner(g0, g1);
        if (l.begin == 0 && l.end == B) {
            // Full: split where the range goes; the upper part moves to a new leaf at the same
            // indices, so both keep their room on the side where the allocator keeps adding.
            IovaLeaf r = newLeaf(i);
            r.end = B;
            System.arraycopy(l.lo, i, r.lo, i, B - i);
            System.arraycopy(l.len, i, r.len, i, B - i);
            l.end = i;
            l.lo[i] = pfnLo;
            l.len[i] = w;
            l.end++;
            l.rescanInner(big);
            r.rescanInner(big);
            r.gapLo = pfnHi + 1;
            IovaLeafAvl.updateOwn(r);
            root = IovaLeafAvl.insertLeaf(root, r);
            shape++;
            refresh(pfnLo);
            return;
        }
        i = l.openSlot(i);
        l.lo[i] = pfnLo;
        l.len[i] = w;
        if (rescan) {
            l.rescanInner(big);
        } else {
            l.addInner(g0, pfnLo);
            l.addInner(pfnHi + 1, g1);
        }
        refresh(pfnLo);
    }

    /** The leaf whose ranges' starts span {@code pfn} (first to last start), or null: a walk from the root. */
    private IovaLeaf leafHolding(long pfn) {
        IovaLeaf l = root;
        while (l != null && (pfn < l.first() || pfn > l.lo[l.end - 1])) {
            l = pfn < l.first() ? l.left : l.right;
        }
        return l;
    }

    /** Removes the range starting at {@code pfnLo} (it must exist); its gap joins the one above it. */
    void remove(long pfnLo) {
        IovaLeaf l = leafHolding(pfnLo);
        int j = l == null ? -1 : IovaLeaf.floorIndex(l, pfnLo);
        if (l == null || l.lo[j] != pfnLo) {
            throw new IllegalStateException("IOVA tree lost the range at pfn 0x" + Long.toHexString(pfnLo));
        }
        removeAt(l, j);
    }

    /** Removes the range at index {@code j} of leaf {@code l}. */
    private void removeAt(IovaLeaf l, int j) {
        foundLeaf = null;
        long pfnLo = l.lo[j];
        long hi = hiAt(l, j);
        if ((l.len[j] & IovaLeaf.BIG) == IovaLeaf.BIG) {
            big.remove(pfnLo);
        }
        size--;
        boolean rescan = false;
        long below = j > l.begin ? hiAt(l, j - 1) + 1 : l.gapLo;
        if (l.end - l.begin == 1) {
            // The leaf empties: it leaves the tree, its gap passes to the next leaf.
            root = IovaLeafAvl.removeLeaf(root, pfnLo);
            shape++;
            spare(l);
            IovaLeaf n = firstLeafAbove(pfnLo);
            if (n != null) {
                n.gapLo = below;
                refresh(n.first());
            }
            return;
        }
        if (j == l.begin) {
            // The first gap takes in the inner gap above the range.
            rescan = l.dropInner(hi + 1, l.lo[j + 1]);
            l.begin++;
            fingerLeaf = l; // the range above, the cached node when this one was
            fingerIdx = l.begin;
        } else if (j == l.end - 1) {
            // The inner gap below goes to the next leaf's first gap.
            rescan = l.dropInner(below, pfnLo);
            l.end--;
        } else {
            // Two inner gaps merge: the merged one covers both, so the summary only grows
            // (dropInner's answers are moot; it keeps the count of non-empty gaps).
            long nextLo = l.lo[j + 1];
            l.dropInner(below, pfnLo);
            l.dropInner(hi + 1, nextLo);
            int n = l.end - j - 1;
            if (j - l.begin < n) {
                System.arraycopy(l.lo, l.begin, l.lo, l.begin + 1, j - l.begin);
                System.arraycopy(l.len, l.begin, l.len, l.begin + 1, j - l.begin);
                l.begin++;
            } else {
                System.arraycopy(l.lo, j + 1, l.lo, j, n);
                System.arraycopy(l.len, j + 1, l.len, j, n);
                l.end--;
            }
            l.addInner(below, nextLo);
        }
        if (rescan) {
            l.rescanInner(big);
        }
        refresh(l.first());
        if (j == l.end) { // the last range went
            IovaLeaf n = firstLeafAbove(pfnLo);
            if (n != null) {
                n.gapLo = lastHi(l) + 1;
                refresh(n.first());
            }
        }
    }

    /** The leaf with the smallest first pfn above {@code pfn}, or null. */
    private IovaLeaf firstLeafAbove(long pfn) {
        IovaLeaf best = null;
        for (IovaLeaf l = root; l != null; ) {
            if (l.first() > pfn) {
                best = l;
                l = l.left;
            } else {
                l = l.right;
            }
        }
        return best;
    }

    /** Recomputes the summaries on the path to the leaf holding {@code pfn} (its first range's gap or its ranges changed). */
    private void refresh(long pfn) {
        int d = pathDepth;
        IovaLeaf last = d > 0 ? path[d - 1] : null;
        if (pathShape != shape || last == null || pfn < last.first() || pfn > last.lo[last.end - 1]) {
            // No remembered path to that leaf: the walk from the root, recording it.
            d = 0;
            IovaLeaf l = root;
            while (l != null) {
                path[d++] = l;
                if (pfn < l.first()) {
                    l = l.left;
                } else if (pfn > l.lo[l.end - 1]) {
                    l = l.right;
                } else {
                    break;
                }
            }
            if (l == null) {
                pathDepth = 0;
                return; // no leaf holds pfn: nothing changed under the walk
            }
            pathDepth = d;
            pathShape = shape;
        }
        IovaLeafAvl.refreshPath(path, d);
    }

    private IovaLeaf newLeaf(int at) {
        IovaLeaf l;
        if (spareCount > 0) {
            l = spares[--spareCount];
            spares[spareCount] = null;
        } else {
            l = new IovaLeaf();
        }
        l.reset(at);
        l.inTree = true; // every caller links it at once
        return l;
    }

    private void spare(IovaLeaf l) {
        l.inTree = false;
        l.left = null;
        l.right = null;
        if (spareCount < SPARES) {
            spares[spareCount++] = l;
        }
    }
}
