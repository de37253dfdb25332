package org.iommulab.replay.internal.engine;

import org.iommulab.api.platform.SimClock;
import org.iommulab.api.platform.SimCpus;

/**
 * The platform's simulated clock and CPUs as the replay drives them: each traced call runs on
 * the CPU the trace names ({@code [cpu]}, folded modulo the platform's CPU count) with the clock
 * at the trace's timestamp of the moment Linux performed it.
 */
public record Simulated(SimClock clock, SimCpus cpus) {
    public Simulated {
        if (clock == null || cpus == null) {
            throw new IllegalArgumentException("the replay needs the simulation's clock and CPUs");
        }
    }
}
