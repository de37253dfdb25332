package org.iommulab.devices;

/**
 * How long and how big a workload run is. Immutable.
 *
 * <ul>
 * <li>{@code rounds}: how many times the workload repeats its pattern (at least 1);</li>
 * <li>{@code size}: the workload's characteristic transfer size in bytes (a packet payload, a
 * block request, a frame, an MMC request), or 0 for the workload's own default; each workload
 * says how it reads it and rejects sizes it cannot use with {@link IllegalArgumentException};</li>
 * <li>{@code seed}: seeds the pseudo-random sizes, offsets and data, so a run can be repeated.</li>
 * </ul>
 */
public final class WorkloadParams {
    /** 16 rounds of each workload's default size, seed 1. */
    public static final WorkloadParams DEFAULT = new WorkloadParams(16, 0, 1);

    private final int rounds;
    private final long size;
    private final long seed;

    /** @throws IllegalArgumentException for rounds below 1 or a negative size */
    public WorkloadParams(int rounds, long size, long seed) {
        if (rounds < 1) {
            throw new IllegalArgumentException("a workload needs at least 1 round, got " + rounds);
        }
        if (size < 0) {
            throw new IllegalArgumentException("workload size must be 0 (the default) or positive, got " + size);
        }
        this.rounds = rounds;
        this.size = size;
        this.seed = seed;
    }

    public int rounds() {
        return rounds;
    }

    /** The requested size in bytes, 0 for the workload's default. */
    public long size() {
        return size;
    }

    /** {@link #size()}, or {@code dflt} when it is 0. */
    public long sizeOr(long dflt) {
        return size == 0 ? dflt : size;
    }

    public long seed() {
        return seed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkloadParams && ((WorkloadParams) o).rounds == rounds && ((WorkloadParams) o).size == size
                && ((WorkloadParams) o).seed == seed;
    }

    @Override
    public int hashCode() {
        return (Integer.hashCode(rounds) * 31 + Long.hashCode(size)) * 31 + Long.hashCode(seed);
    }

    @Override
    public String toString() {
        return "rounds=" + rounds + " size=" + (size == 0 ? "default" : Long.toString(size)) + " seed=" + seed;
    }
}
