package org.iommulab.iommu.dma.internal.iova;

/**
 * One leaf of an {@link IovaTree}: ranges {@code [begin, end)} of its arrays, sorted by address,
 * a node of the AVL tree of leaves ({@link IovaLeafAvl}) and the summaries of its gaps (see
 * {@link IovaTree}'s class comment).
 *
 * <p>The inner summary (of the gaps between the leaf's ranges) is kept here in O(1) for the
 * allocator's usual moves: gaps split off the first gap or merge, which only add to the summary
 * ({@link #addInner}); only a removed or split inner gap that held a maximum
 * ({@link #dropInner} says so) makes the leaf rescan its {@value #B} entries ({@link #rescanInner}).
 */
final class IovaLeaf {
    /** Ranges per leaf. */
    static final int B = 128;
    /** Bit of {@link #len} marking a reserved range. */
    static final int RESERVED = 0x8000_0000;
    /** {@link #len} value (reserved bit aside) of a range too long for 31 bits: its pfnHi is in {@link IovaBigRanges}. */
    static final int BIG = 0x7FFF_FFFF;

    final long[] lo = new long[B];
    /** {@code pfnHi - pfnLo} (or {@link #BIG}), with {@link #RESERVED}. */
    final int[] len = new int[B];
    int begin;
    int end;
    IovaLeaf left;
    IovaLeaf right;
    /** AVL height. */
    byte height = 1;
    /** Linked into the tree (false once removed, while spare), so that a remembered leaf can be trusted. */
    boolean inTree;
    /** First free pfn of the gap below {@code lo[begin]}: the previous leaf's last pfnHi + 1, or 0. */
    long gapLo;

    /** Summary of the inner gaps (between this leaf's ranges). */
    long innerGap;
    byte innerOrder = -1;
    long innerTail = Long.MIN_VALUE;
    /**
     * How many inner gaps are non-empty. When the last one goes the summary is known to be empty
     * with no rescan: a leaf of back-to-back ranges with one big request's alignment hole, the
     * common case under a steady load of large requests, would otherwise rescan on every free.
     */
    int innerCount;

    /**
     * Summary of the leaf's own gaps (its first gap and the inner ones), kept so that a change
     * elsewhere in the tree recomputes this leaf's subtree summary from stored maxima alone
     * ({@link IovaLeafAvl#update}); recomputed when the leaf's own gaps change
     * ({@link IovaLeafAvl#updateOwn}).
     */
    long ownGap;
    byte ownOrder = -1;
    long ownTail = Long.MIN_VALUE;

    /** Summary of every gap in the subtree (see {@link IovaTree}'s class comment). */
    long maxGap;
    byte maxFitOrder = -1;
    long maxTail = Long.MIN_VALUE;

    long first() {
        return lo[begin];
    }

    /** Last pfn of the range at index {@code j}. */
    long hiAt(int j, IovaBigRanges big) {
        int s = len[j] & BIG;
        return s != BIG ? lo[j] + s : big.hiOf(lo[j]);
    }

    long lastHi(IovaBigRanges big) {
        return hiAt(end - 1, big);
    }

    /** Makes this (new or spare) leaf hold one slot, index {@code at}, and no tree links or inner gaps. */
    void reset(int at) {
        begin = at;
        end = at + 1;
        left = null;
        right = null;
        height = 1;
        innerGap = 0;
        innerOrder = -1;
        innerTail = Long.MIN_VALUE;
        innerCount = 0;
    }

    /** Largest index j in the leaf with {@code lo[j] <= pfn}, or {@code begin - 1}. */
    static int floorIndex(IovaLeaf l, long pfn) {
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

    /**
     * Makes room for a range at index {@code i} (before the range now there), shifting the
     * shorter side when there is room at the front, and returns the index the new range takes;
     * {@link #begin} or {@link #end} moves by one. The leaf must have room (not both
     * {@code begin == 0} and {@code end == B}).
     */
    int openSlot(int i) {
        if (begin > 0 && (i - begin <= end - i || end == B)) {
            System.arraycopy(lo, begin, lo, begin - 1, i - begin);
            System.arraycopy(len, begin, len, begin - 1, i - begin);
            begin--;
            return i - 1;
        }
        System.arraycopy(lo, i, lo, i + 1, end - i);
        System.arraycopy(len, i, len, i + 1, end - i);
        end++;
        return i;
    }

    /** Moves the leaf's ranges to start at index {@code to} (making room on the other side). */
    void moveTo(int to) {
        int n = end - begin;
        System.arraycopy(lo, begin, lo, to, n);
        System.arraycopy(len, begin, len, to, n);
        begin = to;
        end = to + n;
    }

    // ---- inner summaries -------------------------------------------------------------------

    /** Adds the gap {@code [g0, g1)} to the leaf's inner summary. */
    void addInner(long g0, long g1) {
        long gap = g1 - g0;
        if (gap <= 0) {
            return;
        }
        innerCount++;
        if (gap > innerGap) {
            innerGap = gap;
        }
        int order = IovaGapFit.fitOrder(g0, g1);
        long t = IovaGapFit.tail(g0, g1, order);
        if (order > innerOrder) {
            innerOrder = (byte) order;
            innerTail = t;
        } else if (order == innerOrder && t > innerTail) {
            innerTail = t;
        }
    }

    /**
     * The inner gap {@code [g0, g1)} goes (split or merged away): true when it held a maximum of
     * the inner summary, so that a {@link #rescanInner} is due. Every inner gap that goes is
     * told here (its caller may ignore the answer when what replaces it covers it).
     */
    boolean dropInner(long g0, long g1) {
        long gap = g1 - g0;
        if (gap <= 0) {
            return false;
        }
        if (--innerCount == 0) {
            // It was the only one: the summary is empty.
            innerGap = 0;
            innerOrder = -1;
            innerTail = Long.MIN_VALUE;
            return false;
        }
        int order = IovaGapFit.fitOrder(g0, g1);
        return gap >= innerGap || order > innerOrder
                || order == innerOrder && IovaGapFit.tail(g0, g1, order) >= innerTail;
    }

    /** Recomputes the leaf's inner summary from its ranges (O(B)). */
    void rescanInner(IovaBigRanges big) {
        innerGap = 0;
        innerOrder = -1;
        innerTail = Long.MIN_VALUE;
        innerCount = 0;
        long prevHi = hiAt(begin, big);
        for (int j = begin + 1; j < end; j++) {
            addInner(prevHi + 1, lo[j]);
            prevHi = hiAt(j, big);
        }
    }
}
