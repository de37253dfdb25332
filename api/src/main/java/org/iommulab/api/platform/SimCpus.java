package org.iommulab.api.platform;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The simulated machine's CPUs: how many there are, and which one the calling thread runs on.
 * Per-CPU state of the simulation (iommu-dma's IOVA range caches and flush queues, as Linux
 * keeps them per CPU) is indexed by {@link #current()}. A thread runs on the CPU it
 * {@linkplain #runOn entered} (a replay enters each traced call's {@code [cpu]}); otherwise on
 * its thread id modulo {@link #count()}, so a workload thread stays on one CPU as a kernel thread
 * would.
 *
 * <p>Registered by the platform as a service. Thread-safe; the CPU a thread entered is its own.
 */
@ProviderType
public interface SimCpus {
    /** Number of CPUs, at least 1; fixed for the platform's life. */
    int count();

    /** The CPU the calling thread runs on now, in {@code [0, count())}. */
    int current();

    /**
     * Runs the calling thread on {@code cpu} until the returned scope is closed.
     *
     * @throws IllegalArgumentException when {@code cpu} is outside {@code [0, count())}
     */
    SimScope runOn(int cpu);
}
