package org.iommulab.iommu.dma.internal.percpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One CPU's share of a per-CPU structure and its spinlock, as Linux keeps them in per-CPU
 * memory: {@code struct iova_cpu_rcache} with {@code cpu_rcache->lock}, {@code struct iova_fq}
 * with {@code fq->lock}. Linux's per-CPU areas put each CPU's copy in cache lines of its own;
 * here the CPUs' objects are allocated one after another, so this class starts with 64 bytes
 * of padding ({@link LeadingPad}) and each subclass ends with 64 bytes of its own, and two
 * threads on two CPUs lock and write their own copies without sharing a line (a line written
 * by two cores moves between them on every write).
 *
 * <p>The lock is taken with one compare-and-swap and released with a release store
 * ({@code spin_lock_irqsave}, {@code spin_unlock_irqrestore}), half the locked instructions of
 * a monitor. It is held for a few loads and stores and is another CPU's only when threads share
 * a simulated CPU or a CPU works on another's copy (the flush-queue timer frees every CPU's
 * ring); a waiter spins, then yields, then sleeps 10 us at a time: the holder, a host thread,
 * may be descheduled, which Linux's holder with interrupts off is not.
 */
public abstract class PerCpuLocked extends LeadingPad {
    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(PerCpuLocked.class, "locked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private volatile int locked;

    protected PerCpuLocked() {
    }

    public final void lock() {
        if (!LOCK.compareAndSet(this, 0, 1)) {
            lockContended();
        }
    }

    private void lockContended() {
        for (int spins = 0;; spins++) {
            if ((int) LOCK.getOpaque(this) == 0 && LOCK.compareAndSet(this, 0, 1)) {
                return;
            }
            backOff(spins);
        }
    }

    /**
     * One more wait for another CPU, the {@code spins}-th: spin a while, then let the host run
     * it, then sleep 10 us at a time (the other CPU's thread may be descheduled for a while:
     * stop burning the CPU it needs).
     */
    public static void backOff(int spins) {
        if (spins < 128) {
            Thread.onSpinWait();
        } else if (spins < 256) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(10_000);
        }
    }

    public final void unlock() {
        LOCK.setRelease(this, 0);
    }
}
