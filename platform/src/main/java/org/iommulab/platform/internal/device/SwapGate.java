package org.iommulab.platform.internal.device;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The gate a device's calls pass while its backend may be swapped. Every call enters and exits
 * it, so the swapping thread can wait until no call is in flight before it detaches the device.
 * While the gate is closed, calls that would create something new (mappings, coherent buffers,
 * device accesses) wait until it opens; calls that release or sync pass, so a driver can let go
 * of its mappings while it is being unbound. The thread that closed the gate passes always: the
 * framework runs the driver's deactivation and re-activation on it.
 *
 * <p>Entering and leaving an open gate is one compare-and-set each and allocates nothing; only
 * waiting takes the monitor.
 */
public final class SwapGate {
    /** Set while closed; the low bits count calls in flight. */
    private static final int CLOSED = 1 << 30;

    private static final BooleanSupplier NEVER = () -> false;

    private final AtomicInteger state = new AtomicInteger();
    private final Object monitor = new Object();
    private volatile Thread owner;
    private int waiting;

    /** Enters for a call that creates something: waits while the gate is closed to other threads. */
    public void enterCreating() {
        enterCreatingUnless(NEVER);
    }

    /**
     * As {@link #enterCreating}, but gives up waiting as soon as {@code abandon} holds (checked
     * before each wait and whenever {@link #wake} is called): a call whose DMA API went stale
     * during the swap must fail at once, not wait for the swap to end, because its thread may
     * hold what the driver the swap is starting needs (a device model's lock, say).
     *
     * @return true when the call entered (it must {@link #exit}), false when it gave up
     */
    public boolean enterCreatingUnless(BooleanSupplier abandon) {
        for (;;) {
            int s = state.get();
            if ((s & CLOSED) != 0 && owner != Thread.currentThread()) {
                if (abandon.getAsBoolean() || !awaitOpen(abandon)) {
                    return false;
                }
            } else if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    /** Wakes every waiting call to check again whether it should give up ({@link #enterCreatingUnless}). */
    public void wake() {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /** Enters for a call that releases, syncs or only reads: never waits. */
    public void enterReleasing() {
        state.incrementAndGet();
    }

    /** Leaves after either kind of entry. */
    public void exit() {
        if (state.decrementAndGet() == CLOSED) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    /**
     * Closes the gate for the calling thread's swap and waits until no call is in flight. Swaps
     * of one device are serialized by the platform, so the gate is open here.
     *
     * @throws IllegalStateException when the gate is closed already
     */
    public void close() {
        Thread me = Thread.currentThread();
        synchronized (monitor) {
            if ((state.get() & CLOSED) != 0) {
                throw new IllegalStateException("swap gate is closed already by " + owner);
            }
            owner = me;
            state.addAndGet(CLOSED);
        }
        drain();
    }

    /** Waits, while closed, until no call is in flight (uninterruptibly: a swap must complete). */
    public void drain() {
        boolean interrupted = false;
        synchronized (monitor) {
            while ((state.get() & ~CLOSED) != 0) {
                try {
                    monitor.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Opens the gate and wakes every waiting call. */
    public void open() {
        synchronized (monitor) {
            if ((state.get() & CLOSED) != 0) {
                state.addAndGet(-CLOSED);
            }
            owner = null;
            monitor.notifyAll();
        }
    }

    /** True while a swap holds the gate closed. */
    public boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /** Calls in flight now. */
    public int inFlight() {
        return state.get() & ~CLOSED;
    }

    /** Calls waiting for the gate to open (diagnostics and tests). */
    public int waiting() {
        synchronized (monitor) {
            return waiting;
        }
    }

    /** Waits until the gate opens (true) or {@code abandon} holds (false). */
    private boolean awaitOpen(BooleanSupplier abandon) {
        boolean interrupted = false;
        boolean gaveUp = false;
        synchronized (monitor) {
            waiting++;
            try {
                while ((state.get() & CLOSED) != 0 && owner != Thread.currentThread()) {
                    if (abandon.getAsBoolean()) {
                        gaveUp = true;
                        break;
                    }
                    try {
                        monitor.wait();
                    } catch (InterruptedException e) {
                        // A mapping call has no way to report an interrupt; keep the flag for the caller.
                        interrupted = true;
                    }
                }
            } finally {
                waiting--;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return !gaveUp;
    }
}
