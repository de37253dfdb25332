package org.iommulab.itests.swap;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import javax.inject.Inject;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.itests.support.Backends;
import org.iommulab.itests.support.Containers;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The nvme workload keeps running in a real Felix while its disk is swapped 200 times between
 * every registered backend: every swap ends within its bound (a deadlock fails the test with
 * every thread's stack instead of hanging the build), no run throws, no byte comes back wrong,
 * nothing leaks, and no DMA of a released driver is left to refuse (the driver's deactivation
 * waits for its run, which ends at its next mapping while the platform releases the driver).
 * Before the swap protocol was reworked this deadlocked within 60 swaps.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WorkloadUnderSwapsIT {
    private static final String DEVICE = "disk0";
    private static final String WORKLOAD = "nvme";
    private static final int SWAPS = 200;
    /** Far above a swap that works (milliseconds); a swap that takes this long is stuck. */
    private static final long SWAP_BOUND_SECONDS = 30;

    @Inject
    private BundleContext context;

    @Inject
    private PlatformAdmin admin;

    @Configuration
    public Option[] config() {
        return Containers.options();
    }

    @Test
    public void theNvmeWorkloadRunsThroughTwoHundredSwapsBetweenEveryBackend() throws Exception {
        Backends.awaitBackends(admin);
        List<String> backends = new ArrayList<>(new Backends(context, admin).registered().keySet());
        assertTrue("need two backends to swap between, have " + backends, backends.size() >= 2);
        awaitWorkload(null);
        long leaksBefore = total(Stat.LEAKS_RECLAIMED);
        long staleBefore = total(Stat.STALE_DMA_REFUSED);
        int swapsBefore = admin.device(DEVICE).swaps();

        List<WorkloadReport> reports = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread runner = new Thread(() -> {
            long seed = 1;
            while (!done.get()) {
                ServiceReference<Workload> ref = workloadRef(null);
                Workload w = ref == null ? null : context.getService(ref);
                if (w == null) {
                    Thread.yield();
                    continue;
                }
                try {
                    reports.add(w.run(new WorkloadParams(2, 16 * 1024, seed++)));
                } catch (Throwable t) {
                    thrown.set(t);
                    return;
                } finally {
                    context.ungetService(ref);
                }
            }
        }, "nvme-runner");
        runner.start();
        ExecutorService swapper = Executors.newSingleThreadExecutor(r -> new Thread(r, "swapper"));
        try {
            for (int i = 0; i < SWAPS; i++) {
                String current = admin.device(DEVICE).backend();
                String target = backends.get(i % backends.size());
                if (target.equals(current)) {
                    target = backends.get((i + 1) % backends.size());
                }
                String to = target;
                Future<?> swap = swapper.submit(() -> admin.bind(DEVICE, to));
                try {
                    swap.get(SWAP_BOUND_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException hang) {
                    fail("swap " + i + " of " + DEVICE + " from " + current + " to " + to + " did not end within "
                            + SWAP_BOUND_SECONDS + " s (a deadlock):\n" + threadDump());
                }
                assertEquals(to, admin.device(DEVICE).backend());
            }
        } finally {
            done.set(true);
            swapper.shutdownNow();
            runner.join(TimeUnit.SECONDS.toMillis(SWAP_BOUND_SECONDS));
        }

        assertNull("Workload.run threw", thrown.get());
        assertFalse("the runner ended", runner.isAlive());
        assertEquals(swapsBefore + SWAPS, admin.device(DEVICE).swaps());
        long wrong = reports.stream().mapToLong(WorkloadReport::dataErrors).sum();
        assertEquals("bytes wrong: " + reports.stream().filter(r -> r.dataErrors() > 0).findFirst().orElse(null), 0, wrong);
        assertEquals("the driver released everything it held", leaksBefore, total(Stat.LEAKS_RECLAIMED));
        assertEquals("the driver quiesced its device before its release ended", staleBefore, total(Stat.STALE_DMA_REFUSED));
        System.out.println("WorkloadUnderSwapsIT: " + SWAPS + " swaps of " + DEVICE + " over " + backends + ", " + reports.size()
                + " runs, " + reports.stream().filter(WorkloadReport::clean).count() + " clean");

        // And the workload works on wherever the disk ended up.
        String last = admin.device(DEVICE).backend();
        Workload w = awaitWorkload(last);
        WorkloadReport r = w.run(new WorkloadParams(4, 64 * 1024, 99));
        assertTrue(r.toString(), r.clean());
        assertEquals(last, r.backend());
    }

    private long total(Stat s) {
        return admin.allStats().stream().filter(x -> x.device().equals(DEVICE)).mapToLong(x -> x.get(s)).sum();
    }

    /** The nvme workload's service, on {@code backend} (null: on any), or null. */
    private ServiceReference<Workload> workloadRef(String backend) {
        String filter = "(" + Workload.NAME_PROPERTY + "=" + WORKLOAD + ")";
        if (backend != null) {
            filter = "(&" + filter + "(iommulab.backend=" + backend + "))";
        }
        try {
            Collection<ServiceReference<Workload>> refs = context.getServiceReferences(Workload.class, filter);
            return refs.isEmpty() ? null : refs.iterator().next();
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private Workload awaitWorkload(String backend) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        do {
            ServiceReference<Workload> ref = workloadRef(backend);
            if (ref != null) {
                Workload w = context.getService(ref);
                if (w != null) {
                    return w;
                }
            }
            Thread.sleep(10);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("no " + WORKLOAD + " workload" + (backend == null ? "" : " on " + backend) + " within 10 s");
    }

    private static String threadDump() {
        StringBuilder b = new StringBuilder();
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            b.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) {
                b.append(" on ").append(t.getLockName());
                if (t.getLockOwnerName() != null) {
                    b.append(" owned by \"").append(t.getLockOwnerName()).append('"');
                }
            }
            for (StackTraceElement e : t.getStackTrace()) {
                b.append("\n\tat ").append(e);
            }
            b.append("\n");
        }
        return b.toString();
    }
}
