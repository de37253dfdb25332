package org.iommulab.platform.internal.sim;

import java.util.concurrent.atomic.AtomicLong;

import org.iommulab.api.platform.SimClock;
import org.iommulab.api.platform.SimCpus;
import org.iommulab.api.platform.SimScope;

/**
 * The simulated machine's clock and CPUs ({@link SimClock}, {@link SimCpus}): one time line in
 * nanoseconds, advanced only by the simulation (modelled costs of DMA-API calls and device
 * transfers, a replayed trace's timestamps), and {@link SimSettings#cpus()} CPUs. A plain
 * object: the platform component registers it under both interfaces, tests build it with
 * {@code new}.
 *
 * <p>Thread-safe. The time is one atomic long; what a thread entered ({@link #runOn},
 * {@link #externalTime}) is kept per thread. Nothing here reads the host's clock.
 */
public final class Simulation implements SimClock, SimCpus {
    private final SimSettings settings;
    private final AtomicLong now = new AtomicLong();
    private final ThreadLocal<ThreadState> threads = ThreadLocal.withInitial(ThreadState::new);

    public Simulation(SimSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException("simulation settings must not be null");
        }
        this.settings = settings;
    }

    /** A simulation with {@link SimSettings#DEFAULT}. */
    public Simulation() {
        this(SimSettings.DEFAULT);
    }

    public SimSettings settings() {
        return settings;
    }

    // ---- clock ------------------------------------------------------------------------------------

    @Override
    public long nanos() {
        return now.get();
    }

    @Override
    public void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("the clock never goes back: cost " + nanos + " ns");
        }
        if (nanos != 0 && threads.get().external == 0) {
            now.addAndGet(nanos);
        }
    }

    @Override
    public long advanceTo(long nanos) {
        return now.accumulateAndGet(nanos, Math::max);
    }

    @Override
    public SimScope externalTime() {
        ThreadState t = threads.get();
        t.external++;
        return new Scope(() -> t.external--);
    }

    /** Adds the modelled cost of one DMA-API call ({@link SimSettings#callNanos()}). */
    public void chargeCall() {
        advance(settings.callNanos());
    }

    /** Adds the modelled cost of one device access of {@code bytes} bytes. */
    public void chargeAccess(long bytes) {
        advance(settings.accessCost(bytes));
    }

    // ---- CPUs -------------------------------------------------------------------------------------

    @Override
    public int count() {
        return settings.cpus();
    }

    @Override
    public int current() {
        int c = threads.get().cpu;
        return c >= 0 ? c : (int) Math.floorMod(Thread.currentThread().getId(), (long) settings.cpus());
    }

    @Override
    public SimScope runOn(int cpu) {
        if (cpu < 0 || cpu >= settings.cpus()) {
            throw new IllegalArgumentException("CPU " + cpu + " outside 0.." + (settings.cpus() - 1));
        }
        ThreadState t = threads.get();
        int before = t.cpu;
        t.cpu = cpu;
        return new Scope(() -> t.cpu = before);
    }

    @Override
    public String toString() {
        return "Simulation[" + settings.cpus() + " CPUs, t=" + now.get() + " ns]";
    }

    /** What one thread entered: its CPU (-1: by thread id) and how deep in external time it is. */
    private static final class ThreadState {
        int cpu = -1;
        int external;
    }

    private static final class Scope implements SimScope {
        private Runnable undo;

        Scope(Runnable undo) {
            this.undo = undo;
        }

        @Override
        public void close() {
            Runnable u = undo;
            undo = null;
            if (u != null) {
                u.run();
            }
        }
    }
}
