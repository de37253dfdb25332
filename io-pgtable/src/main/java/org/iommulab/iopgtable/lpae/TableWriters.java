package org.iommulab.iopgtable.lpae;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Who is writing one {@link LpaePageTable} now, so that the one thing Linux never does and this
 * model does, unlinking the tables a failed map installed (a failed map changes nothing), is
 * done only when no other writer can be inside them. Linux's {@code io-pgtable-arm} takes no
 * lock and never frees a table it installed until the domain dies; that is what lets disjoint
 * IOVA ranges be written in parallel, and it is what every writer here relies on too.
 *
 * <p>Every map and unmap counts itself in and out on a counter of its own stripe (one cache
 * line per stripe, chosen by thread, so that two threads rarely share one): one atomic add
 * each way, no shared word. A writer that wants to unlink calls {@link #beginAlone}: it
 * succeeds only when that writer is the only one counted in, and then holds every new writer
 * at the door until {@link #endAlone}; when another writer is in flight it fails at once and
 * the caller leaves the tables linked, as Linux does. Nobody ever waits for a writer in flight,
 * and the door is closed only for the few descriptor writes of an unlink (no callback runs
 * inside it), so a held writer spins briefly.
 */
final class TableWriters {
    /** Stripes: a power of two; 16 ints (64 bytes) apart so that each has its own cache line. */
    private static final int STRIPES = 8;
    private static final int PAD = 16;
    private static final VarHandle ALONE;
    static {
        try {
            ALONE = MethodHandles.lookup().findVarHandle(TableWriters.class, "alone", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AtomicIntegerArray inFlight = new AtomicIntegerArray((STRIPES + 1) * PAD);
    /** 1 while one writer, alone, unlinks tables: new writers wait at the door. */
    private volatile int alone;

    /** Counts the calling thread in, after any unlink in progress; returns the token for {@link #exit}. */
    int enter() {
        int i = stripe();
        for (;;) {
            inFlight.getAndIncrement(i);
            if (alone == 0) {
                return i;
            }
            inFlight.getAndDecrement(i);
            while (alone != 0) {
                Thread.onSpinWait();
            }
        }
    }

    void exit(int token) {
        inFlight.getAndDecrement(token);
    }

    /**
     * From inside an {@link #enter}/{@link #exit} pair: true when the caller is the only writer,
     * and then no other enters until {@link #endAlone}; false (nothing held) when another writer
     * is in flight or alone.
     */
    boolean beginAlone() {
        if (!ALONE.compareAndSet(this, 0, 1)) {
            return false;
        }
        int sum = 0;
        for (int s = 1; s <= STRIPES; s++) {
            sum += inFlight.get(s * PAD);
        }
        if (sum == 1) {
            return true;
        }
        alone = 0;
        return false;
    }

    void endAlone() {
        alone = 0;
    }

    /** Stripe 0's line is left empty: the array's header shares it with whatever lies before. */
    private static int stripe() {
        long id = Thread.currentThread().getId();
        return (1 + (int) ((id * 0x9E3779B97F4A7C15L) >>> (64 - 3))) * PAD;
    }
}
