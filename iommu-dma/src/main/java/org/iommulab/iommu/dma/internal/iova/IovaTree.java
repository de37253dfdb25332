package org.iommulab.iommu.dma.internal.iova;

import java.util.Arrays;

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
 * to its {@code pfnLo}). A leaf's gaps are its first range's gap (from {@link Leaf#gapLo}, the
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
 * <p>Lookups answer through the "current range" registers ({@link #lo()}, {@link #hi()},
 * {@link #reserved()}), so that none allocates. Not thread-safe: {@link IovaDomain} holds the lock.
 */
final class IovaTree {
    /** Returned by {@link #highestFit} when nothing fits, and the lookups' "none". */
    static final long NO_FIT = -1L;
    /** Ranges per leaf. */
    static final int B = 128;
    /** Bit of {@link Leaf#len} marking a reserved range. */
    private static final int RESERVED = 0x8000_0000;
    /** {@link Leaf#len} value (reserved bit aside) of a range too long for 31 bits: its pfnHi is in {@link #bigHi}. */
    private static final int BIG = 0x7FFF_FFFF;
    /** Empty leaves kept for reuse. */
    private static final int SPARES = 4;

    /** One leaf: ranges {@code [begin, end)} of its arrays, sorted by address. */
    static final class Leaf {
        final long[] lo = new long[B];
        /** {@code pfnHi - pfnLo} (or {@link #BIG}), with {@link #RESERVED}. */
        final int[] len = new int[B];
        int begin;
        int end;
        Leaf left;
        Leaf right;
        /** AVL height. */
        byte height = 1;
        /** First free pfn of the gap below {@code lo[begin]}: the previous leaf's last pfnHi + 1, or 0. */
        long gapLo;

        /** Summary of the inner gaps (between this leaf's ranges). */
        long innerGap;
        byte innerOrder = -1;
        long innerTail = Long.MIN_VALUE;

        /** Summary of every gap in the subtree (see the class comment). */
        long maxGap;
        byte maxFitOrder = -1;
        long maxTail = Long.MIN_VALUE;

        long first() {
            return lo[begin];
        }
    }

    private Leaf root;
    private int size;
    /**
     * The ranges whose length does not fit {@link Leaf#len} (huge reservations such as the space
     * above a DMA mask): {@code bigLo[i]} to {@code bigHi[i]}, a few at most, in primitive arrays
     * so that reading one allocates nothing.
     */
    private long[] bigLo = new long[0];
    private long[] bigHi = new long[0];
    private int bigCount;
    private final Leaf[] spares = new Leaf[SPARES];
    private int spareCount;

    // The current range, set by the lookups.
    private long curLo;
    private long curHi;
    private boolean curReserved;
    /** Set when an inner gap holding a maximum of its leaf's summary was split or removed. */
    private boolean rescan;

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

    private long hiAt(Leaf l, int j) {
        int s = l.len[j] & BIG;
        return s != BIG ? l.lo[j] + s : bigHi[bigIndex(l.lo[j])];
    }

    private int bigIndex(long pfnLo) {
        for (int i = 0; i < bigCount; i++) {
            if (bigLo[i] == pfnLo) {
                return i;
            }
        }
        throw new IllegalStateException("IOVA tree lost the end of the range at pfn 0x" + Long.toHexString(pfnLo));
    }

    private long lastHi(Leaf l) {
        return hiAt(l, l.end - 1);
    }

    private void setCurrent(Leaf l, int j) {
        curLo = l.lo[j];
        curHi = hiAt(l, j);
        curReserved = (l.len[j] & RESERVED) != 0;
    }

    // ---- lookups -----------------------------------------------------------------------------

    /** Makes the range containing {@code pfn} current, Linux {@code private_find_iova}; false when none does. */
    boolean find(long pfn) {
        Leaf l = root;
        while (l != null) {
            if (pfn < l.first()) {
                l = l.left;
            } else if (pfn > lastHi(l)) {
                l = l.right;
            } else {
                int j = floorIndex(l, pfn);
                if (pfn <= hiAt(l, j)) {
                    setCurrent(l, j);
                    return true;
                }
                return false;
            }
        }
        return false;
    }

    /** Makes the range with the smallest {@code pfnLo > pfn} current (Linux {@code rb_next} of a range at pfn); false when none. */
    boolean firstAbove(long pfn) {
        Leaf l = root;
        Leaf best = null;
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
        setCurrent(best, floorIndex(best, pfn) + 1);
        return true;
    }

    /** Largest index j in the leaf with {@code lo[j] <= pfn}, or {@code begin - 1}. */
    private static int floorIndex(Leaf l, long pfn) {
        int a = l.begin;
        int b = l.end - 1;
        while (a <= b) {
            int m = (a + b) >>> 1;
            if (l.lo[m] <= pfn) {
                a = m + 1;
            } else {
                b = m - 1;
            }
        }
        return b;
    }

    /** Told each range in address order by {@link #forEach}. */
    @FunctionalInterface
    interface RangeVisitor {
        void visit(long pfnLo, long pfnHi, boolean reserved);
    }

    /** Visits every range in address order (tests and diagnostics; O(n)). */
    void forEach(RangeVisitor v) {
        walk(root, v);
    }

    private void walk(Leaf l, RangeVisitor v) {
        if (l == null) {
            return;
        }
        walk(l.left, v);
        for (int j = l.begin; j < l.end; j++) {
            v.visit(l.lo[j], hiAt(l, j), (l.len[j] & RESERVED) != 0);
        }
        walk(l.right, v);
    }

    /** Leaves in the tree (tests: how full they are). */
    int leafCount() {
        return count(root);
    }

    private static int count(Leaf l) {
        return l == null ? 0 : 1 + count(l.left) + count(l.right);
    }

    // ---- the search ------------------------------------------------------------------------

    /**
     * The highest pfn {@code x} with {@code low <= x}, {@code x + size <= high}, {@code x} a
     * multiple of {@code 2^alignOrder} (when {@code aligned}) and {@code [x, x+size)} free, or
     * {@link #NO_FIT}. This is the position Linux's {@code __alloc_and_insert_iova_range} walk
     * settles on between the same bounds.
     */
    long highestFit(long low, long high, long size, int alignOrder, boolean aligned) {
        if (size <= 0 || high - low < size) {
            return NO_FIT;
        }
        long mask = aligned ? -(1L << alignOrder) : -1L;
        // The whole tree's gaps begin at 0 (the lowest leaf's gap starts there).
        return search(root, 0, Long.MAX_VALUE, low, high, size, alignOrder, aligned, mask);
    }

    /**
     * {@code [spanLo, spanHi)} holds every gap of {@code l}'s subtree: passed down rather than
     * stored. Exact at the low end (a right subtree's gaps begin at its parent's last
     * {@code pfnHi + 1}); at the high end a left subtree is bounded by its parent's
     * {@code gapLo}. A wider span only prunes less and calls fewer subtrees "inside", never wrongly.
     */
    private long search(Leaf l, long spanLo, long spanHi, long low, long high, long size, int k, boolean aligned,
            long mask) {
        if (l == null || spanHi <= low || spanLo >= high) {
            return NO_FIT;
        }
        boolean inside = spanLo >= low && spanHi <= high;
        if (inside && !fits(l.maxGap, l.maxFitOrder, l.maxTail, size, k, aligned)) {
            return NO_FIT;
        }
        long r = search(l.right, lastHi(l) + 1, spanHi, low, high, size, k, aligned, mask);
        if (r != NO_FIT) {
            return r;
        }
        r = searchOwn(l, low, high, size, k, aligned, mask);
        if (r != NO_FIT) {
            return r;
        }
        return search(l.left, spanLo, l.gapLo, low, high, size, k, aligned, mask);
    }

    /** The highest fit in the leaf's own gaps, scanning down from {@code high}. */
    private long searchOwn(Leaf l, long low, long high, long size, int k, boolean aligned, long mask) {
        int begin = l.begin;
        int last = l.end - 1;
        long[] lo = l.lo;
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
        int j = floorIndex(l, high - 1) + 1;
        if (j > last) {
            j = last;
        }
        for (; j >= begin; j--) {
            long gs = j > begin ? hiAt(l, j - 1) + 1 : l.gapLo;
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

    /** Whether a set of gaps with these summaries holds the request (exact, see the class comment). */
    static boolean fits(long maxGap, int maxFitOrder, long maxTail, long size, int k, boolean aligned) {
        if (!aligned) {
            return maxGap >= size;
        }
        return maxFitOrder >= k || (maxFitOrder == k - 1 && maxTail >= size);
    }

    /**
     * Largest m such that an aligned 2^m block fits in {@code [g0, g1)}, or -1 for an empty gap.
     * With len >= 2^L an aligned 2^(L-1) block always fits, so only L and L-1 need checking.
     */
    static int fitOrder(long g0, long g1) {
        long len = g1 - g0;
        if (len <= 0) {
            return -1;
        }
        int l = 63 - Long.numberOfLeadingZeros(len);
        long a = 1L << l;
        long x = (g0 + a - 1) & -a;
        return x + a <= g1 ? l : l - 1;
    }

    /** Room in {@code [g0, g1)} from its first multiple of 2^(m+1): may be negative. */
    static long tail(long g0, long g1, int m) {
        long a = 1L << (m + 1);
        return g1 - ((g0 + a - 1) & -a);
    }

    // ---- inner summaries -------------------------------------------------------------------

    /** Adds the gap {@code [g0, g1)} to the leaf's inner summary. */
    private static void addInner(Leaf l, long g0, long g1) {
        long len = g1 - g0;
        if (len <= 0) {
            return;
        }
        if (len > l.innerGap) {
            l.innerGap = len;
        }
        int order = fitOrder(g0, g1);
        long t = tail(g0, g1, order);
        if (order > l.innerOrder) {
            l.innerOrder = (byte) order;
            l.innerTail = t;
        } else if (order == l.innerOrder && t > l.innerTail) {
            l.innerTail = t;
        }
    }

    /** The inner gap {@code [g0, g1)} goes (split or merged away): a rescan is due if it held a maximum. */
    private void dropInner(Leaf l, long g0, long g1) {
        long len = g1 - g0;
        if (len <= 0) {
            return;
        }
        int order = fitOrder(g0, g1);
        if (len >= l.innerGap || order > l.innerOrder
                || order == l.innerOrder && tail(g0, g1, order) >= l.innerTail) {
            rescan = true;
        }
    }

    /** Recomputes the leaf's inner summary from its ranges (O(B)). */
    private void rescanInner(Leaf l) {
        l.innerGap = 0;
        l.innerOrder = -1;
        l.innerTail = Long.MIN_VALUE;
        long prevHi = hiAt(l, l.begin);
        for (int j = l.begin + 1; j < l.end; j++) {
            addInner(l, prevHi + 1, l.lo[j]);
            prevHi = hiAt(l, j);
        }
    }

    // ---- updates -----------------------------------------------------------------------------

    /** Inserts {@code [pfnLo, pfnHi]}, which must not overlap any range, splitting the gap it lands in. */
    void insert(long pfnLo, long pfnHi, boolean reserved) {
        long span = pfnHi - pfnLo;
        int w = (span >= BIG ? BIG : (int) span) | (reserved ? RESERVED : 0);
        if (span >= BIG) {
            if (bigCount == bigLo.length) {
                bigLo = Arrays.copyOf(bigLo, bigCount * 2 + 2);
                bigHi = Arrays.copyOf(bigHi, bigCount * 2 + 2);
            }
            bigLo[bigCount] = pfnLo;
            bigHi[bigCount++] = pfnHi;
        }
        size++;
        if (root == null) {
            Leaf l = newLeaf(B - 1);
            l.lo[B - 1] = pfnLo;
            l.len[B - 1] = w;
            l.gapLo = 0;
            update(l);
            root = l;
            return;
        }
        // The leaf with the largest first pfn below pfnLo, and the one after it.
        Leaf p = null;
        Leaf c = null;
        for (Leaf l = root; l != null; ) {
            if (l.first() < pfnLo) {
                p = l;
                l = l.right;
            } else {
                c = l;
                l = l.left;
            }
        }
        rescan = false;
        if (p != null && pfnLo < lastHi(p)) {
            insertInside(p, floorIndex(p, pfnLo) + 1, pfnLo, pfnHi, w);
            return;
        }
        // Between leaves p (may be null) and c (may be null): onto the end of one of them.
        if (c != null && c.begin > 0) {
            prepend(c, pfnLo, pfnHi, w);
        } else if (p != null && p.end < B) {
            append(p, c, pfnLo, pfnHi, w);
        } else if (c != null && c.end < B) {
            moveTo(c, B - (c.end - c.begin));
            prepend(c, pfnLo, pfnHi, w);
        } else if (p != null && p.begin > 0) {
            moveTo(p, 0);
            append(p, c, pfnLo, pfnHi, w);
        } else {
            // Both full: a leaf of its own, with room below it (the allocator works top-down).
            Leaf l = newLeaf(B - 1);
            l.lo[B - 1] = pfnLo;
            l.len[B - 1] = w;
            l.gapLo = p == null ? 0 : lastHi(p) + 1;
            update(l);
            root = insertLeaf(root, l);
            if (c != null) {
                c.gapLo = pfnHi + 1;
                refresh(c.first());
            }
        }
    }

    /** Puts the range in front of {@code c}'s first (room there): it takes the first gap's top part. */
    private void prepend(Leaf c, long pfnLo, long pfnHi, int w) {
        int j = --c.begin;
        c.lo[j] = pfnLo;
        c.len[j] = w;
        if (j + 1 < c.end) {
            addInner(c, pfnHi + 1, c.lo[j + 1]);
        }
        refresh(pfnLo);
    }

    /** Puts the range after {@code p}'s last (room there): the successor leaf {@code c}'s first gap shrinks. */
    private void append(Leaf p, Leaf c, long pfnLo, long pfnHi, int w) {
        long prevHi = lastHi(p);
        int j = p.end++;
        p.lo[j] = pfnLo;
        p.len[j] = w;
        addInner(p, prevHi + 1, pfnLo);
        refresh(pfnLo);
        if (c != null) {
            c.gapLo = pfnHi + 1;
            refresh(c.first());
        }
    }

    /** Inserts the range at index {@code i} of {@code l} (between two of its ranges). */
    private void insertInside(Leaf l, int i, long pfnLo, long pfnHi, int w) {
        long g0 = hiAt(l, i - 1) + 1;
        long g1 = l.lo[i];
        dropInner(l, g0, g1);
        if (l.begin == 0 && l.end == B) {
            // Full: split where the range goes; the upper part moves to a new leaf at the same
            // indices, so both keep their room on the side where the allocator keeps adding.
            Leaf r = newLeaf(i);
            r.end = B;
            System.arraycopy(l.lo, i, r.lo, i, B - i);
            System.arraycopy(l.len, i, r.len, i, B - i);
            l.end = i;
            l.lo[i] = pfnLo;
            l.len[i] = w;
            l.end++;
            rescanInner(l);
            rescanInner(r);
            r.gapLo = pfnHi + 1;
            update(r);
            root = insertLeaf(root, r);
            refresh(pfnLo);
            return;
        }
        if (l.begin > 0 && (i - l.begin <= l.end - i || l.end == B)) {
            System.arraycopy(l.lo, l.begin, l.lo, l.begin - 1, i - l.begin);
            System.arraycopy(l.len, l.begin, l.len, l.begin - 1, i - l.begin);
            l.begin--;
            i--;
        } else {
            System.arraycopy(l.lo, i, l.lo, i + 1, l.end - i);
            System.arraycopy(l.len, i, l.len, i + 1, l.end - i);
            l.end++;
        }
        l.lo[i] = pfnLo;
        l.len[i] = w;
        if (rescan) {
            rescanInner(l);
        } else {
            addInner(l, g0, pfnLo);
            addInner(l, pfnHi + 1, g1);
        }
        refresh(pfnLo);
    }

    /** Moves the leaf's ranges to start at index {@code to} (making room on the other side). */
    private static void moveTo(Leaf l, int to) {
        int n = l.end - l.begin;
        System.arraycopy(l.lo, l.begin, l.lo, to, n);
        System.arraycopy(l.len, l.begin, l.len, to, n);
        l.begin = to;
        l.end = to + n;
    }

    /** Removes the range starting at {@code pfnLo} (it must exist); its gap joins the one above it. */
    void remove(long pfnLo) {
        Leaf l = root;
        while (l != null && !(pfnLo >= l.first() && pfnLo <= l.lo[l.end - 1])) {
            l = pfnLo < l.first() ? l.left : l.right;
        }
        int j = l == null ? -1 : floorIndex(l, pfnLo);
        if (l == null || l.lo[j] != pfnLo) {
            throw new IllegalStateException("IOVA tree lost the range at pfn 0x" + Long.toHexString(pfnLo));
        }
        long hi = hiAt(l, j);
        if ((l.len[j] & BIG) == BIG) {
            int b = bigIndex(pfnLo);
            bigCount--;
            bigLo[b] = bigLo[bigCount];
            bigHi[b] = bigHi[bigCount];
        }
        size--;
        rescan = false;
        long below = j > l.begin ? hiAt(l, j - 1) + 1 : l.gapLo;
        if (l.end - l.begin == 1) {
            // The leaf empties: it leaves the tree, its gap passes to the next leaf.
            root = removeLeaf(root, pfnLo);
            spare(l);
            Leaf n = firstLeafAbove(pfnLo);
            if (n != null) {
                n.gapLo = below;
                refresh(n.first());
            }
            return;
        }
        if (j == l.begin) {
            // The first gap takes in the inner gap above the range.
            dropInner(l, hi + 1, l.lo[j + 1]);
            l.begin++;
        } else if (j == l.end - 1) {
            // The inner gap below goes to the next leaf's first gap.
            dropInner(l, below, pfnLo);
            l.end--;
        } else {
            // Two inner gaps merge: the merged one covers both, so the summary only grows.
            long nextLo = l.lo[j + 1];
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
            addInner(l, below, nextLo);
        }
        if (rescan) {
            rescanInner(l);
        }
        refresh(l.first());
        if (j == l.end) { // the last range went
            Leaf n = firstLeafAbove(pfnLo);
            if (n != null) {
                n.gapLo = lastHi(l) + 1;
                refresh(n.first());
            }
        }
    }

    /** The leaf with the smallest first pfn above {@code pfn}, or null. */
    private Leaf firstLeafAbove(long pfn) {
        Leaf best = null;
        for (Leaf l = root; l != null; ) {
            if (l.first() > pfn) {
                best = l;
                l = l.left;
            } else {
                l = l.right;
            }
        }
        return best;
    }

    private Leaf newLeaf(int at) {
        Leaf l;
        if (spareCount > 0) {
            l = spares[--spareCount];
            spares[spareCount] = null;
        } else {
            l = new Leaf();
        }
        l.begin = at;
        l.end = at + 1;
        l.left = null;
        l.right = null;
        l.height = 1;
        l.innerGap = 0;
        l.innerOrder = -1;
        l.innerTail = Long.MIN_VALUE;
        return l;
    }

    private void spare(Leaf l) {
        l.left = null;
        l.right = null;
        if (spareCount < SPARES) {
            spares[spareCount++] = l;
        }
    }

    // ---- the AVL tree of leaves ------------------------------------------------------------

    /** Recomputes the summaries on the path to the leaf holding {@code pfn} (its first range's gap or its ranges changed). */
    private void refresh(long pfn) {
        refresh(root, pfn);
    }

    private void refresh(Leaf l, long pfn) {
        if (l == null) {
            return;
        }
        if (pfn < l.first()) {
            refresh(l.left, pfn);
        } else if (pfn > l.lo[l.end - 1]) {
            refresh(l.right, pfn);
        }
        update(l);
    }

    private Leaf insertLeaf(Leaf n, Leaf leaf) {
        if (n == null) {
            return leaf;
        }
        if (leaf.first() < n.first()) {
            n.left = insertLeaf(n.left, leaf);
        } else {
            n.right = insertLeaf(n.right, leaf);
        }
        return balance(n);
    }

    /** Removes the (emptied) leaf whose ranges began at {@code key}; other leaves compare by their first pfn. */
    private Leaf removeLeaf(Leaf n, long key) {
        if (n == null) {
            throw new IllegalStateException("IOVA tree lost a leaf at pfn 0x" + Long.toHexString(key));
        }
        boolean self = n.end - n.begin == 1 && n.lo[n.begin] == key;
        if (!self && key < n.first()) {
            n.left = removeLeaf(n.left, key);
            return balance(n);
        }
        if (!self) {
            n.right = removeLeaf(n.right, key);
            return balance(n);
        }
        if (n.left == null) {
            return n.right;
        }
        if (n.right == null) {
            return n.left;
        }
        Leaf s = n.right;
        while (s.left != null) {
            s = s.left;
        }
        s.right = removeMin(n.right);
        s.left = n.left;
        return balance(s);
    }

    private Leaf removeMin(Leaf n) {
        if (n.left == null) {
            return n.right;
        }
        n.left = removeMin(n.left);
        return balance(n);
    }

    private static int height(Leaf n) {
        return n == null ? 0 : n.height;
    }

    private Leaf balance(Leaf n) {
        int bf = height(n.left) - height(n.right);
        if (bf > 1) {
            if (height(n.left.left) < height(n.left.right)) {
                n.left = rotateLeft(n.left);
            }
            return rotateRight(n);
        }
        if (bf < -1) {
            if (height(n.right.right) < height(n.right.left)) {
                n.right = rotateRight(n.right);
            }
            return rotateLeft(n);
        }
        update(n);
        return n;
    }

    private Leaf rotateRight(Leaf n) {
        Leaf l = n.left;
        n.left = l.right;
        l.right = n;
        update(n);
        update(l);
        return l;
    }

    private Leaf rotateLeft(Leaf n) {
        Leaf r = n.right;
        n.right = r.left;
        r.left = n;
        update(n);
        update(r);
        return r;
    }

    /** Recomputes {@code n}'s height and subtree summaries from its first gap, its inner summary and its children's. */
    private static void update(Leaf n) {
        Leaf l = n.left;
        Leaf r = n.right;
        n.height = (byte) (1 + Math.max(height(l), height(r)));
        long g0 = n.gapLo;
        long g1 = n.lo[n.begin];
        long maxGap = g1 - g0;
        int order = fitOrder(g0, g1);
        long tail = order >= 0 ? tail(g0, g1, order) : Long.MIN_VALUE;
        n.maxGap = maxGap;
        n.maxFitOrder = (byte) order;
        n.maxTail = tail;
        absorb(n, n.innerGap, n.innerOrder, n.innerTail);
        if (l != null) {
            absorb(n, l.maxGap, l.maxFitOrder, l.maxTail);
        }
        if (r != null) {
            absorb(n, r.maxGap, r.maxFitOrder, r.maxTail);
        }
    }

    private static void absorb(Leaf n, long gap, byte order, long tail) {
        n.maxGap = Math.max(n.maxGap, gap);
        if (order > n.maxFitOrder) {
            n.maxFitOrder = order;
            n.maxTail = tail;
        } else if (order == n.maxFitOrder) {
            n.maxTail = Math.max(n.maxTail, tail);
        }
    }
}
