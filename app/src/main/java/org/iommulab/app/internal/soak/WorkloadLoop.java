package org.iommulab.app.internal.soak;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * One workload run over and over on its own thread, on whatever backend its device is bound to
 * at that moment: each run looks the workload's service up again (a swap re-creates the driver
 * and its service), so runs follow the device from backend to backend. Counts what the runs
 * report and every exception that comes out of {@link Workload#run} (which must never throw).
 *
 * <p>A workload with a seeded bug ({@link Workload#seededBug()}, mmc-buggy) runs only while its
 * device is on a backend that does not isolate it (no IOMMU, so no merged scatterlists): behind
 * an IOMMU its bug writes past the end of its buffers on purpose, "in free memory and in other
 * entries", which in a soak is other workloads' memory. Its device still moves everywhere and its
 * driver is created and released on every backend; the main job shows the bug being caught.
 *
 * <p>Data errors are a violation. Faults in a run (a device access refused) are a violation: a
 * driver's device DMA happens only while the driver is bound, whatever the swaps do.
 *
 * <p>Thread-safe: the counters are read by the soak while the loop runs.
 */
final class WorkloadLoop implements Runnable {
    /** How many examples of each kind of trouble are kept for the report. */
    private static final int EXAMPLES = 3;

    final String name;
    final String device;
    private final BundleContext context;
    private final Random random;
    private final int rounds;
    private volatile boolean done;
    private Thread thread;

    private long runs;
    private long clean;
    private long cutShort;
    private long operations;
    private long bytes;
    private long unexpectedDataErrors;
    private long faults;
    private long exceptions;
    private long notFound;
    private final List<String> examples = new ArrayList<>();

    private final Predicate<String> nonIsolating;
    private long seededSkipped;

    /**
     * @param nonIsolating whether the backend of that name is known not to isolate devices (no
     *        IOMMU: scatterlists are never merged), where a seeded-bug workload may run
     */
    WorkloadLoop(BundleContext context, String name, String device, long seed, int rounds, Predicate<String> nonIsolating) {
        this.nonIsolating = nonIsolating;
        this.context = context;
        this.name = name;
        this.device = device;
        this.random = new Random(seed);
        this.rounds = rounds;
    }

    void start() {
        thread = new Thread(this, "soak-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks the loop to end after its run in flight. */
    void stop() {
        done = true;
    }

    /** Waits at most {@code millis} for the loop to end; true when it did. */
    boolean join(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        while (!done) {
            ServiceReference<Workload> ref = lookup();
            Workload w = ref == null ? null : context.getService(ref);
            if (w == null) {
                // Between a driver's release and its successor's start: nothing to run yet.
                synchronized (this) {
                    notFound++;
                }
                pause();
                continue;
            }
            if (w.seededBug() && !nonIsolating.test(String.valueOf(ref.getProperty(DmaApi.BACKEND_PROPERTY)))) {
                synchronized (this) {
                    seededSkipped++;
                }
                ungetQuietly(ref);
                pause();
                continue;
            }
            try {
                WorkloadReport r = w.run(new WorkloadParams(rounds, 0, random.nextLong()));
                account(w, r);
                if (r.operations() == 0 && !r.clean()) {
                    // The driver was released before the run began: look it up again, without spinning.
                    pause();
                }
            } catch (Throwable t) {
                synchronized (this) {
                    exceptions++;
                    example("Workload.run threw " + t);
                }
            } finally {
                ungetQuietly(ref);
            }
        }
    }

    private void ungetQuietly(ServiceReference<Workload> ref) {
        try {
            context.ungetService(ref);
        } catch (IllegalStateException contextGone) {
            done = true;
        }
    }

    private synchronized void account(Workload w, WorkloadReport r) {
        runs++;
        operations += r.operations();
        bytes += r.bytes();
        if (r.dataErrors() > 0) {
            unexpectedDataErrors += r.dataErrors();
            example("data errors: " + r);
        }
        if (r.faults() > 0) {
            faults += r.faults();
            example("device faults: " + r);
        }
        if (r.clean()) {
            clean++;
        } else if (r.dataErrors() == 0 && r.faults() == 0) {
            cutShort++;
        }
    }

    private void example(String line) {
        if (examples.size() < EXAMPLES) {
            examples.add(name + ": " + line);
        }
    }

    /** The workload's service on any backend, or null while its driver is being re-created. */
    private ServiceReference<Workload> lookup() {
        try {
            Collection<ServiceReference<Workload>> refs = context.getServiceReferences(Workload.class,
                    "(" + Workload.NAME_PROPERTY + "=" + name + ")");
            return refs.isEmpty() ? null : refs.iterator().next();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("workload name " + name + " does not fit in a filter", e);
        } catch (IllegalStateException contextGone) {
            done = true;
            return null;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A consistent copy of the counters. */
    synchronized Counts counts() {
        return new Counts(runs, clean, cutShort, operations, bytes, unexpectedDataErrors, seededSkipped, faults, exceptions,
                notFound, List.copyOf(examples));
    }

    /**
     * What a loop counted.
     *
     * @param cutShort runs that ended early without a data error or fault (a swap released the driver)
     * @param unexpectedDataErrors wrong bytes (or bad packets)
     * @param seededSkipped runs of a seeded-bug workload not made because its device was behind an IOMMU
     * @param notFound lookups that found no driver (between a release and the next start)
     */
    record Counts(long runs, long clean, long cutShort, long operations, long bytes, long unexpectedDataErrors,
            long seededSkipped, long faults, long exceptions, long notFound, List<String> examples) {
    }
}
