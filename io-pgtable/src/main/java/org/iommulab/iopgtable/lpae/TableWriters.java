package org.iommulab.iopgtable.lpae;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Whether one {@link LpaePageTable} has ever had more than one writer thread, so that the one
 * thing Linux never does and this model does, unlinking the empty tables a failed map installed
 * (a failed map changes nothing), is done only when no other writer can be inside them. Linux's
 * {@code io-pgtable-arm} takes no lock and never frees a table it installed until the domain
 * dies; that is what lets disjoint IOVA ranges be written in parallel, and every writer here
 * relies on it too.
 *
 * <p>The first thread that maps or unmaps becomes the table's sole writer; the first call from
 * any other thread marks the table shared, for good. While the table is unshared, its sole
 * writer may unlink ({@link #beginAlone}); once shared, a failed map leaves its tables linked,
 * as Linux does. The hand-over is a Dekker pair with no atomic read-modify-write: the sole
 * writer announces an unlink, then looks for a second writer; a second writer announces itself
 * (marks the table shared), then waits for an announced unlink to end. Under volatile
 * (sequentially consistent) accesses one of them sees the other, so either the unlink is
 * skipped or the second writer waits outside for the few descriptor writes it takes (no
 * callback runs inside). A writer's check costs two plain loads; nobody ever waits for a
 * writer in flight.
 */
final class TableWriters {
    private static final VarHandle SOLE;
    static {
        try {
            SOLE = MethodHandles.lookup().findVarHandle(TableWriters.class, "sole", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The one thread that has written so far, or null before the first write. */
    private volatile Thread sole;
    /** A second thread has written: for good. */
    private volatile boolean shared;
    /** The sole writer is unlinking: a second writer waits outside until it is done. */
    private volatile boolean unlinking;

    /** Called by every map and unmap before it reads or writes a descriptor. */
    void enter() {
        Thread t = Thread.currentThread();
        if (sole != t && !shared) {
            enterSlow(t);
        }
    }

    private void enterSlow(Thread t) {
        if (sole == null && SOLE.compareAndSet(this, null, t)) {
            return;
        }
        if (sole == t) {
            return;
        }
        shared = true;
        while (unlinking) {
            Thread.onSpinWait();
        }
    }

    /**
     * From inside a call of the table's writer: true when no other thread has ever written the
     * table, and then none enters until {@link #endAlone}; false (nothing held) otherwise.
     */
    boolean beginAlone() {
        if (shared || sole != Thread.currentThread()) {
            return false;
        }
        unlinking = true;
        if (shared) {
            unlinking = false;
            return false;
        }
        return true;
    }

    void endAlone() {
        unlinking = false;
    }
}
