package org.iommulab.app.internal.soak;

import static org.iommulab.app.internal.soak.SoakLookups.await;
import static org.iommulab.app.internal.soak.SoakLookups.totalOf;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;

/**
 * The soak (issue 13): every workload registered runs in a loop on its device while this
 * engine moves devices between all backends at random and stops and starts backend bundles,
 * until the devices have moved {@link SoakSettings#swaps()} times. Used by the application's
 * {@code soak} command and by the integration test {@code SoakIT}, through exported API only
 * ({@code org.iommulab.api.*}, the {@code Workload} services, the framework's bundles).
 *
 * <p>Invariants, each a {@link SoakResult#violations() violation} when broken:
 * <ul>
 * <li><b>No deadlock</b>: every bind, bundle stop and bundle start ends within
 * {@link SoakSettings#operationBoundMillis()}, and every workload loop ends within it at the
 * end; otherwise the soak stops at once and the violation carries every thread's stack.</li>
 * <li><b>No byte wrong</b>: no workload run reports a data error, and the canary's page holds
 * what its device wrote across every release. (The seeded-bug workload runs only while its
 * device is off the IOMMUs: behind one, its bug writes past its buffers on purpose, into other
 * workloads' memory; see {@link WorkloadLoop}.)</li>
 * <li><b>No stale access reaches memory</b>: the canary's released drivers' devices write and
 * read after every operation; every such access is refused as DMA after release and its value
 * is found nowhere. Stale DMA refused on the workloads' devices is counted, not a violation:
 * it is the protection working.</li>
 * <li><b>No leak</b>: no mapping or coherent buffer is reclaimed from a released driver, and
 * once the devices are back where they began, no more simulated RAM is allocated than at the
 * start (beyond one page per device and a bounded slack for per-binding tables).</li>
 * <li><b>No exception</b> comes out of {@link Workload#run}, and no run sees a device fault.</li>
 * <li>No swap is abandoned (every driver released within the platform's bound), every backend
 * comes back when its bundle starts again, and at the end every workload runs clean on
 * wherever its device ended up (the seeded-bug workload where it does not merge).</li>
 * </ul>
 *
 * <p>Every random choice comes from one {@link Random} seeded with {@link SoakSettings#seed()}
 * (each workload loop has its own, seeded from it), so the sequence of operations repeats for a
 * seed; which run a swap interrupts depends on thread timing. Host time is read only to bound
 * waits and to pace and time the progress lines, never by anything simulated.
 */
public final class SoakEngine {
    private final BundleContext context;
    private final PlatformAdmin admin;
    private final SoakSettings settings;
    private final PrintStream progress;
    private final Random random;
    private final SoakLookups find;
    private final List<String> violations = new ArrayList<>();
    private final Map<String, Long> pairs = new TreeMap<>();
    /** The swapper thread and the deadlock watch; made by {@link #run}. */
    private BoundedOperations ops;
    private long binds;
    private long bindsRefused;
    private long bounces;
    private long movesByBounces;
    private long findingsAtStart;
    /** Where the soak's devices were at the last look. */
    private Map<String, String> seen = Map.of();

    /**
     * @param progress where progress lines go (every {@link SoakSettings#progressMillis()}), or null for none
     */
    public SoakEngine(BundleContext context, PlatformAdmin admin, SoakSettings settings, PrintStream progress) {
        this.context = Objects.requireNonNull(context, "context");
        this.admin = Objects.requireNonNull(admin, "admin");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.progress = progress;
        this.random = new Random(settings.seed());
        this.find = new SoakLookups(context, admin, settings);
    }

    /**
     * Runs the soak to its end, or until an operation hangs. Never throws for what it finds: the
     * result lists it.
     */
    public SoakResult run() throws InterruptedException {
        ops = new BoundedOperations(settings.operationBoundMillis());
        try {
            return soak();
        } finally {
            ops.close();
        }
    }

    private SoakResult soak() throws InterruptedException {
        // Host wall time, for the summary and the progress lines only.
        long start = System.nanoTime();
        Map<String, String> workloads = find.awaitWorkloads();
        if (admin.backends().size() < 2 || workloads.isEmpty()) {
            violations.add("nothing to soak: backends " + admin.backends() + ", workloads " + workloads.keySet());
            return result(Map.of(), emptyCanary(), 0, 0, 0, 0, 0, 0, start);
        }
        Map<String, Bundle> withheld = withhold();
        try {
            return soak(workloads, withheld, start);
        } finally {
            if (ops.deadlock() == null) {
                giveBack(withheld);
            }
        }
    }

    /** The soak proper, with the left-out backends' bundles stopped. */
    private SoakResult soak(Map<String, String> workloads, Map<String, Bundle> withheld, long start) throws InterruptedException {
        Set<String> backendsAtStart = new TreeSet<>(admin.backends());
        Map<String, Bundle> bundles = find.bundles();
        bundles.values().removeAll(withheld.values());
        long ramStart = admin.allocator().allocatedBytes();
        Canary canary;
        try {
            canary = Canary.plant(admin, context);
        } catch (InvalidSyntaxException | RuntimeException e) {
            violations.add("the canary could not be planted: " + e);
            return result(Map.of(), emptyCanary(), 0, 0, 0, 0, ramStart, ramStart, start);
        }
        List<String> devices = new ArrayList<>(new TreeSet<>(workloads.values()));
        devices.add(Canary.DEVICE);
        Map<String, String> placedAtStart = find.placement(devices);
        seen = placedAtStart;
        Map<String, Long> baseline = find.totals(devices);
        int swapsAtStart = find.swapCount(devices);
        List<Finding> findings = admin.findings();
        findingsAtStart = findings.isEmpty() ? 0 : findings.get(findings.size() - 1).sequence();

        List<WorkloadLoop> loops = new ArrayList<>();
        Random seeds = new Random(settings.seed() ^ 0x5eed_50a6L);
        for (Map.Entry<String, String> w : workloads.entrySet()) {
            loops.add(new WorkloadLoop(context, w.getKey(), w.getValue(), seeds.nextLong(), settings.rounds(), find::nonIsolating));
        }
        loops.forEach(WorkloadLoop::start);
        long swaps = 0;
        try {
            // Host time again: only when the next progress line is printed, never what is simulated.
            long nextProgress = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.progressMillis());
            while (swaps < settings.swaps() && ops.deadlock() == null) {
                step(devices, bundles);
                canary.checkStale();
                swaps = find.swapCount(devices) - swapsAtStart;
                if (progress != null && settings.progressMillis() > 0 && System.nanoTime() >= nextProgress) {
                    progressLine(swaps, loops, find.totals(devices), baseline, start);
                    nextProgress = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.progressMillis());
                }
            }
        } finally {
            loops.forEach(WorkloadLoop::stop);
        }
        for (WorkloadLoop l : loops) {
            if (!l.join(settings.operationBoundMillis()) && ops.deadlock() == null) {
                ops.suspect("the " + l.name + " workload loop did not end within " + settings.operationBoundMillis()
                        + " ms of being asked to:\n" + ThreadDump.all());
            }
        }
        if (ops.deadlock() != null) {
            // The platform is stuck: nothing more can be checked safely. Leave everything as it is.
            violations.add("deadlock suspected: " + ops.deadlock());
            Map<String, Long> now = find.totals(devices);
            return result(counts(loops), canary.counts(), swaps, totalOf(now, baseline, Stat.STALE_DMA_REFUSED),
                    totalOf(now, baseline, Stat.SWAPS_ABANDONED), totalOf(now, baseline, Stat.LEAKS_RECLAIMED), ramStart, -1,
                    start);
        }

        finalChecks(workloads, bundles, backendsAtStart);
        restore(placedAtStart);
        // Before the canary goes: a removed device's counters go with it.
        Map<String, Long> end = find.totals(devices);
        canary.remove();
        long ramEnd = admin.allocator().allocatedBytes();
        Map<String, WorkloadLoop.Counts> counts = counts(loops);
        Canary.Counts c = canary.counts();
        SoakInvariants.check(violations, admin, findingsAtStart, counts, c, end, baseline, ramStart, ramEnd, devices.size());
        return result(counts, c, swaps, totalOf(end, baseline, Stat.STALE_DMA_REFUSED),
                totalOf(end, baseline, Stat.SWAPS_ABANDONED), totalOf(end, baseline, Stat.LEAKS_RECLAIMED), ramStart, ramEnd,
                start);
    }

    // ---- operations ------------------------------------------------------------------------

    /** One random operation: mostly a bind of a random device to another backend, sometimes a bundle stop/start. */
    private void step(List<String> devices, Map<String, Bundle> bundles) {
        if (settings.bounceEvery() > 0 && !bundles.isEmpty() && random.nextInt(settings.bounceEvery()) == 0) {
            List<String> names = new ArrayList<>(bundles.keySet());
            bounce(names.get(random.nextInt(names.size())), bundles, devices);
            return;
        }
        String device = devices.get(random.nextInt(devices.size()));
        String current = admin.device(device).backend();
        List<String> targets = new ArrayList<>(admin.backends());
        targets.remove(current);
        if (targets.isEmpty()) {
            return;
        }
        String target = targets.get(random.nextInt(targets.size()));
        Throwable t = bounded("bind " + device + " " + target + " (from " + current + ")", () -> {
            admin.bind(device, target);
            return null;
        });
        if (t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("does not accept")) {
            bindsRefused++;
        } else if (t != null && ops.deadlock() == null) {
            violations.add("bind " + device + " " + target + " (from " + current + ") failed: " + t);
        }
        binds += observe(devices);
    }

    /** Stops a backend bundle, then starts it again; its backends must come back. */
    private void bounce(String bsn, Map<String, Bundle> bundles, List<String> devices) {
        Bundle b = bundles.get(bsn);
        if (b.getState() != Bundle.ACTIVE) {
            violations.add("bundle " + bsn + " is not active before its stop (state " + b.getState() + ")");
            bundles.remove(bsn);
            return;
        }
        bounces++;
        Set<String> before = new TreeSet<>(admin.backends());
        Throwable t = bounded("stop bundle " + bsn, () -> {
            b.stop();
            return null;
        });
        if (ops.deadlock() != null) {
            return;
        }
        if (t != null) {
            violations.add("stopping bundle " + bsn + " failed: " + t);
        }
        movesByBounces += observe(devices);
        t = bounded("start bundle " + bsn, () -> {
            b.start();
            return null;
        });
        if (ops.deadlock() != null) {
            return;
        }
        if (t != null) {
            violations.add("starting bundle " + bsn + " again failed: " + t);
            bundles.remove(bsn);
            return;
        }
        if (!await(() -> admin.backends().containsAll(before))) {
            Set<String> missing = new TreeSet<>(before);
            missing.removeAll(admin.backends());
            violations.add("backend(s) " + missing + " did not come back within " + SoakLookups.APPEAR_MILLIS + " ms of starting bundle " + bsn);
        }
        movesByBounces += observe(devices);
    }

    /**
     * The devices that moved since the last look, counted per backend pair; the number of moves.
     * A move that happens after an operation returned (a rebalance still running) is seen, and
     * counted, at the next look.
     */
    private long observe(List<String> devices) {
        Map<String, String> now = find.placement(devices);
        long n = moved(seen, now);
        seen = now;
        return n;
    }

    /** {@link BoundedOperations#run}: {@code op} on the swapper thread, waited for at most the operation bound. */
    private Throwable bounded(String what, Callable<Void> op) {
        return ops.run(what, op);
    }

    /** Counts the devices whose backend differs, by pair; the number of moves. */
    private long moved(Map<String, String> before, Map<String, String> after) {
        long n = 0;
        for (Map.Entry<String, String> e : before.entrySet()) {
            String to = after.get(e.getKey());
            if (!Objects.equals(e.getValue(), to)) {
                pairs.merge(name(e.getValue()) + " -> " + name(to), 1L, Long::sum);
                n++;
            }
        }
        return n;
    }

    private static String name(String backend) {
        return backend == null ? "(unbound)" : backend;
    }

    // ---- the end ---------------------------------------------------------------------------

    /**
     * Stops the bundle that registers each backend of {@link SoakSettings#without()}: the IOMMU
     * driver's bundle for an IOMMU backend, else the backend service's own bundle.
     *
     * @return the bundles stopped, by symbolic name
     */
    private Map<String, Bundle> withhold() {
        Map<String, Bundle> out = new LinkedHashMap<>();
        for (String name : settings.without()) {
            Bundle b = find.provider(IommuDriver.class, IommuDriver.NAME_PROPERTY, name);
            if (b == null) {
                b = find.provider(DmaBackend.class, DmaBackend.NAME_PROPERTY, name);
            }
            if (b == null) {
                violations.add("backend " + name + " cannot be left out: no bundle registers it (registered: " + admin.backends() + ")");
                continue;
            }
            Bundle bundle = b;
            Throwable t = bounded("stop bundle " + b.getSymbolicName() + " to leave " + name + " out", () -> {
                bundle.stop();
                return null;
            });
            if (t != null) {
                violations.add("stopping bundle " + b.getSymbolicName() + " to leave " + name + " out failed: " + t);
                continue;
            }
            out.put(b.getSymbolicName(), b);
            if (!await(() -> !admin.backends().contains(name))) {
                violations.add("backend " + name + " is still registered after its bundle " + b.getSymbolicName() + " stopped");
            }
        }
        return out;
    }

    /** Starts the bundles {@link #withhold} stopped. */
    private void giveBack(Map<String, Bundle> withheld) {
        for (Bundle b : withheld.values()) {
            Throwable t = bounded("start bundle " + b.getSymbolicName() + " again", () -> {
                b.start();
                return null;
            });
            if (t != null && ops.deadlock() == null) {
                violations.add("starting bundle " + b.getSymbolicName() + " again after the soak failed: " + t);
            }
        }
    }

    /** Every bundle active, every backend back, every device bound, every workload clean where it ended up. */
    private void finalChecks(Map<String, String> workloads, Map<String, Bundle> bundles, Set<String> backendsAtStart) {
        for (Bundle b : bundles.values()) {
            if (b.getState() != Bundle.ACTIVE) {
                violations.add("bundle " + b.getSymbolicName() + " is not active at the end (state " + b.getState() + ")");
            }
        }
        if (!await(() -> admin.backends().containsAll(backendsAtStart))) {
            violations.add("backends at the end " + admin.backends() + " lack some of those at the start " + backendsAtStart);
        }
        for (Map.Entry<String, String> w : workloads.entrySet()) {
            String device = w.getValue();
            String backend = admin.device(device).backend();
            if (backend == null) {
                violations.add("device " + device + " is bound to no backend at the end");
                continue;
            }
            Workload workload = find.awaitWorkload(w.getKey(), backend);
            if (workload == null) {
                violations.add("no " + w.getKey() + " workload on " + backend + " within " + SoakLookups.APPEAR_MILLIS + " ms at the end");
                continue;
            }
            if (workload.seededBug() && !find.nonIsolating(backend)) {
                continue; // its bug writes past its buffers behind an IOMMU, by design
            }
            WorkloadReport r;
            try {
                r = workload.run(new WorkloadParams(settings.rounds(), 0, random.nextLong()));
            } catch (RuntimeException e) {
                violations.add("the final " + w.getKey() + " run on " + backend + " threw " + e);
                continue;
            }
            if (!r.clean()) {
                violations.add("the final " + w.getKey() + " run on " + backend + " is not as expected: " + r);
            }
        }
    }

    /** Binds every device back where it began, so that the RAM it uses can be compared. */
    private void restore(Map<String, String> placed) {
        for (Map.Entry<String, String> e : placed.entrySet()) {
            if (e.getValue() == null || e.getValue().equals(admin.device(e.getKey()).backend())) {
                continue;
            }
            Throwable t = bounded("bind " + e.getKey() + " back to " + e.getValue(), () -> {
                admin.bind(e.getKey(), e.getValue());
                return null;
            });
            if (t != null) {
                violations.add("binding " + e.getKey() + " back to " + e.getValue() + " failed: " + t);
            }
        }
    }

    // ---- reporting -------------------------------------------------------------------------

    private void progressLine(long swaps, List<WorkloadLoop> loops, Map<String, Long> now, Map<String, Long> baseline,
            long start) {
        Map<String, WorkloadLoop.Counts> c = counts(loops);
        progress.printf("soak: %d/%d swaps, %d bundle stop/start, %d runs, %d data errors, %d leaks, %d stale refused, "
                + "%d abandoned, %.0f s%n", swaps, settings.swaps(), bounces,
                c.values().stream().mapToLong(WorkloadLoop.Counts::runs).sum(),
                c.values().stream().mapToLong(WorkloadLoop.Counts::unexpectedDataErrors).sum(),
                totalOf(now, baseline, Stat.LEAKS_RECLAIMED), totalOf(now, baseline, Stat.STALE_DMA_REFUSED),
                totalOf(now, baseline, Stat.SWAPS_ABANDONED), (System.nanoTime() - start) / 1e9);
        progress.flush();
    }

    private static Map<String, WorkloadLoop.Counts> counts(List<WorkloadLoop> loops) {
        Map<String, WorkloadLoop.Counts> out = new TreeMap<>();
        loops.forEach(l -> out.put(l.name, l.counts()));
        return out;
    }

    private static Canary.Counts emptyCanary() {
        return new Canary.Counts(0, 0, 0, 0, List.of());
    }

    private SoakResult result(Map<String, WorkloadLoop.Counts> counts, Canary.Counts canary, long swaps, long stale,
            long abandoned, long leaks, long ramStart, long ramEnd, long start) {
        return new SoakResult(settings, swaps, binds, bindsRefused, bounces, movesByBounces, pairs, counts, canary, stale,
                abandoned, leaks, ramStart, ramEnd, System.nanoTime() - start, violations, ops.deadlock() != null);
    }
}
