package org.iommulab.app.internal.soak;

import java.util.List;

/**
 * What one soak run does: how many swaps, from which seed, how long one operation may take
 * before it counts as a deadlock, how often a backend bundle is stopped and started, and how
 * big each workload run is. Immutable.
 *
 * @param swaps device moves to reach (binds and moves caused by bundle stop/start together), at least 1
 * @param seed seeds every random choice of the soak (devices, backends, bundles, workload seeds)
 * @param operationBoundMillis how long one bind, bundle stop or bundle start may take, and how
 *        long a workload loop may take to end; past it the soak stops as deadlocked, with a thread
 *        dump (far above what an operation that works takes: milliseconds)
 * @param bounceEvery on average one operation in this many is a bundle stop/start instead of a
 *        bind; 0 for binds only
 * @param rounds rounds of every workload run (the workloads' own default sizes)
 * @param progressMillis how often a progress line is printed (host wall time), 0 for never
 * @param bundles symbolic names of the backend bundles the soak may stop and start; those not
 *        installed are left out
 * @param without names of backends to leave out: the bundle registering each (its IOMMU driver,
 *        or else the backend service itself) is stopped for the soak and started again after it,
 *        so that no device reaches that backend by any path
 */
public record SoakSettings(long swaps, long seed, long operationBoundMillis, int bounceEvery, int rounds, long progressMillis,
        List<String> bundles, List<String> without) {

    /** The backend bundles of the application: every model, iommu-dma (all IOMMU backends at once) and swiotlb-bounce. */
    public static final List<String> BACKEND_BUNDLES = List.of("org.iommulab.iommu.generic", "org.iommulab.smmu.v2",
            "org.iommulab.smmu.v3", "org.iommulab.iommu.dma", "org.iommulab.swiotlb");

    /** Far above a working swap (milliseconds) and above three times the platform's default release bound (5 s). */
    public static final long DEFAULT_OPERATION_BOUND_MILLIS = 30_000;
    /** About one operation in 20 stops and starts a backend bundle, moving every device on it twice. */
    public static final int DEFAULT_BOUNCE_EVERY = 20;
    public static final int DEFAULT_ROUNDS = 2;
    public static final long DEFAULT_PROGRESS_MILLIS = 5_000;

    public SoakSettings {
        if (swaps < 1) {
            throw new IllegalArgumentException("a soak needs at least 1 swap, got " + swaps);
        }
        if (operationBoundMillis < 1) {
            throw new IllegalArgumentException("the operation bound must be positive, got " + operationBoundMillis + " ms");
        }
        if (bounceEvery < 0) {
            throw new IllegalArgumentException("bounceEvery must be 0 (never) or positive, got " + bounceEvery);
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("a workload run needs at least 1 round, got " + rounds);
        }
        if (progressMillis < 0) {
            throw new IllegalArgumentException("progressMillis must be 0 (never) or positive, got " + progressMillis);
        }
        bundles = List.copyOf(bundles);
        without = List.copyOf(without);
    }

    /** The defaults for {@code swaps} swaps from {@code seed}. */
    public static SoakSettings of(long swaps, long seed) {
        return new SoakSettings(swaps, seed, DEFAULT_OPERATION_BOUND_MILLIS, DEFAULT_BOUNCE_EVERY, DEFAULT_ROUNDS,
                DEFAULT_PROGRESS_MILLIS, BACKEND_BUNDLES, List.of());
    }

    public SoakSettings withProgressMillis(long millis) {
        return new SoakSettings(swaps, seed, operationBoundMillis, bounceEvery, rounds, millis, bundles, without);
    }

    public SoakSettings withBounceEvery(int every) {
        return new SoakSettings(swaps, seed, operationBoundMillis, every, rounds, progressMillis, bundles, without);
    }

    /** These settings with the backends {@code names} left out (see {@link #without()}). */
    public SoakSettings without(List<String> names) {
        return new SoakSettings(swaps, seed, operationBoundMillis, bounceEvery, rounds, progressMillis, bundles, names);
    }
}
