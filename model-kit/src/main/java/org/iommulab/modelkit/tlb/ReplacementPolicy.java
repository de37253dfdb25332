package org.iommulab.modelkit.tlb;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Which entry of a full set an {@link Iotlb} gives up for a new one. The TLB tells the policy
 * what happens to its slots (filled, used by a hit, removed) and asks it for a victim only
 * when the set a fill maps to has no free slot; a free slot is always taken first (the lowest
 * one of the set). Slots are numbered {@code set * ways + way}.
 *
 * <p>Built-in policies, all deterministic (simulated behaviour never reads host randomness or
 * time): {@link #roundRobin()}, {@link #fifo()}, {@link #lru()}, {@link #clock()} and
 * {@link #random(long)} with a seed. A model may supply its own: implement this interface and
 * pass a {@link Factory}.
 *
 * <p>Thread safety: an instance belongs to the one TLB its factory built it for and is called
 * only from that TLB's methods, under whatever lock the model holds for the TLB; it needs no
 * synchronisation of its own. Calls happen on a model's hot paths: they must not allocate.
 */
@ConsumerType
public interface ReplacementPolicy {
    /** Slot {@code slot} now holds a new entry. */
    void filled(int slot);

    /** The entry in {@code slot} was hit by a lookup, or refilled with the same key. */
    void used(int slot);

    /** The entry in {@code slot} was invalidated or evicted; the slot is free. */
    void removed(int slot);

    /**
     * The slot to evict from the full set {@code set}: one of {@code set * ways} to
     * {@code set * ways + ways - 1}, all of which hold entries.
     */
    int victim(int set);

    /**
     * Builds the policy of one TLB of {@code sets} sets of {@code ways} slots. Called once per
     * TLB, at its construction, on the constructing thread; the built-in factories are
     * stateless and may be shared between threads.
     */
    @ConsumerType
    @FunctionalInterface
    interface Factory {
        ReplacementPolicy create(int sets, int ways);
    }

    /**
     * Round robin: each set's victim pointer moves on by one way per eviction, whatever was
     * used (the MMU-500-style TLB of the SMMUv2 model, and its walk cache).
     */
    static Factory roundRobin() {
        return RoundRobinPolicy::new;
    }

    /** First in, first out: the entry filled longest ago goes; hits do not matter. */
    static Factory fifo() {
        return (sets, ways) -> new OrderPolicy(sets, ways, false);
    }

    /** Least recently used: the entry neither filled nor hit for longest goes. */
    static Factory lru() {
        return (sets, ways) -> new OrderPolicy(sets, ways, true);
    }

    /**
     * CLOCK (second chance): a hand sweeps the set, clearing each entry's referenced bit (set by
     * a fill or a hit) and evicting the first entry found without it (the SMMUv3 model's IOTLB).
     */
    static Factory clock() {
        return ClockPolicy::new;
    }

    /**
     * A uniformly chosen way, from a generator seeded with {@code seed} (SplitMix64): the same
     * seed and the same sequence of evictions give the same victims.
     */
    static Factory random(long seed) {
        return (sets, ways) -> new RandomPolicy(sets, ways, seed);
    }
}
