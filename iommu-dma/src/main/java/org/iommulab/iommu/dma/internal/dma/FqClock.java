package org.iommulab.iommu.dma.internal.dma;

import org.iommulab.api.platform.SimClock;

/**
 * The simulated time the flush-queue timer runs on (the simulation's {@link SimClock}, never the
 * host's): {@link #nanos} to arm it and to fire it, {@link #pollingNanos} for the check every
 * call and device access makes first, which may lag {@link #nanos} a little with several
 * threads ({@link SimClock#pollingNanos}) and so costs no read of the other CPUs' time on every
 * call. Tests give a lambda, whose polling reading is its reading.
 */
@FunctionalInterface
interface FqClock {
    long nanos();

    /** Never later than {@link #nanos}; by default {@link #nanos}. */
    default long pollingNanos() {
        return nanos();
    }

    /** The simulation's clock. */
    static FqClock of(SimClock clock) {
        return new FqClock() {
            @Override
            public long nanos() {
                return clock.nanos();
            }

            @Override
            public long pollingNanos() {
                return clock.pollingNanos();
            }
        };
    }
}
