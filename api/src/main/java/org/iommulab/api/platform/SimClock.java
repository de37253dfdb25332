package org.iommulab.api.platform;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The simulation's one clock, in nanoseconds since the platform started. Everything
 * time-driven in the simulation reads it (iommu-dma's flush-queue timer, statistics that report
 * simulated time), never the host's clock, so that the same input and configuration give the
 * same result. It is advanced only by the simulation: the modelled cost of each DMA-API call and
 * device transfer ({@link #advance}), and the timestamps of a recorded trace being replayed
 * ({@link #advanceTo}). It never goes backwards.
 *
 * <p>Registered by the platform as a service. Thread-safe: one clock for every thread, as a
 * machine has one time line; a thread that follows a time line of its own (a replayed trace's
 * timestamps) opens {@link #externalTime()}, and its modelled costs are then not added.
 */
@ProviderType
public interface SimClock {
    /** The simulated time now, in nanoseconds since the platform started; never decreases. */
    long nanos();

    /**
     * The time for a caller that asks on every call whether a deadline has passed (iommu-dma's
     * flush-queue timer): never later than {@link #nanos()} would read now, never decreasing for
     * the calling thread, and equal to {@link #nanos()} while the calling thread is the only one
     * the clock moves for (so a single-threaded run sees every deadline exactly). With several
     * threads it may lag {@link #nanos()} by what the others added since the calling thread last
     * looked at their time, which an implementation bounds and documents; a deadline can then be
     * seen passed a little late, never early. By default, {@link #nanos()}.
     */
    default long pollingNanos() {
        return nanos();
    }

    /**
     * Adds {@code nanos} (not negative), the modelled cost of something the calling thread just
     * did; ignored inside {@link #externalTime()}.
     *
     * @throws IllegalArgumentException for a negative cost
     */
    void advance(long nanos);

    /** Moves the clock to {@code nanos} if that is later than now (never back); returns the time now. */
    long advanceTo(long nanos);

    /**
     * Until the returned scope is closed, the calling thread's time comes from outside, through
     * {@link #advanceTo} (a recorded trace's timestamps): the modelled costs of its calls are
     * not added, so the simulation's time line is the recorded one.
     */
    SimScope externalTime();
}
