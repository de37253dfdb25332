package org.iommulab.platform.internal.sim;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

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
 * <p>Thread-safe. What a thread entered ({@link #runOn}, {@link #externalTime}) is kept per
 * thread. Nothing here reads the host's clock.
 *
 * <p>The time line is striped: it is the sum of 2 x {@link #STRIPES} cells, each on a cache
 * line of its own, and each thread adds its modelled costs to one cell, given to it when it
 * first uses the simulation, so threads charging their calls on different host CPUs do not
 * write one cache line (an atomic add on one shared word costs a cross-core transfer of its
 * line on every DMA-API call, more than the call's own work). The first {@link #STRIPES}
 * threads each own a cell no other thread ever writes, and add to it with a plain read and a
 * release store (a single writer needs no locked instruction, which every DMA-API call would
 * otherwise pay twice: a map and its unmap each charge a call); later threads share the other
 * {@link #STRIPES} cells round-robin and add to them atomically. It is still one time line,
 * and the same one: {@link #nanos} is the sum of everything added, so a single thread sees
 * exactly the values a single counter gives. (A {@code LongAdder} spreads threads only when
 * their adds fail, not when they merely bounce a line between cores, so two threads could
 * keep sharing one cell.)
 *
 * <p>Why {@link #nanos} never decreases for an observer: every cell only ever grows, since
 * {@link #advance} refuses negative costs and {@link #advanceTo} adds only a positive
 * difference (an owned cell's one writer stores its own last value plus the cost, so no add
 * is lost). A later {@code nanos()} of the same thread, or of a thread that learnt of the
 * earlier reading (a happens-before edge), reads each cell after the earlier read of that cell
 * (volatile reads of one variable see its writes in one order), so it sees each cell at the
 * same or a larger value, and the sum of values each no smaller is no smaller.
 * What a sum is not: a snapshot of one instant; a reading taken while another thread adds may
 * or may not include that add, as an add on another CPU is or is not yet seen on a real machine.
 *
 * <p>Who reads it, and what that costs: strict DMA-API calls never read the clock (they only
 * add to it); a lazy domain's flush-queue timer reads it on each call while a flush is pending,
 * which reads the other threads' cells (a coherence miss only for a cell written since); mapping
 * listeners and a replay read it per event. {@link #advanceTo} (a replayed trace's timestamps,
 * one thread per trace) takes a lock so that two jumps never both add their difference.
 */
public final class Simulation implements SimClock, SimCpus {
    private final SimSettings settings;
    /** Cells owned by one thread each, and as many shared cells; a power of two. */
    static final int STRIPES = 8;
    /** Longs from one cell to the next: 128 bytes, two cache lines (the adjacent-line prefetch pairs lines). */
    private static final int STRIDE = 16;
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);
    /**
     * The time line: the sum of the modelled costs and of the jumps {@link #advanceTo} made,
     * cell {@code i} at index {@code (i + 1) * STRIDE} (a line of padding before the first):
     * cells 0 to {@code STRIPES - 1} owned by one thread each, the next {@code STRIPES} shared.
     */
    private final long[] cells = new long[(2 * STRIPES + 2) * STRIDE];
    /** Threads given a cell so far: the first {@link #STRIPES} own theirs. */
    private final AtomicInteger nextCell = new AtomicInteger();
    /** Serialises {@link #advanceTo}: each jump reads the sum and adds the difference. */
    private final Object jumps = new Object();
    private final ThreadLocal<ThreadState> threads = ThreadLocal.withInitial(this::newThread);

    /** A thread's state with its cell: its own while fewer than {@link #STRIPES} threads came before, else a shared one. */
    private ThreadState newThread() {
        int n = nextCell.getAndIncrement();
        if (n >= 0 && n < STRIPES) {
            return new ThreadState((n + 1) * STRIDE, true);
        }
        return new ThreadState((STRIPES + (n & (STRIPES - 1)) + 1) * STRIDE, false);
    }

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

    /**
     * The sum of the cells given out so far, and only those: a cell is given ({@link #nextCell}
     * counted up) before its thread first adds to it, and no other cell is ever written, so the
     * cells not yet given hold 0. With one or two threads that is one or two cache lines to read,
     * not sixteen (a lazy domain's flush-queue timer reads the clock on every mapping call). Never
     * decreasing still holds: a later reading sees at least as many cells given, each at least as
     * large.
     */
    @Override
    public long nanos() {
        int given = nextCell.get();
        // given < 0 only after 2^31 threads: every cell may be in use.
        int owned = given < 0 || given > STRIPES ? STRIPES : given;
        int sharedCells = given < 0 ? STRIPES : Math.min(Math.max(given - STRIPES, 0), STRIPES);
        long t = 0;
        for (int i = 1; i <= owned; i++) {
            t += (long) CELLS.getVolatile(cells, i * STRIDE);
        }
        for (int i = STRIPES + 1; i <= STRIPES + sharedCells; i++) {
            t += (long) CELLS.getVolatile(cells, i * STRIDE);
        }
        return t;
    }

    /**
     * How much of its own time a thread runs on its last look at the other threads' cells in
     * {@link #pollingNanos}: 100 us, against the 10 ms of iommu-dma's flush-queue timer.
     */
    static final long POLL_REFRESH_NANOS = 100_000;

    /**
     * {@link SimClock#pollingNanos}: the thread's own cell, read exactly, plus the other cells as
     * the thread last summed them, summed again once its own cell has grown by
     * {@link #POLL_REFRESH_NANOS} since. Reading every cell on every call, as {@link #nanos}
     * does, costs a coherence miss on each cell another core wrote since (and the writer one
     * more on its next add): with two threads charging calls, a lazy domain's timer check on
     * every call made each of them slower than both together. A single thread sees
     * {@link #nanos} exactly (no other cell moves). With several, the reading lags by what the
     * others added since this thread last summed the cells, which it does again once its own
     * time has advanced by the refresh; a thread whose own time stands still keeps its last
     * view, and its checks see a deadline late until it moves. The reading never decreases (its
     * own cell only grows, and a refresh sums cells no smaller than before). A thread on a
     * shared cell reads {@link #nanos}.
     */
    @Override
    public long pollingNanos() {
        if (nextCell.get() <= 1) {
            // One cell given at most: nanos() reads just it, exactly, with no thread-local lookup.
            return nanos();
        }
        ThreadState t = threads.get();
        if (!t.owned) {
            return nanos();
        }
        // This thread is the cell's only writer: a plain read sees its own last value.
        long own = (long) CELLS.get(cells, t.cell);
        if (own - t.ownAtLook >= POLL_REFRESH_NANOS || !t.looked) {
            long sum = nanos();
            t.othersAtLook = sum - own;
            t.ownAtLook = own;
            t.looked = true;
            return sum;
        }
        return own + t.othersAtLook;
    }

    @Override
    public void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("the clock never goes back: cost " + nanos + " ns");
        }
        if (nanos != 0) {
            ThreadState t = threads.get();
            if (t.external == 0) {
                if (t.owned) {
                    // The cell's only writer: its last value plus the cost, published with a release store.
                    CELLS.setRelease(cells, t.cell, (long) CELLS.get(cells, t.cell) + nanos);
                } else {
                    CELLS.getAndAdd(cells, t.cell, nanos);
                }
            }
        }
    }

    @Override
    public long advanceTo(long nanos) {
        synchronized (jumps) {
            long t = nanos();
            if (nanos <= t) {
                return t;
            }
            CELLS.getAndAdd(cells, threads.get().cell, nanos - t);
            return nanos;
        }
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
        return "Simulation[" + settings.cpus() + " CPUs, t=" + nanos() + " ns]";
    }

    /** What one thread entered: its CPU (-1: by thread id) and how deep in external time it is; its cell, and whether it owns it. */
    private static final class ThreadState {
        final int cell;
        final boolean owned;
        int cpu = -1;
        int external;
        /** {@link #pollingNanos}: whether it summed the cells yet, its own cell then and the others' sum then. */
        boolean looked;
        long ownAtLook;
        long othersAtLook;

        ThreadState(int cell, boolean owned) {
            this.cell = cell;
            this.owned = owned;
        }
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
