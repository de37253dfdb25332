package org.iommulab.iommu.dma.internal.dma;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.IntSupplier;

import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.iommu.dma.internal.percpu.PerCpuLocked;

/**
 * iommu-dma's flush queue for lazy (DMA_FQ) domains, Linux {@code struct iova_fq} and
 * {@code queue_iova}, {@code fq_ring_free_locked}, {@code fq_flush_iotlb},
 * {@code fq_flush_timeout} ({@code drivers/iommu/dma-iommu.c}):
 *
 * <ul>
 * <li>per CPU, a ring of {@code size} entries (Linux {@code IOVA_DEFAULT_FQ_SIZE} 256; a ring
 * holds size - 1), each an unmapped IOVA range and the flush count when it was queued; or, for
 * an IOMMU whose invalidation is costly ({@code shadow_on_flush}: Linux
 * {@code IOMMU_DMA_OPTS_SINGLE_QUEUE}), one ring for all CPUs of {@code IOVA_SINGLE_FQ_SIZE}
 * 32768 entries with a timeout of {@code IOVA_SINGLE_FQ_TIMEOUT} 1000 ms
 * ({@code iommu_dma_init_options});</li>
 * <li>a full ring forces {@code flush_iotlb_all} at once; otherwise a timer
 * ({@code IOVA_DEFAULT_FQ_TIMEOUT} 10 ms) armed by the first queued entry flushes everything;</li>
 * <li>an entry's IOVA is released only once a flush that started after it was queued has
 * finished ({@code counter < fq_flush_finish_cnt}), with {@code free_iova_fast} on the CPU that
 * releases it: the queueing CPU when {@code queue_iova} frees what is already flushed, the CPU
 * the timer was armed on ({@code mod_timer} queues it on the current CPU) when the timer
 * fires.</li>
 * </ul>
 * Until then the device may still reach the unmapped pages through stale IOTLB entries: the
 * lazy-mode window. {@link #isPending} tells whether a page is in that window, cheaply (a
 * volatile read per ring while nothing is queued, a bit of {@link PendingPages} otherwise).
 *
 * <p>The timer runs on the simulation's clock ({@code SimClock}, never the host's): instead of a
 * timer thread, {@link #runTimerIfDue} fires the timeout at the first entry point (a mapping
 * call or a device access) that sees the deadline passed. A single thread sees the state a timer
 * firing on time would have left. With several, each thread checks against its polling reading
 * of the clock ({@link FqClock#pollingNanos}), which learns of the other threads' time every
 * 100 us of its own: the timeout can be seen that much late, never early. Linux's deadline is
 * {@code jiffies + msecs_to_jiffies(10)}, so a real timer fires up to a jiffy later than this
 * one; the jiffy rounding is not modelled.
 *
 * <p>Thread-safe, with Linux's locking: each CPU's ring has its own lock ({@code fq->lock}),
 * the flush counts are atomics, and a CPU writes the timer's state only when it finds the timer
 * off, so CPUs unmapping on one lazy domain share no lock and write no common line between two
 * flushes. (One lock for every ring would make two threads unmapping on one device take turns
 * at it on every unmap, and leave them slower together than one alone.)
 */
final class FlushQueue {
    /** Linux {@code IOVA_DEFAULT_FQ_SIZE}. */
    static final int DEFAULT_SIZE = 256;
    /** Linux {@code IOVA_DEFAULT_FQ_TIMEOUT}, in milliseconds. */
    static final int DEFAULT_TIMEOUT_MS = 10;
    /** Linux {@code IOVA_SINGLE_FQ_SIZE}. */
    static final int SINGLE_SIZE = 32768;
    /** Linux {@code IOVA_SINGLE_FQ_TIMEOUT}, in milliseconds. */
    static final int SINGLE_TIMEOUT_MS = 1000;

    /** Where a flushed entry's IOVA goes ({@code free_iova_fast} on CPU {@code cpu}). */
    interface Releaser {
        void release(long pfn, long pages, int cpu);
    }

    private static final VarHandle START;
    private static final VarHandle FINISH;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            START = l.findVarHandle(FlushQueue.class, "flushStartCnt", long.class);
            FINISH = l.findVarHandle(FlushQueue.class, "flushFinishCnt", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final IommuDomain domain;
    private final Releaser releaser;
    private final FqClock clock;
    private final long timeoutNanos;
    private final IntSupplier cpu;
    private final Ring[] rings;
    private final boolean single;

    /**
     * Linux {@code cookie->fq_flush_start_cnt} and {@code fq_flush_finish_cnt}, atomic64s:
     * written only by a flush (through {@link #START} and {@link #FINISH}), read by every queue
     * and ring free.
     */
    @SuppressWarnings("unused")
    private volatile long flushStartCnt;
    @SuppressWarnings("unused")
    private volatile long flushFinishCnt;
    /** Linux {@code cookie->fq_timer_on}; set after {@link #deadline}, so a reader that sees it sees its deadline. */
    private volatile boolean timerOn;
    private volatile long deadline;
    /** The CPU the timer was armed on, where its softirq frees what it flushed; under {@link #timer}. */
    private int timerCpu;
    /**
     * Linux {@code cookie->fq_timer}: arming it and running it ({@code fq_flush_timeout}) hold
     * this lock, so one timeout runs at a time and no CPU arms the timer halfway through one.
     * Never taken while a ring's lock is held.
     */
    private final Object timer = new Object();

    /**
     * @param single one ring for every CPU ({@code IOMMU_DMA_OPTS_SINGLE_QUEUE}) instead of one per CPU
     */
    FlushQueue(IommuDomain domain, Releaser releaser, int size, long timeoutNanos, FqClock clock, int cpus,
            IntSupplier cpu, boolean single) {
        if (size < 2 || (size & (size - 1)) != 0) {
            throw new IllegalArgumentException("flush queue size must be a power of two of at least 2, got " + size);
        }
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("flush queue timeout must be positive, got " + timeoutNanos + " ns");
        }
        if (cpus < 1) {
            throw new IllegalArgumentException("flush queue needs at least one CPU, got " + cpus);
        }
        this.domain = domain;
        this.releaser = releaser;
        this.clock = clock;
        this.timeoutNanos = timeoutNanos;
        this.cpu = cpu;
        this.single = single;
        int n = single ? 1 : cpus;
        rings = new Ring[n];
        for (int i = 0; i < n; i++) {
            rings[i] = new Ring(size);
        }
    }

    /** Linux {@code queue_iova}: defers the release of an unmapped range until after a flush. */
    void queue(long pfn, long pages) {
        // Checked before anything moves: a range PendingPages would refuse queues nothing.
        PendingPages.check(pfn, pages);
        int here = cpu.getAsInt();
        // Linux's smp_mb() here orders the page-table update of the unmap before the flush count
        // is read; the ring lock's compare-and-set below is that full barrier.
        Ring fq = rings[single ? 0 : here];
        fq.lock();
        try {
            // "First remove all entries from the flush queue that have already been flushed out
            // on another CPU. This makes the fq_full() check below less likely to be true."
            ringFreeLocked(fq, here);
            if (fq.full()) {
                flushIotlb();
                ringFreeLocked(fq, here);
                // Linux's fq_ring_add takes it that its own flush made room. So it did unless a
                // flush another CPU started first is still running: fq_flush_finish_cnt, a count
                // of completions, then stays below the counters of the entries queued after that
                // flush started, and the ring is still full (fq_ring_add would overwrite its
                // oldest entry, whose IOVA would never come back: not modelled). The model waits
                // for that flush instead: once it completes the count passes every entry here.
                for (int spins = 0; fq.full(); spins++) {
                    PerCpuLocked.backOff(spins);
                    ringFreeLocked(fq, here);
                }
            }
            fq.add(pfn, pages, (long) START.getVolatile(this));
        } finally {
            fq.unlock();
        }
        // "Avoid false sharing as much as possible": only the CPU that finds the timer off
        // writes to it.
        if (!timerOn) {
            synchronized (timer) {
                if (!timerOn) {
                    deadline = clock.nanos() + timeoutNanos;
                    timerCpu = here;
                    timerOn = true;
                }
            }
        }
    }

    /** Fires the flush timer if it is armed and due ({@code fq_flush_timeout}). */
    void runTimerIfDue() {
        // The polling reading is never later than the clock: a timer it finds due is due.
        if (timerOn && clock.pollingNanos() - deadline >= 0) {
            synchronized (timer) {
                if (timerOn && clock.nanos() - deadline >= 0) {
                    timeout();
                }
            }
        }
    }

    /** Linux {@code fq_flush_timeout}, holding {@link #timer}: every CPU's ring freed on the timer's CPU. */
    private void timeout() {
        timerOn = false;
        flushIotlb();
        for (Ring fq : rings) {
            // fq_ring_free: the ring's own lock, one ring at a time.
            fq.lock();
            try {
                ringFreeLocked(fq, timerCpu);
            } finally {
                fq.unlock();
            }
        }
    }

    /** Flushes and releases everything now (the domain is going away). */
    void flushAndReleaseAll() {
        synchronized (timer) {
            if (pendingEntries() == 0 && !timerOn) {
                return;
            }
            timeout();
        }
    }

    /** Linux {@code fq_flush_iotlb}: may run on two CPUs at once, as in Linux (each counts its own). */
    private void flushIotlb() {
        START.getAndAdd(this, 1L);
        try {
            domain.flushIotlbAll();
        } finally {
            // Counted finished even when it threw (the caller sees the exception): a start never
            // finished would keep fq_flush_finish_cnt behind for good, and a full ring would wait
            // for it for ever.
            FINISH.getAndAdd(this, 1L);
        }
    }

    /** Linux {@code fq_ring_free_locked}, run on CPU {@code onCpu}, holding {@code fq}'s lock. */
    private void ringFreeLocked(Ring fq, int onCpu) {
        long counter = (long) FINISH.getVolatile(this);
        while (fq.head != fq.tail) {
            int idx = fq.head;
            if (fq.counter[idx] >= counter) {
                break;
            }
            fq.pending.clear(fq.pfn[idx], fq.pages[idx]);
            fq.pendCount--;
            releaser.release(fq.pfn[idx], fq.pages[idx], onCpu);
            fq.head = (fq.head + 1) & fq.mask;
        }
    }

    /** True when page {@code pfn} was unmapped and is still waiting for the flush. */
    boolean isPending(long pfn) {
        for (Ring fq : rings) {
            if (fq.pendCount != 0) {
                fq.lock();
                try {
                    if (fq.pending.contains(pfn)) {
                        return true;
                    }
                } finally {
                    fq.unlock();
                }
            }
        }
        return false;
    }

    /**
     * How many blocks of a translated run are pending, under one hold of each non-empty ring's
     * lock: block 0 is the one holding {@code busAddr} and is asked for {@code busAddr} itself,
     * block {@code i} for its first address ({@code TranslationPort.translateRun}'s blocks of
     * {@code 1 << blockShift} bytes); each address is asked as {@link #isPending} asks its IOVA
     * page ({@code >>> iovaShift}). A page is in at most one ring (an IOVA is queued once, and
     * allocated again only after its release), so the rings' counts add up.
     */
    int pendingBlocks(long busAddr, int blocks, int blockShift, int iovaShift) {
        long block0 = busAddr & -(1L << blockShift);
        int n = 0;
        for (Ring fq : rings) {
            if (fq.pendCount == 0) {
                continue;
            }
            fq.lock();
            try {
                for (int i = 0; i < blocks; i++) {
                    long addr = i == 0 ? busAddr : block0 + ((long) i << blockShift);
                    if (fq.pending.contains(addr >>> iovaShift)) {
                        n++;
                    }
                }
            } finally {
                fq.unlock();
            }
        }
        return n;
    }

    /** Entries waiting for a flush now. */
    int pendingEntries() {
        int n = 0;
        for (Ring fq : rings) {
            n += fq.pendCount;
        }
        return n;
    }

    /** Flushes the queue has triggered (full ring or timeout): every flush that finished. */
    long flushes() {
        return (long) FINISH.getVolatile(this);
    }

    /** Whether the timer is armed. */
    boolean timerArmed() {
        return timerOn;
    }

    /**
     * Linux {@code struct iova_fq} with its lock, one CPU's ({@link PerCpuLocked}), and the
     * pages of its queued ranges ({@link PendingPages}, which Linux has no need of) for
     * {@link #isPending}: everything a CPU's queueing writes lies in its own ring.
     */
    private static final class Ring extends PerCpuLocked {
        final long[] pfn;
        final long[] pages;
        final long[] counter;
        final int mask;
        int head;
        int tail;
        final PendingPages pending = new PendingPages();
        /** Ranges queued in this ring and not yet released; written under the lock, read without it. */
        volatile int pendCount;
        @SuppressWarnings("unused")
        private long q0, q1, q2, q3, q4, q5, q6, q7;

        Ring(int size) {
            pfn = new long[size];
            pages = new long[size];
            counter = new long[size];
            mask = size - 1;
        }

        /** Linux {@code fq_full}. */
        boolean full() {
            return ((tail + 1) & mask) == head;
        }

        /** Linux {@code fq_ring_add} and the entry's fields, holding the lock. */
        void add(long pfn, long pages, long startCount) {
            int idx = tail;
            tail = (tail + 1) & mask;
            this.pfn[idx] = pfn;
            this.pages[idx] = pages;
            counter[idx] = startCount;
            pending.mark(pfn, pages);
            pendCount++;
        }
    }
}
