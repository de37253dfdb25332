package org.iommulab.iommu.dma.internal.dma;

import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import org.iommulab.api.iommu.IommuDomain;

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
 * volatile read while nothing is queued, a bit of {@link PendingPages} otherwise).
 *
 * <p>The timer runs on the simulation's clock ({@code SimClock}, never the host's): instead of a
 * timer thread, {@link #runTimerIfDue} fires the timeout at the first entry point (a mapping
 * call or a device access) that sees the deadline passed. Every observer sees the state a timer
 * firing on time would have left. Linux's deadline is {@code jiffies + msecs_to_jiffies(10)},
 * so a real timer fires up to a jiffy later than this one; the jiffy rounding is not modelled.
 * One lock for all rings (they are per CPU for their capacity and release semantics).
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

    private final IommuDomain domain;
    private final Releaser releaser;
    private final LongSupplier clock;
    private final long timeoutNanos;
    private final IntSupplier cpu;
    private final Ring[] rings;
    private final boolean single;

    private long flushStartCnt;
    private long flushFinishCnt;
    private volatile boolean timerOn;
    private volatile long deadline;
    /** The CPU the timer was armed on, where its softirq frees what it flushed. */
    private int timerCpu;
    private long flushes;

    /** The pages of every queued range, for {@link #isPending}. */
    private final PendingPages pending = new PendingPages();
    /** Ranges queued and not yet released. */
    private volatile int pendCount;

    /**
     * @param single one ring for every CPU ({@code IOMMU_DMA_OPTS_SINGLE_QUEUE}) instead of one per CPU
     */
    FlushQueue(IommuDomain domain, Releaser releaser, int size, long timeoutNanos, LongSupplier clock, int cpus,
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
    synchronized void queue(long pfn, long pages) {
        // Checked before anything moves: a range PendingPages would refuse queues nothing.
        PendingPages.check(pfn, pages);
        int here = cpu.getAsInt();
        Ring fq = rings[single ? 0 : here];
        // "First remove all entries from the flush queue that have already been flushed out on
        // another CPU. This makes the fq_full() check below less likely to be true."
        ringFree(fq, here);
        if (fq.full()) {
            flushIotlb();
            ringFree(fq, here);
        }
        int idx = fq.tail;
        fq.tail = (fq.tail + 1) & fq.mask;
        fq.pfn[idx] = pfn;
        fq.pages[idx] = pages;
        fq.counter[idx] = flushStartCnt;
        addPending(pfn, pages);
        if (!timerOn) {
            deadline = clock.getAsLong() + timeoutNanos;
            timerCpu = here;
            timerOn = true;
        }
    }

    /** Fires the flush timer if it is armed and due ({@code fq_flush_timeout}). */
    void runTimerIfDue() {
        if (timerOn && clock.getAsLong() - deadline >= 0) {
            synchronized (this) {
                if (timerOn && clock.getAsLong() - deadline >= 0) {
                    timeout();
                }
            }
        }
    }

    /** Linux {@code fq_flush_timeout}. */
    private void timeout() {
        timerOn = false;
        flushIotlb();
        for (Ring fq : rings) {
            ringFree(fq, timerCpu);
        }
    }

    /** Flushes and releases everything now (the domain is going away). */
    synchronized void flushAndReleaseAll() {
        if (pendCount == 0 && !timerOn) {
            return;
        }
        timeout();
    }

    /** Linux {@code fq_flush_iotlb}. */
    private void flushIotlb() {
        flushStartCnt++;
        domain.flushIotlbAll();
        flushFinishCnt++;
        flushes++;
    }

    /** Linux {@code fq_ring_free_locked}, run on CPU {@code onCpu}. */
    private void ringFree(Ring fq, int onCpu) {
        long counter = flushFinishCnt;
        while (fq.head != fq.tail) {
            int idx = fq.head;
            if (fq.counter[idx] >= counter) {
                break;
            }
            removePending(fq.pfn[idx], fq.pages[idx]);
            releaser.release(fq.pfn[idx], fq.pages[idx], onCpu);
            fq.head = (fq.head + 1) & fq.mask;
        }
    }

    /** True when page {@code pfn} was unmapped and is still waiting for the flush. */
    boolean isPending(long pfn) {
        if (pendCount == 0) {
            return false;
        }
        synchronized (this) {
            return pending.contains(pfn);
        }
    }

    /**
     * How many blocks of a translated run are pending, under one hold of the lock: block 0 is
     * the one holding {@code busAddr} and is asked for {@code busAddr} itself, block {@code i}
     * for its first address ({@code TranslationPort.translateRun}'s blocks of
     * {@code 1 << blockShift} bytes); each address is asked as {@link #isPending} asks its IOVA
     * page ({@code >>> iovaShift}).
     */
    int pendingBlocks(long busAddr, int blocks, int blockShift, int iovaShift) {
        if (pendCount == 0) {
            return 0;
        }
        long block0 = busAddr & -(1L << blockShift);
        int n = 0;
        synchronized (this) {
            for (int i = 0; i < blocks; i++) {
                long addr = i == 0 ? busAddr : block0 + ((long) i << blockShift);
                if (pending.contains(addr >>> iovaShift)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Entries waiting for a flush now. */
    int pendingEntries() {
        return pendCount;
    }

    /** Flushes the queue has triggered (full ring or timeout). */
    synchronized long flushes() {
        return flushes;
    }

    /** Whether the timer is armed. */
    boolean timerArmed() {
        return timerOn;
    }

    private void addPending(long pfn, long pages) {
        pending.mark(pfn, pages);
        pendCount++;
    }

    private void removePending(long pfn, long pages) {
        pending.clear(pfn, pages);
        pendCount--;
    }

    /** Linux {@code struct iova_fq}. */
    private static final class Ring {
        final long[] pfn;
        final long[] pages;
        final long[] counter;
        final int mask;
        int head;
        int tail;

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
    }
}
