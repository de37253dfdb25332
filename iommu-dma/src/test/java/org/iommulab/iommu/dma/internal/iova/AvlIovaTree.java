package org.iommulab.iommu.dma.internal.iova;

import java.util.function.Consumer;

/*
 * The former implementation (one 64-byte node object per range in an augmented AVL tree), kept
 * in the test sources unchanged but for its names, as the reference the compact IovaTree must
 * agree with operation for operation (IovaTreeDifferentialTest).
 */
/**
 * The ranges of an IOVA domain in a balanced (AVL) binary tree keyed by {@code pfnLo}, the
 * structure Linux keeps in an rbtree ({@code iovad->rbroot}), augmented so that the highest
 * hole that fits a request below a limit is found in O(log n) with no linear walk.
 *
 * <p>Each node owns the gap below it ({@link AvlIovaNode#gapLo} up to its {@code pfnLo}); a
 * subtree's summaries ({@link AvlIovaNode#maxGap}, {@link AvlIovaNode#maxFitOrder},
 * {@link AvlIovaNode#maxTail}) tell exactly whether any gap in it can hold a request:
 * <ul>
 * <li>unaligned requests of {@code size} fit iff {@code maxGap >= size};</li>
 * <li>a request of {@code size} aligned to {@code 2^k = roundup_pow_of_two(size)} fits in a gap
 * iff the gap holds an aligned 2^k block, or it holds an aligned 2^(k-1) block at most and the
 * room after its first 2^k boundary is at least {@code size} (a fit of more than 2^(k-1)
 * granules at a 2^k boundary contains an aligned 2^(k-1) block, so nothing else can fit).</li>
 * </ul>
 * The search descends highest-first and enters a subtree wholly inside the bounds only when
 * its summary says a fit exists, so it visits O(height) nodes: the two bound paths plus one
 * successful descent. Not thread-safe: {@link AvlIovaDomain} holds the lock.
 */
final class AvlIovaTree {
    /** Returned by {@link #highestFit} when nothing fits. */
    static final long NO_FIT = -1L;

    private AvlIovaNode root;
    private int size;
    /** The node {@link #removeMin} unlinked (a field, so removal allocates nothing). */
    private AvlIovaNode removedMin;

    int size() {
        return size;
    }

    AvlIovaNode root() {
        return root;
    }

    // ---- lookups -----------------------------------------------------------------------------

    /** The node whose range contains {@code pfn}, Linux {@code private_find_iova}, or null. */
    AvlIovaNode find(long pfn) {
        AvlIovaNode n = root;
        while (n != null) {
            if (pfn < n.pfnLo) {
                n = n.left;
            } else if (pfn > n.pfnHi) {
                n = n.right;
            } else {
                return n;
            }
        }
        return null;
    }

    /** The node with the smallest {@code pfnLo > pfn}, or null. */
    AvlIovaNode firstAbove(long pfn) {
        AvlIovaNode n = root;
        AvlIovaNode best = null;
        while (n != null) {
            if (n.pfnLo > pfn) {
                best = n;
                n = n.left;
            } else {
                n = n.right;
            }
        }
        return best;
    }

    /** The node with the largest {@code pfnLo < pfn}, or null. */
    AvlIovaNode lastBelow(long pfn) {
        AvlIovaNode n = root;
        AvlIovaNode best = null;
        while (n != null) {
            if (n.pfnLo < pfn) {
                best = n;
                n = n.right;
            } else {
                n = n.left;
            }
        }
        return best;
    }

    /** Linux {@code rb_next}: the node after {@code n} in address order, or null. */
    AvlIovaNode next(AvlIovaNode n) {
        return firstAbove(n.pfnLo);
    }

    /** Visits every node in address order (tests and diagnostics; O(n)). */
    void forEach(Consumer<AvlIovaNode> action) {
        walk(root, action);
    }

    private static void walk(AvlIovaNode n, Consumer<AvlIovaNode> action) {
        if (n == null) {
            return;
        }
        walk(n.left, action);
        action.accept(n);
        walk(n.right, action);
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
        // The whole tree's gaps begin at 0 (the lowest node's gap starts there).
        return search(root, 0, Long.MAX_VALUE, low, high, size, alignOrder, aligned, mask);
    }

    /**
     * {@code [spanLo, spanHi)} holds every gap of {@code n}'s subtree: passed down rather than
     * stored in the nodes. Exact at the low end (a right subtree's gaps begin at its parent's
     * {@code pfnHi + 1}); at the high end a left subtree is bounded by its parent's
     * {@code gapLo}, which lies above the subtree's last gap by the predecessor's own range. A
     * wider span only prunes less and calls fewer subtrees "inside", never wrongly.
     */
    private static long search(AvlIovaNode n, long spanLo, long spanHi, long low, long high, long size, int k,
            boolean aligned, long mask) {
        if (n == null || spanHi <= low || spanLo >= high) {
            return NO_FIT;
        }
        boolean inside = spanLo >= low && spanHi <= high;
        if (inside && !fits(n, size, k, aligned)) {
            return NO_FIT;
        }
        long r = search(n.right, n.pfnHi + 1, spanHi, low, high, size, k, aligned, mask);
        if (r != NO_FIT) {
            return r;
        }
        long g0 = Math.max(n.gapLo, low);
        long g1 = Math.min(n.pfnLo, high);
        if (g1 - g0 >= size) {
            long x = (g1 - size) & mask;
            if (x >= g0) {
                return x;
            }
        }
        return search(n.left, spanLo, n.gapLo, low, high, size, k, aligned, mask);
    }

    /** Whether some gap in {@code n}'s subtree holds the request (exact, see the class comment). */
    static boolean fits(AvlIovaNode n, long size, int k, boolean aligned) {
        if (!aligned) {
            return n.maxGap >= size;
        }
        return n.maxFitOrder >= k || (n.maxFitOrder == k - 1 && n.maxTail >= size);
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

    // ---- updates -----------------------------------------------------------------------------

    /**
     * Inserts {@code node}, which must not overlap any range, and fixes the gaps it splits: its
     * own (from the predecessor) and its successor's (now starting above {@code node}).
     */
    void insert(AvlIovaNode node) {
        AvlIovaNode pred = lastBelow(node.pfnLo);
        AvlIovaNode succ = firstAbove(node.pfnLo);
        node.gapLo = pred == null ? 0 : pred.pfnHi + 1;
        node.left = null;
        node.right = null;
        node.height = 1;
        update(node);
        root = insert(root, node);
        size++;
        if (succ != null) {
            succ.gapLo = node.pfnHi + 1;
            refresh(root, succ.pfnLo);
        }
    }

    /** Removes {@code node}; its gap joins its successor's. */
    void remove(AvlIovaNode node) {
        AvlIovaNode succ = firstAbove(node.pfnLo);
        root = remove(root, node.pfnLo);
        size--;
        if (succ != null) {
            succ.gapLo = node.gapLo;
            refresh(root, succ.pfnLo);
        }
        node.left = null;
        node.right = null;
    }

    private static AvlIovaNode insert(AvlIovaNode n, AvlIovaNode node) {
        if (n == null) {
            return node;
        }
        if (node.pfnLo < n.pfnLo) {
            n.left = insert(n.left, node);
        } else {
            n.right = insert(n.right, node);
        }
        return balance(n);
    }

    private AvlIovaNode remove(AvlIovaNode n, long pfnLo) {
        if (n == null) {
            throw new IllegalStateException("IOVA tree lost node at pfn 0x" + Long.toHexString(pfnLo));
        }
        if (pfnLo < n.pfnLo) {
            n.left = remove(n.left, pfnLo);
            return balance(n);
        }
        if (pfnLo > n.pfnLo) {
            n.right = remove(n.right, pfnLo);
            return balance(n);
        }
        if (n.left == null) {
            return n.right;
        }
        if (n.right == null) {
            return n.left;
        }
        // Two children: the successor (leftmost of the right subtree) takes n's place, keeping
        // node identity (AvlIovaDomain's cached nodes point at nodes, as Linux's do).
        AvlIovaNode rest = removeMin(n.right);
        AvlIovaNode s = removedMin;
        removedMin = null;
        s.left = n.left;
        s.right = rest;
        return balance(s);
    }

    private AvlIovaNode removeMin(AvlIovaNode n) {
        if (n.left == null) {
            removedMin = n;
            return n.right;
        }
        n.left = removeMin(n.left);
        return balance(n);
    }

    /** Recomputes the summaries on the path to the node at {@code pfnLo} (its gap changed). */
    private static void refresh(AvlIovaNode n, long pfnLo) {
        if (n == null) {
            return;
        }
        if (pfnLo < n.pfnLo) {
            refresh(n.left, pfnLo);
        } else if (pfnLo > n.pfnLo) {
            refresh(n.right, pfnLo);
        }
        update(n);
    }

    private static int height(AvlIovaNode n) {
        return n == null ? 0 : n.height;
    }

    private static AvlIovaNode balance(AvlIovaNode n) {
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

    private static AvlIovaNode rotateRight(AvlIovaNode n) {
        AvlIovaNode l = n.left;
        n.left = l.right;
        l.right = n;
        update(n);
        update(l);
        return l;
    }

    private static AvlIovaNode rotateLeft(AvlIovaNode n) {
        AvlIovaNode r = n.right;
        n.right = r.left;
        r.left = n;
        update(n);
        update(r);
        return r;
    }

    /** Recomputes {@code n}'s height and gap summaries from its own gap and its children's. */
    static void update(AvlIovaNode n) {
        AvlIovaNode l = n.left;
        AvlIovaNode r = n.right;
        n.height = (byte) (1 + Math.max(height(l), height(r)));
        long maxGap = n.pfnLo - n.gapLo;
        int order = fitOrder(n.gapLo, n.pfnLo);
        long tail = order >= 0 ? tail(n.gapLo, n.pfnLo, order) : Long.MIN_VALUE;
        n.maxGap = maxGap;
        n.maxFitOrder = (byte) order;
        n.maxTail = tail;
        if (l != null) {
            absorb(n, l);
        }
        if (r != null) {
            absorb(n, r);
        }
    }

    private static void absorb(AvlIovaNode n, AvlIovaNode c) {
        n.maxGap = Math.max(n.maxGap, c.maxGap);
        if (c.maxFitOrder > n.maxFitOrder) {
            n.maxFitOrder = c.maxFitOrder;
            n.maxTail = c.maxTail;
        } else if (c.maxFitOrder == n.maxFitOrder) {
            n.maxTail = Math.max(n.maxTail, c.maxTail);
        }
    }
}
