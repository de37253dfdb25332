package org.iommulab.modelkit.tlb;

/** {@link ReplacementPolicy#random(long)}: SplitMix64 (Steele, Lea, Flood 2014), one stream per TLB. */
final class RandomPolicy implements ReplacementPolicy {
    private final int ways;
    private long state;

    RandomPolicy(int sets, int ways, long seed) {
        this.ways = ways;
        this.state = seed;
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
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return set * ways + (int) Long.remainderUnsigned(z, ways);
    }
}
