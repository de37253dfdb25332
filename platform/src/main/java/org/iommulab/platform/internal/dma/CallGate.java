package org.iommulab.platform.internal.dma;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * The gate of one DmaApi's calls, which lets a swap release the driver without any call ever
 * waiting. It goes one way: open, then releasing (the swap told the driver to release: calls
 * that would create something are refused at once, calls that release or sync pass, so a
 * driver's release that waits for its own in-flight calls completes), then retired (every call
 * is refused: the API is stale). Every call that passes is counted until it leaves, so the swap
 * can retire the API at a moment when none is in flight, and reclaim leaks knowing no call is
 * changing the table.
 *
 * <p>Entering and leaving are one atomic add each and allocate nothing. Only the swapping
 * thread waits, in {@link #retireWhenIdle}, and with a bound.
 */
final class CallGate {
    private static final int RELEASING = 1 << 29;
    private static final int RETIRED = 1 << 30;
    private static final int FLAGS = RELEASING | RETIRED;

    /**
     * Calls in flight and the flags; a field of the gate itself (through {@link #STATE}), not an
     * {@code AtomicInteger} of its own, so that each call reaches it without another object.
     */
    @SuppressWarnings("unused")
    private volatile int state;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(CallGate.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private final Object monitor = new Object();

    /** Enters for a call that creates a mapping or buffer: false (not entered) once the release began. */
    boolean enterCreating() {
        if (((int) STATE.getAndAdd(this, 1) + 1 & FLAGS) != 0) {
            exit();
            return false;
        }
        return true;
    }

    /** Enters for a call that releases, syncs or only reads: false (not entered) once retired. */
    boolean enterReleasing() {
        if (((int) STATE.getAndAdd(this, 1) + 1 & RETIRED) != 0) {
            exit();
            return false;
        }
        return true;
    }

    /** Leaves after either kind of entry. */
    void exit() {
        int s = (int) STATE.getAndAdd(this, -1) - 1;
        if ((s & ~FLAGS) == 0 && (s & RELEASING) != 0) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    /** The driver is being released: creating calls are refused from now on. */
    void beginRelease() {
        setFlag(RELEASING);
    }

    /**
     * Retires the API at a moment when no call is in flight, waiting at most
     * {@code timeoutNanos} for that moment. The bound is host time on the swapping thread (a
     * real thread that must never wait forever), not simulated time.
     *
     * @return true when retired; false when calls were still in flight at the bound (nothing changed)
     */
    boolean retireWhenIdle(long timeoutNanos) {
        beginRelease();
        long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        try {
            synchronized (monitor) {
                for (;;) {
                    int s = state;
                    if ((s & RETIRED) != 0) {
                        return true;
                    }
                    if ((s & ~FLAGS) == 0 && STATE.compareAndSet(this, s, s | RETIRED)) {
                        return true;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    if ((s & ~FLAGS) != 0) {
                        try {
                            TimeUnit.NANOSECONDS.timedWait(monitor, left);
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Retires the API now, with calls possibly in flight (they finish; new ones are refused). */
    void retireNow() {
        setFlag(RELEASING | RETIRED);
    }

    boolean isReleasing() {
        return (state & RELEASING) != 0;
    }

    boolean isRetired() {
        return (state & RETIRED) != 0;
    }

    /** Calls in flight now (a refused one counts for an instant). */
    int inFlight() {
        return state & ~FLAGS;
    }

    private void setFlag(int flag) {
        for (;;) {
            int s = state;
            if ((s & flag) == flag || STATE.compareAndSet(this, s, s | flag)) {
                return;
            }
        }
    }
}
