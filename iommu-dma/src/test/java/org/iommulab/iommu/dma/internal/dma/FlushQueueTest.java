package org.iommulab.iommu.dma.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.junit.jupiter.api.Test;

class FlushQueueTest {
    private final long[] now = {0};
    private final int[] cpu = {0};
    private final List<long[]> released = new ArrayList<>();
    private final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    private final LpaeTestDomain domain = new LpaeTestDomain(1L << 12 | 1L << 21 | 1L << 30, 48, mem,
            new ZonedPageAllocator(mem));

    private FlushQueue fq(int size, int cpus) {
        return fq(size, cpus, false);
    }

    /** Each released range is recorded as {pfn, pages, the CPU it was freed on}. */
    private FlushQueue fq(int size, int cpus, boolean single) {
        return new FlushQueue(domain, (pfn, pages, on) -> released.add(new long[] {pfn, pages, on}), size, 10_000_000L,
                () -> now[0], cpus, () -> cpu[0], single);
    }

    @Test
    void pendingRangesAreFoundExactly() {
        FlushQueue fq = fq(8, 1);
        fq.queue(100, 4);
        fq.queue(10, 1);
        fq.queue(50, 2);
        assertTrue(fq.isPending(10));
        assertFalse(fq.isPending(11));
        assertTrue(fq.isPending(51));
        assertFalse(fq.isPending(52));
        assertTrue(fq.isPending(103));
        assertFalse(fq.isPending(104));
        assertFalse(fq.isPending(9));
        assertEquals(3, fq.pendingEntries());
    }

    @Test
    void theTimerFlushesOnceItIsDue() {
        FlushQueue fq = fq(8, 1);
        fq.runTimerIfDue();
        assertFalse(fq.timerArmed());
        now[0] = 5;
        fq.queue(1, 1);
        assertTrue(fq.timerArmed());
        now[0] = 5 + 9_999_999L;
        fq.runTimerIfDue();
        assertTrue(released.isEmpty());
        now[0] = 5 + 10_000_000L;
        fq.runTimerIfDue();
        assertEquals(1, released.size());
        assertFalse(fq.isPending(1));
        assertFalse(fq.timerArmed());
        assertEquals(1, fq.flushes());
    }

    @Test
    void aFullRingFlushesButOtherCpusFreeTheirOwnEntriesLater() {
        FlushQueue fq = fq(4, 2);
        cpu[0] = 1;
        fq.queue(1000, 1);
        cpu[0] = 0;
        fq.queue(1, 1);
        fq.queue(2, 1);
        fq.queue(3, 1);
        assertTrue(released.isEmpty(), "a 4-slot ring holds 3");
        fq.queue(4, 1);
        assertEquals(1, fq.flushes());
        assertEquals(3, released.size(), "this CPU's flushed entries go at once");
        assertTrue(fq.isPending(1000), "CPU 1's ring is freed by CPU 1 or by the timer");
        cpu[0] = 1;
        fq.queue(1001, 1);
        assertFalse(fq.isPending(1000));
        assertTrue(fq.isPending(1001));
        fq.flushAndReleaseAll();
        assertEquals(0, fq.pendingEntries());
        assertEquals(6, released.size());
    }

    @Test
    void theTimerFreesOnTheCpuThatArmedIt() {
        // queue_iova arms the timer with mod_timer on the queueing CPU; fq_flush_timeout then
        // runs there and free_iova_fast puts every CPU's flushed ranges into that CPU's rcache.
        FlushQueue fq = fq(8, 4);
        cpu[0] = 2;
        fq.queue(10, 1);
        cpu[0] = 3;
        fq.queue(20, 1);
        cpu[0] = 0;
        now[0] = 10_000_000L;
        fq.runTimerIfDue();
        assertEquals(2, released.size());
        for (long[] r : released) {
            assertEquals(2, r[2], "freed on CPU 2, where the timer was armed");
        }
        // The next timer is armed by the next queueing CPU.
        cpu[0] = 1;
        fq.queue(30, 1);
        now[0] = 20_000_000L;
        cpu[0] = 3;
        fq.runTimerIfDue();
        assertEquals(1, released.get(2)[2]);
    }

    @Test
    void aFullRingFreesOnTheQueueingCpu() {
        FlushQueue fq = fq(4, 2);
        cpu[0] = 1;
        fq.queue(1, 1);
        fq.queue(2, 1);
        fq.queue(3, 1);
        fq.queue(4, 1);
        assertEquals(3, released.size());
        for (long[] r : released) {
            assertEquals(1, r[2]);
        }
    }

    @Test
    void aSingleQueueIsSharedByEveryCpu() {
        // IOMMU_DMA_OPTS_SINGLE_QUEUE: one ring, so 3 entries from 3 CPUs fill a 4-slot ring.
        FlushQueue fq = fq(4, 4, true);
        for (int c = 0; c < 3; c++) {
            cpu[0] = c;
            fq.queue(100 + c, 1);
        }
        assertTrue(released.isEmpty());
        cpu[0] = 3;
        fq.queue(200, 1);
        assertEquals(1, fq.flushes(), "the shared ring was full");
        assertEquals(3, released.size());
        assertTrue(fq.isPending(200));
    }

    @Test
    void aRangeOutsideTheIovaSpaceIsRefusedAndQueuesNothing() {
        FlushQueue fq = fq(8, 1);
        assertThrows(IllegalArgumentException.class, () -> fq.queue(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> fq.queue(Long.MAX_VALUE, 2));
        assertEquals(0, fq.pendingEntries());
        assertFalse(fq.timerArmed(), "no timer armed for a refused range");
        // The ring is as it was: seven queued ranges fill an 8-slot ring without a flush.
        for (int i = 0; i < 7; i++) {
            fq.queue(100 + i, 1);
        }
        assertEquals(0, fq.flushes());
        assertEquals(7, fq.pendingEntries());
    }

    @Test
    void twoCpusQueueingAtOnceReleaseEveryRangeOnceAndOnlyAfterAFlush() throws InterruptedException {
        // queue_iova on two CPUs at once, each on its own ring under its own lock, 8-slot rings
        // (a flush every few queues), the timer fired by whichever thread sees it due, and a
        // device thread asking about pages meanwhile. Every range must come back exactly once,
        // and only after a flush that completed after it was queued (counter < finish_cnt).
        int perCpu = 20_000;
        long base = 1000;
        AtomicLong clock = new AtomicLong();
        ThreadLocal<Integer> cpuOf = ThreadLocal.withInitial(() -> 0);
        long[] flushesBefore = new long[2 * perCpu];
        AtomicIntegerArray releases = new AtomicIntegerArray(2 * perCpu);
        AtomicInteger early = new AtomicInteger();
        FlushQueue fq = new FlushQueue(domain, (pfn, pages, on) -> {
            int k = (int) (pfn - base);
            // Read under the ring's lock, which the queueing thread took after writing it.
            if (domain.flushAlls.get() <= flushesBefore[k]) {
                early.incrementAndGet();
            }
            releases.incrementAndGet(k);
        }, 8, 50_000L, clock::get, 2, cpuOf::get, false);
        AtomicBoolean done = new AtomicBoolean();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread[] cpus = new Thread[2];
        for (int c = 0; c < 2; c++) {
            int me = c;
            cpus[c] = new Thread(() -> {
                cpuOf.set(me);
                try {
                    for (int i = 0; i < perCpu; i++) {
                        int k = me * perCpu + i;
                        flushesBefore[k] = domain.flushAlls.get();
                        clock.addAndGet(100);
                        fq.runTimerIfDue();
                        fq.queue(base + k, 1);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
        }
        Thread device = new Thread(() -> {
            long pfn = base;
            try {
                while (!done.get()) {
                    fq.runTimerIfDue();
                    fq.isPending(pfn);
                    fq.pendingBlocks(pfn << 12, 4, 12, 12);
                    pfn = base + (pfn - base + 7919) % (2 * perCpu);
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        device.start();
        for (Thread t : cpus) {
            t.start();
        }
        for (Thread t : cpus) {
            t.join(60_000);
            assertFalse(t.isAlive(), "a queueing thread is stuck");
        }
        done.set(true);
        device.join(60_000);
        assertFalse(device.isAlive(), "the device thread is stuck");
        assertEquals(List.of(), failures);
        fq.flushAndReleaseAll();
        for (int k = 0; k < 2 * perCpu; k++) {
            assertEquals(1, releases.get(k), "range " + (base + k) + " released once");
            assertFalse(fq.isPending(base + k));
        }
        assertEquals(0, early.get(), "ranges released before a flush that followed their queueing");
        assertEquals(0, fq.pendingEntries());
        assertFalse(fq.timerArmed());
        assertEquals(domain.flushAlls.get(), fq.flushes(), "every flush the queue started finished and was counted");
    }

    @Test
    void aFlushThatThrowsIsCountedSoAFullRingLaterStillMakesRoom() {
        // A 4-slot ring holds 3. The 4th queue flushes, and the driver's flush throws: the caller
        // sees it, and the flush still counts as finished (start 1, finish 1). The next queue
        // releases ranges 1 to 3 (counter 0 < 1) and queues 5; 6 and 7 fill the ring again
        // (counter 1); 8 flushes (start 2, finish 2), releases 5 to 7 and queues. Had the failed
        // flush not counted, finish would stay one behind start: 8's own flush would leave the
        // ring full and it would wait for ever.
        FlushQueue fq = fq(4, 1);
        fq.queue(1, 1);
        fq.queue(2, 1);
        fq.queue(3, 1);
        domain.failFlushes.set(1);
        assertThrows(IllegalStateException.class, () -> fq.queue(4, 1));
        assertEquals(1, fq.flushes(), "the failed flush is counted");
        assertFalse(fq.isPending(4), "the range whose queueing threw is not queued");
        fq.queue(5, 1);
        assertEquals(3, released.size(), "ranges 1 to 3 released by the next queue");
        fq.queue(6, 1);
        fq.queue(7, 1);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> fq.queue(8, 1));
        assertEquals(2, fq.flushes());
        assertEquals(6, released.size());
        assertTrue(fq.isPending(8));
        assertEquals(1, fq.pendingEntries());
    }

    @Test
    void badGeometryIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> fq(100, 1));
        assertThrows(IllegalArgumentException.class, () -> fq(8, 0));
    }
}
