package org.iommulab.app.internal.soak;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The soak's <b>no deadlock</b> watch: every bind, bundle stop and bundle start runs on one
 * daemon thread of its own ("soak-swapper") and is waited for at most
 * {@link SoakSettings#operationBoundMillis()}. A timeout is a suspected deadlock, recorded once
 * with every thread's stack; after it the swapper thread is left as it is (it may hold the
 * platform's locks), and the soak ends. Used by one {@link SoakEngine} run, on its thread.
 */
final class BoundedOperations {
    private final long boundMillis;
    private final ExecutorService swapper;
    private String deadlock;

    BoundedOperations(long boundMillis) {
        this.boundMillis = boundMillis;
        this.swapper = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "soak-swapper");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code op} on the swapper thread and waits at most the operation bound. A timeout is a
     * suspected deadlock: it is recorded with every thread's stack and the soak ends.
     *
     * @return what the operation threw, or null
     */
    Throwable run(String what, Callable<Void> op) {
        Future<Void> f = swapper.submit(op);
        try {
            f.get(boundMillis, TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException hang) {
            deadlock = what + " did not end within " + boundMillis + " ms:\n" + ThreadDump.all();
            return hang;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deadlock = what + ": the soak was interrupted while waiting for it";
            return e;
        }
    }

    /** A hang seen elsewhere (a workload loop that did not end): the soak ends as for a bounded operation's. */
    void suspect(String why) {
        deadlock = why;
    }

    /** What hung, or null while nothing has. */
    String deadlock() {
        return deadlock;
    }

    /** Ends the swapper thread, unless something hung (its thread may hold the platform's locks). */
    void close() {
        if (deadlock == null) {
            swapper.shutdown();
        }
    }
}
