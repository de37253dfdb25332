package org.iommulab.modelkit.tlb;

/**
 * {@link ReplacementPolicy#clock()}: a referenced bit per slot and a hand per set. A full sweep
 * clears every bit, so the second pass always finds a victim: at most {@code ways + 1} steps.
 */
final class ClockPolicy implements ReplacementPolicy {
    private final int ways;
    private final boolean[] referenced;
    private final int[] hand;

    ClockPolicy(int sets, int ways) {
        this.ways = ways;
        this.referenced = new boolean[sets * ways];
        this.hand = new int[sets];
    }

    @Override
    public void filled(int slot) {
        referenced[slot] = true;
    }

    @Override
    public void used(int slot) {
        referenced[slot] = true;
    }

    @Override
    public void removed(int slot) {
        referenced[slot] = false;
    }

    @Override
    public int victim(int set) {
        int base = set * ways;
        while (true) {
            int way = hand[set];
            hand[set] = way + 1 == ways ? 0 : way + 1;
            if (!referenced[base + way]) {
                return base + way;
            }
            referenced[base + way] = false;
        }
    }
}
