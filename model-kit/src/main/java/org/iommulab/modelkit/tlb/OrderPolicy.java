package org.iommulab.modelkit.tlb;

/**
 * {@link ReplacementPolicy#fifo()} and {@link ReplacementPolicy#lru()}: each set's entries in a
 * doubly linked list, oldest first, with a sentinel node per set after the slots. FIFO appends
 * on fill only; LRU also moves an entry to the end when it is used. Every operation is O(1).
 */
final class OrderPolicy implements ReplacementPolicy {
    private final int ways;
    private final int slots;
    private final boolean moveOnUse;
    private final int[] prev;
    private final int[] next;

    OrderPolicy(int sets, int ways, boolean moveOnUse) {
        this.ways = ways;
        this.slots = sets * ways;
        this.moveOnUse = moveOnUse;
        prev = new int[slots + sets];
        next = new int[slots + sets];
        for (int s = 0; s < sets; s++) {
            int sentinel = slots + s;
            prev[sentinel] = sentinel;
            next[sentinel] = sentinel;
        }
        for (int i = 0; i < slots; i++) {
            prev[i] = -1;
            next[i] = -1;
        }
    }

    @Override
    public void filled(int slot) {
        append(slot);
    }

    @Override
    public void used(int slot) {
        if (moveOnUse && next[slot] >= 0) {
            unlink(slot);
            append(slot);
        }
    }

    @Override
    public void removed(int slot) {
        if (next[slot] >= 0) {
            unlink(slot);
        }
    }

    @Override
    public int victim(int set) {
        int first = next[slots + set];
        if (first >= slots) {
            throw new IllegalStateException("victim asked of empty set " + set);
        }
        return first;
    }

    private void append(int slot) {
        int sentinel = slots + slot / ways;
        int last = prev[sentinel];
        next[last] = slot;
        prev[slot] = last;
        next[slot] = sentinel;
        prev[sentinel] = slot;
    }

    private void unlink(int slot) {
        next[prev[slot]] = next[slot];
        prev[next[slot]] = prev[slot];
        prev[slot] = -1;
        next[slot] = -1;
    }
}
