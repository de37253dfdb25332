package org.iommulab.platform.internal.bus;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a device's accesses meet its swaps. Every access enters with the binding generation of
 * the bus master it came through and leaves when it is done, so the swap can wait (with a bound)
 * until no access is in flight. Nothing that enters ever waits:
 * <ul>
 * <li>an access of a released generation (its driver was released: DMA after driver release)
 * is refused at once, before any translation;</li>
 * <li>while the swap changes the binding (between the driver's release and the new route), the
 * device's own accesses are refused as blocked, as Linux's blocking domain blocks a stream
 * while its group changes domains;</li>
 * <li>every other access passes.</li>
 * </ul>
 * Entering and leaving are one atomic add each plus a volatile read, and allocate nothing. Only
 * the swapping thread waits, and only in {@link #awaitIdle}, which is bounded.
 */
public final class BusGate {
    /** {@link #enter} let the access in: it must {@link #exit}. */
    public static final int PASS = 0;
    /** {@link #enter} refused: the access's generation was released (DMA after driver release). */
    public static final int STALE = 1;
    /** {@link #enter} refused: the binding is being changed. */
    public static final int BLOCKED = 2;

    /** Generation of the device's own bus master: never released. */
    public static final long DEVICE_GENERATION = Long.MAX_VALUE;

    /** Set while the binding changes; the low bits count accesses in flight. */
    private static final int SWITCHING = 1 << 30;

    private final AtomicInteger state = new AtomicInteger();
    private final Object monitor = new Object();
    /** Accesses of this generation and older are refused. */
    private volatile long released = -1;

    /**
     * Enters for one access of {@code generation}; {@link #PASS} means the caller is in and must
     * {@link #exit()}. The stale test comes after the count is raised, so a swap that released the
     * generation and then saw no access in flight can be sure none of that generation gets in.
     */
    public int enter(long generation) {
        int s = state.incrementAndGet();
        if (generation <= released) {
            exit();
            return STALE;
        }
        if ((s & SWITCHING) != 0) {
            exit();
            return BLOCKED;
        }
        return PASS;
    }

    /** Leaves after {@link #PASS}. */
    public void exit() {
        if (state.decrementAndGet() == SWITCHING) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    /** Refuses, from now on, every access of {@code generation} and older ones. */
    public void release(long generation) {
        if (generation > released) {
            released = generation;
        }
    }

    /** The newest released generation, or -1. */
    public long released() {
        return released;
    }

    /** The binding starts changing: the device's own accesses are refused as blocked until {@link #endSwitch}. */
    public void beginSwitch() {
        for (;;) {
            int s = state.get();
            if ((s & SWITCHING) != 0 || state.compareAndSet(s, s | SWITCHING)) {
                return;
            }
        }
    }

    /** The binding changed (or the swap gave up): accesses pass again. */
    public void endSwitch() {
        for (;;) {
            int s = state.get();
            if ((s & SWITCHING) == 0 || state.compareAndSet(s, s & ~SWITCHING)) {
                return;
            }
        }
    }

    /**
     * Waits, after {@link #beginSwitch}, until no access is in flight, at most
     * {@code timeoutNanos}. The bound is host time on the swapping thread (a real thread that
     * must never wait forever), not simulated time.
     *
     * @return true when none is in flight; false when the bound passed first
     */
    public boolean awaitIdle(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        try {
            synchronized (monitor) {
                while (inFlight() != 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(monitor, left);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                return true;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True while the binding is being changed. */
    public boolean isSwitching() {
        return (state.get() & SWITCHING) != 0;
    }

    /** Accesses in flight now (a refused one counts for an instant). */
    public int inFlight() {
        return state.get() & ~SWITCHING;
    }
}
