package org.iommulab.platform.internal.checker;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.platform.internal.util.LongKeyMap;

/**
 * The CPU-side ranges of a device's live streaming mappings, indexed by physical page so that a
 * CPU access finds the mappings it touches with one hash lookup per page it covers. A range is
 * recorded as one node in each page it covers; the nodes of one owner are chained so they can
 * all be dropped at unmap. Nodes come from a pool that only grows past its high-water mark, and
 * keys are primitive, so the steady state allocates nothing. Not thread-safe: the device's
 * mapping table lock guards it.
 *
 * @param <T> what owns the ranges (a device's live-mapping table, or an sg table's entries)
 */
public final class PhysRangeIndex<T> {
    private static final int SHIFT = PageAllocator.PAGE_SHIFT;

    /** One range's share of one page. */
    public static final class Node<T> {
        long page;
        long start;
        long end;
        T owner;
        /** Which of the owner's entries the range is (a live-mapping handle), or -1. */
        int id;
        Node<T> nextInPage;
        Node<T> nextOfOwner;

        /** First byte of the range (not only of this page's share). */
        public long start() {
            return start;
        }

        /** End (exclusive) of the range. */
        public long end() {
            return end;
        }

        public T owner() {
            return owner;
        }

        /** The id given with the range ({@link #add(long, long, Object, int, Node)}), or -1. */
        public int id() {
            return id;
        }

        /** The next node in the same page, or null. */
        public Node<T> nextInPage() {
            return nextInPage;
        }
    }

    private final LongKeyMap<Node<T>> pages = new LongKeyMap<>(256);
    private Node<T> free;
    private int nodes;

    /**
     * Records {@code [start, end)} for {@code owner} and returns the owner's new chain: the
     * nodes added, then {@code chain}.
     */
    public Node<T> add(long start, long end, T owner, Node<T> chain) {
        return add(start, end, owner, -1, chain);
    }

    /**
     * Records {@code [start, end)} for entry {@code id} of {@code owner} (an entry that is no
     * object, such as a live-mapping handle) and returns the entry's new chain.
     */
    public Node<T> add(long start, long end, T owner, int id, Node<T> chain) {
        Node<T> head = chain;
        for (long p = start >>> SHIFT, last = (end - 1) >>> SHIFT; p <= last; p++) {
            Node<T> n = take();
            n.page = p;
            n.start = start;
            n.end = end;
            n.owner = owner;
            n.id = id;
            n.nextInPage = pages.put(p, n); // one probe: put returns the page's old first node
            n.nextOfOwner = head;
            head = n;
        }
        return head;
    }

    /** Drops every node of an owner's chain. */
    public void removeChain(Node<T> chain) {
        Node<T> n = chain;
        while (n != null) {
            Node<T> next = n.nextOfOwner;
            unlink(n);
            n.owner = null;
            n.id = -1;
            n.nextInPage = null;
            n.nextOfOwner = free;
            free = n;
            n = next;
        }
    }

    /**
     * Drops the nodes of entry {@code id} of {@code owner} that {@link #add(long, long, Object, int, Node)}
     * recorded for {@code [start, end)}, one per page, found in each page's list: an owner whose
     * ranges cannot change (a single mapping's) needs to keep no chain.
     *
     * @throws IllegalStateException when a page holds no such node
     */
    public void removeRange(long start, long end, T owner, int id) {
        for (long p = start >>> SHIFT, last = (end - 1) >>> SHIFT; p <= last; p++) {
            int slot = pages.find(p);
            Node<T> prev = null;
            Node<T> n = pages.valueAt(slot);
            while (n != null && (n.owner != owner || n.id != id || n.start != start || n.end != end)) {
                prev = n;
                n = n.nextInPage;
            }
            if (n == null) {
                throw new IllegalStateException("range [0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end)
                        + ") of entry " + id + " is not indexed in page 0x" + Long.toHexString(p));
            }
            if (prev != null) {
                prev.nextInPage = n.nextInPage;
            } else if (n.nextInPage == null) {
                pages.removeAt(slot);
            } else {
                pages.setAt(slot, n.nextInPage);
            }
            n.owner = null;
            n.id = -1;
            n.nextInPage = null;
            n.nextOfOwner = free;
            free = n;
        }
    }

    /** The first node in physical page {@code page}, or null. */
    public Node<T> first(long page) {
        return pages.get(page);
    }

    /** Nodes in use now (tests, diagnostics). */
    public int nodesInUse() {
        int free = 0;
        for (Node<T> n = this.free; n != null; n = n.nextOfOwner) {
            free++;
        }
        return nodes - free;
    }

    private void unlink(Node<T> n) {
        int slot = pages.find(n.page); // one probe for the common case, n first in its page
        Node<T> h = pages.valueAt(slot);
        if (h == n) {
            if (n.nextInPage == null) {
                pages.removeAt(slot);
            } else {
                pages.setAt(slot, n.nextInPage);
            }
            return;
        }
        while (h != null && h.nextInPage != n) {
            h = h.nextInPage;
        }
        if (h == null) {
            throw new IllegalStateException("range node of page 0x" + Long.toHexString(n.page) + " is not indexed");
        }
        h.nextInPage = n.nextInPage;
    }

    private Node<T> take() {
        Node<T> n = free;
        if (n == null) {
            for (int i = 0; i < 64; i++) {
                Node<T> fresh = new Node<>();
                fresh.nextOfOwner = free;
                free = fresh;
            }
            nodes += 64;
            n = free;
        }
        free = n.nextOfOwner;
        n.nextOfOwner = null;
        return n;
    }
}
