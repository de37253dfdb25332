package org.iommulab.iommu.dma.internal.iova;

/**
 * The balanced (AVL) binary tree of an {@link IovaTree}'s leaves, ordered by address (a leaf's
 * first pfn) and augmented: every leaf keeps the summary of the gaps of its subtree, recomputed
 * on the way back up from each change ({@link #update}), so that the highest-fit search
 * ({@link IovaHighestFit}) prunes whole subtrees. Static helpers on {@link IovaLeaf} nodes: the
 * caller keeps the root.
 */
final class IovaLeafAvl {
    private IovaLeafAvl() {
    }

    /**
     * Recomputes the summaries of {@code path[0 .. depth)}, a root-to-leaf path whose last leaf's
     * own gaps changed (its first range's gap or its ranges), bottom up. Every summary off that
     * path is current (each change to a leaf is followed by its refresh), so once a leaf's
     * subtree summary comes out as it was, its ancestors' stay as they are and are not
     * recomputed.
     */
    static void refreshPath(IovaLeaf[] path, int depth) {
        IovaLeaf l = path[depth - 1];
        long gap = l.maxGap;
        byte order = l.maxFitOrder;
        long tail = l.maxTail;
        updateOwn(l);
        for (int i = depth - 2; i >= 0; i--) {
            if (l.maxGap == gap && l.maxFitOrder == order && l.maxTail == tail) {
                return;
            }
            l = path[i];
            gap = l.maxGap;
            order = l.maxFitOrder;
            tail = l.maxTail;
            updateSummary(l); // the links did not change: the heights stand
        }
    }

    /** Adds {@code leaf} to the subtree {@code n}; returns the subtree's new root. */
    static IovaLeaf insertLeaf(IovaLeaf n, IovaLeaf leaf) {
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
    static IovaLeaf removeLeaf(IovaLeaf n, long key) {
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
        IovaLeaf s = n.right;
        while (s.left != null) {
            s = s.left;
        }
        s.right = removeMin(n.right);
        s.left = n.left;
        return balance(s);
    }

    private static IovaLeaf removeMin(IovaLeaf n) {
        if (n.left == null) {
            return n.right;
        }
        n.left = removeMin(n.left);
        return balance(n);
    }

    private static int height(IovaLeaf n) {
        return n == null ? 0 : n.height;
    }

    private static IovaLeaf balance(IovaLeaf n) {
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

    private static IovaLeaf rotateRight(IovaLeaf n) {
        IovaLeaf l = n.left;
        n.left = l.right;
        l.right = n;
        update(n);
        update(l);
        return l;
    }

    private static IovaLeaf rotateLeft(IovaLeaf n) {
        IovaLeaf r = n.right;
        n.right = r.left;
        r.left = n;
        update(n);
        update(r);
        return r;
    }

    /** Recomputes {@code n}'s own summary (its first gap's and its inner gaps'), then {@link #update}. */
    static void updateOwn(IovaLeaf n) {
        long g0 = n.gapLo;
        long g1 = n.lo[n.begin];
        int order = IovaGapFit.fitOrder(g0, g1);
        long gap = g1 - g0;
        long tail = order >= 0 ? IovaGapFit.tail(g0, g1, order) : Long.MIN_VALUE;
        long ig = n.innerGap;
        byte io = n.innerOrder;
        long it = n.innerTail;
        n.ownGap = Math.max(gap, ig);
        if (io > order) {
            n.ownOrder = io;
            n.ownTail = it;
        } else {
            n.ownOrder = (byte) order;
            n.ownTail = io == order ? Math.max(tail, it) : tail;
        }
        update(n);
    }

    /** Recomputes {@code n}'s height and subtree summaries from its own summary and its children's. */
    static void update(IovaLeaf n) {
        n.height = (byte) (1 + Math.max(height(n.left), height(n.right)));
        updateSummary(n);
    }

    /** {@link #update} without the height, for a path whose links did not change. */
    private static void updateSummary(IovaLeaf n) {
        IovaLeaf l = n.left;
        IovaLeaf r = n.right;
        n.maxGap = n.ownGap;
        n.maxFitOrder = n.ownOrder;
        n.maxTail = n.ownTail;
        if (l != null) {
            absorb(n, l.maxGap, l.maxFitOrder, l.maxTail);
        }
        if (r != null) {
            absorb(n, r.maxGap, r.maxFitOrder, r.maxTail);
        }
    }

    private static void absorb(IovaLeaf n, long gap, byte order, long tail) {
        n.maxGap = Math.max(n.maxGap, gap);
        if (order > n.maxFitOrder) {
            n.maxFitOrder = order;
            n.maxTail = tail;
        } else if (order == n.maxFitOrder) {
            n.maxTail = Math.max(n.maxTail, tail);
        }
    }

    /** Tells {@code v} every range of {@code l}'s subtree in address order (O(n)). */
    static void walk(IovaLeaf l, IovaBigRanges big, IovaRangeVisitor v) {
        if (l == null) {
            return;
        }
        walk(l.left, big, v);
        for (int j = l.begin; j < l.end; j++) {
            v.visit(l.lo[j], l.hiAt(j, big), (l.len[j] & IovaLeaf.RESERVED) != 0);
        }
        walk(l.right, big, v);
    }

    /** Leaves in {@code l}'s subtree. */
    static int count(IovaLeaf l) {
        return l == null ? 0 : 1 + count(l.left) + count(l.right);
    }
}
