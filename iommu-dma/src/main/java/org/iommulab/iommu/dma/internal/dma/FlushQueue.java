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
 * holds size - 1), each an unmapped IOVA range and the flush count when it was queued;</li>
 * <li>a full ring forces {@code flush_iotlb_all} at once; otherwise a timer
 * ({@code IOVA_DEFAULT_FQ_TIMEOUT} 10 ms) armed by the first queued entry flushes everything;</li>
 * <li>an entry's IOVA is released only once a flush that started after it was queued has
 * finished ({@code counter < fq_flush_finish_cnt}).</li>
 * </ul>
 * Until then the device may still reach the unmapped pages through stale IOTLB entries: the
 * lazy-mode window. {@link #isPending} tells whether a page is in that window, cheaply (a
 * volatile read while nothing is queued, a binary search otherwise).
 *
 * <p>The timer runs on an injectable clock: instead of a timer thread, {@link #runTimerIfDue}
 * fires the timeout at the first entry point (a mapping call or a device access) that sees
 * the deadline passed. Every observer sees the state a timer firing on time would have left.
 * One lock for all rings (per-CPU rings are kept for their capacity semantics).
 */
final class FlushQueue {
    /** Linux {@code IOVA_DEFAULT_FQ_SIZE}. */
    static final int DEFAULT_SIZE = 256;
    /** Linux {@code IOVA_DEFAULT_FQ_TIMEOUT}, in milliseconds. */
    static final int DEFAULT_TIMEOUT_MS = 10;

    /** Where a flushed entry's IOVA goes ({@code free_iova_fast}). */
    interface Releaser {
        void release(long pfn, long pages);
    }

    private final IommuDomain domain;
    private final Releaser releaser;
    private final LongSupplier clock;
    private final long timeoutNanos;
    private final IntSupplier cpu;
    private final Ring[] rings;

    private long flushStartCnt;
    private long flushFinishCnt;
    private volatile boolean timerOn;
    private volatile long deadline;
    private long flushes;

    /** Pending ranges sorted by pfn, for {@link #isPending}. */
    private long[] pendPfn;
    private long[] pendPages;
    private volatile int pendCount;

    FlushQueue(IommuDomain domain, Releaser releaser, int size, long timeoutNanos, LongSupplier clock, int cpus,
            IntSupplier cpu) {
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
        rings = new Ring[cpus];
        for (int i = 0; i < cpus; i++) {
            rings[i] = new Ring(size);
        }
        pendPfn = new long[size * cpus];
        pendPages = new long[size * cpus];
    }

    /** Linux {@code queue_iova}: defers the release of an unmapped range until after a flush. */
    synchronized void queue(long pfn, long pages) {
        Ring fq = rings[cpu.getAsInt()];
        // "First remove all entries from the flush queue that have already been flushed out on
        // another CPU. This makes the fq_full() check below less likely to be true."
        ringFree(fq);
        if (fq.full()) {
            flushIotlb();
            ringFree(fq);
        }
        int idx = fq.tail;
        fq.tail = (fq.tail + 1) & fq.mask;
        fq.pfn[idx] = pfn;
        fq.pages[idx] = pages;
        fq.counter[idx] = flushStartCnt;
        addPending(pfn, pages);
        if (!timerOn) {
            deadline = clock.getAsLong() + timeoutNanos;
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
            ringFree(fq);
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

    /** Linux {@code fq_ring_free_locked}. */
    private void ringFree(Ring fq) {
        long counter = flushFinishCnt;
        while (fq.head != fq.tail) {
            int idx = fq.head;
            if (fq.counter[idx] >= counter) {
                break;
            }
            removePending(fq.pfn[idx]);
            releaser.release(fq.pfn[idx], fq.pages[idx]);
            fq.head = (fq.head + 1) & fq.mask;
        }
    }

    /** True when page {@code pfn} was unmapped and is still waiting for the flush. */
    boolean isPending(long pfn) {
        if (pendCount == 0) {
            return false;
        }
        synchronized (this) {
            int lo = 0;
            int hi = pendCount - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (pendPfn[mid] <= pfn) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return hi >= 0 && pfn < pendPfn[hi] + pendPages[hi];
        }
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
        int n = pendCount;
        int i = lowerBound(pfn, n);
        System.arraycopy(pendPfn, i, pendPfn, i + 1, n - i);
        System.arraycopy(pendPages, i, pendPages, i + 1, n - i);
        pendPfn[i] = pfn;
        pendPages[i] = pages;
        pendCount = n + 1;
    }

    private void removePending(long pfn) {
        int n = pendCount;
        int i = lowerBound(pfn, n);
        if (i < n && pendPfn[i] == pfn) {
            System.arraycopy(pendPfn, i + 1, pendPfn, i, n - i - 1);
            System.arraycopy(pendPages, i + 1, pendPages, i, n - i - 1);
            pendCount = n - 1;
        }
    }

    /** First index whose pfn is not below {@code pfn}. */
    private int lowerBound(long pfn, int n) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (pendPfn[mid] < pfn) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
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
