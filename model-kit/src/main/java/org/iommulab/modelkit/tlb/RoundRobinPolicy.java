package org.iommulab.modelkit.tlb;

/** {@link ReplacementPolicy#roundRobin()}: a victim pointer per set. */
final class RoundRobinPolicy implements ReplacementPolicy {
    private final int ways;
    private final int[] next;

    RoundRobinPolicy(int sets, int ways) {
        this.ways = ways;
        this.next = new int[sets];
    }

    @Override
    public void filled(int slot) {
    }

    @Override
    public void used(int slot) {
    }

    @Override
    public void removed(int slot) {
    }

    @Override
    public int victim(int set) {
        int way = next[set];
        next[set] = way + 1 == ways ? 0 : way + 1;
        return set * ways + way;
    }
}
