package org.iommulab.itests.lifecycle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.itests.support.TrackingDriver;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Every device of the container busy on a known backend, for a lifecycle case: the devices
 * bundle's drivers run their workloads in a loop, one thread each, and two devices per backend
 * (one trusted with whole pages, one untrusted with sub-granule buffers, which an IOMMU bounces
 * through the swiotlb pool) are held by {@link TrackingDriver}s whose mappings a mover thread
 * writes and reads back through the device's bus master all the time.
 *
 * <p>Devices start on a backend of the bundle under test ("affected") or on another one. The
 * checks: a device on another backend is never touched (same backend, swap count, driver
 * instance and DMA addresses; every access and every run through the operation succeeds); a
 * device of the bundle moves to the best backend registered that takes it, its driver is
 * created again, its data is intact and nothing leaks. Problems seen by the threads are
 * collected and reported together. Every wait is bounded.
 */
final class Fleet {
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;
    /** Below the IOMMU granule: iommu-dma bounces it for an untrusted device. */
    private static final int SUB_GRANULE = 512;
    private static final int BUFFERS = 3;
    /** The buffer no thread touches: written before the operation, checked after it. */
    private static final int SENTINEL = BUFFERS - 1;
    private static final WorkloadParams RUN = new WorkloadParams(1, 0, 7);
    private static final long WAIT_MILLIS = BundleOps.WAIT_MILLIS;

    private final BundleContext context;
    private final PlatformAdmin admin;
    /** Backend names of the bundles under test. */
    private final Set<String> affected;
    /**
     * The bundles under test register the swiotlb pool: while it is gone, an untrusted device
     * behind an IOMMU cannot map sub-granule buffers (iommu-dma says so in the device's log),
     * so its runs may fail their mappings then, and only so.
     */
    private final boolean poolGoes;
    private final List<Tracked> tracked = new ArrayList<>();
    private final List<Worked> worked = new ArrayList<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger moverRounds = new AtomicInteger();

    private Fleet(BundleContext context, PlatformAdmin admin, Set<String> affected, boolean poolGoes) {
        this.context = context;
        this.admin = admin;
        this.affected = affected;
        this.poolGoes = poolGoes;
    }

    // ---- what a bundle provides -----------------------------------------------------------------

    /**
     * Names of the backends the given bundles provide now, read from the service registry: the
     * {@link DmaBackend} services they register ({@value DmaBackend#NAME_PROPERTY}) and the
     * backends made of the {@link IommuDriver} services they register
     * ({@value IommuDriver#NAME_PROPERTY}, which iommu-dma turns into a backend of that name).
     */
    static Set<String> backendsOf(BundleContext context, Collection<Bundle> bundles) throws InvalidSyntaxException {
        Set<String> out = new LinkedHashSet<>();
        for (ServiceReference<DmaBackend> r : context.getServiceReferences(DmaBackend.class, null)) {
            if (bundles.contains(r.getBundle()) && r.getProperty(DmaBackend.NAME_PROPERTY) != null) {
                out.add(r.getProperty(DmaBackend.NAME_PROPERTY).toString());
            }
        }
        for (ServiceReference<IommuDriver> r : context.getServiceReferences(IommuDriver.class, null)) {
            if (bundles.contains(r.getBundle()) && r.getProperty(IommuDriver.NAME_PROPERTY) != null) {
                out.add(r.getProperty(IommuDriver.NAME_PROPERTY).toString());
            }
        }
        return out;
    }

    /** Whether {@code bundles} register the swiotlb pool service. */
    static boolean registersPool(BundleContext context, Collection<Bundle> bundles) throws InvalidSyntaxException {
        for (ServiceReference<SwiotlbPool> r : context.getServiceReferences(SwiotlbPool.class, null)) {
            if (bundles.contains(r.getBundle())) {
                return true;
            }
        }
        return false;
    }

    // ---- set-up ----------------------------------------------------------------------------------

    /**
     * Spreads the devices over every registered backend (each backend gets at least one busy
     * device of each kind), checks each workload once where it lands, and starts the threads.
     */
    static Fleet start(BundleContext context, PlatformAdmin admin, Set<String> affected, boolean poolGoes)
            throws Exception {
        Fleet f = new Fleet(context, admin, affected, poolGoes);
        try {
            f.setUp();
        } catch (Throwable t) {
            f.release();
            throw t;
        }
        return f;
    }

    private void setUp() throws Exception {
        List<String> backends = admin.backends();
        if (backends.size() < 2) {
            throw new AssertionError("a lifecycle case needs two backends at least, registered: " + backends);
        }
        // The devices bundle's drivers: one workload per device, spread round robin.
        List<String> devices = new ArrayList<>(awaitWorkloadDevices());
        for (int i = 0; i < devices.size(); i++) {
            String device = devices.get(i);
            String backend = bindSomewhere(device, backends, i);
            worked.add(new Worked(device, backend, awaitWorkload(device, backend)));
        }
        // Two tracked devices per backend, added after the workload devices so stream IDs never clash.
        for (int i = 0; i < backends.size(); i++) {
            track("lct" + i, 0x7a0 + 2 * i, true, backends.get(i));
            track("lcu" + i, 0x7a1 + 2 * i, false, backends.get(i));
        }
        requireBoth();
        for (Worked w : worked) {
            w.baseline();
        }
        Thread mover = new Thread(this::moveData, "lifecycle-mover");
        threads.add(mover);
        for (Worked w : worked) {
            threads.add(new Thread(w::loop, "lifecycle-workload-" + w.device));
        }
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
        // Let every thread get going before the operation.
        await(() -> moverRounds.get() >= 2 && worked.stream().allMatch(w -> w.runs.get() >= 1),
                () -> "the fleet's threads did not get going: " + worked);
    }

    /** Both kinds of device exist: some on the bundle's backends, some elsewhere (else the case proves nothing). */
    private void requireBoth() {
        boolean on = tracked.stream().anyMatch(t -> t.affected) && worked.stream().anyMatch(w -> w.affected);
        boolean off = tracked.stream().anyMatch(t -> !t.affected) && worked.stream().anyMatch(w -> !w.affected);
        if (!off || !on && !affected.isEmpty()) {
            throw new AssertionError("the distribution does not cover both sides (affected " + affected + "): " + describe());
        }
    }

    /** Binds {@code device} to the {@code i}-th backend round robin, or the next that takes it. */
    private String bindSomewhere(String device, List<String> backends, int i) {
        List<String> refused = new ArrayList<>();
        for (int k = 0; k < backends.size(); k++) {
            String b = backends.get((i + k) % backends.size());
            try {
                admin.bind(device, b);
                return b;
            } catch (IllegalStateException e) {
                refused.add(b + ": " + e.getMessage());
            }
        }
        throw new AssertionError("no backend takes " + device + ": " + refused);
    }

    private void track(String name, int streamId, boolean trusted, String backend) throws Exception {
        admin.addDevice(DeviceDescriptor.builder(name).streamIds(streamId).dmaMask(DmaMasks.bits(64)).pci(!trusted)
                .trusted(trusted).build());
        Tracked t = new Tracked(name, trusted ? PAGE : SUB_GRANULE);
        tracked.add(t); // from here on release() removes it, whatever fails next
        admin.bind(name, backend);
        t.open(backend);
    }

    /** Devices that have a driver of the devices bundle (a Workload service), waiting for all of the platform's. */
    private Set<String> awaitWorkloadDevices() throws Exception {
        Set<String> found = new java.util.TreeSet<>();
        await(() -> {
            found.clear();
            for (ServiceReference<Workload> r : workloadRefs(null)) {
                found.add(String.valueOf(r.getProperty(DmaApi.DEVICE_PROPERTY)));
            }
            return !found.isEmpty() && admin.devices().stream().map(DeviceStatus::name).allMatch(found::contains);
        }, () -> "not every device has its driver's workload: devices " + admin.devices() + ", workloads on " + found);
        return found;
    }

    private Collection<ServiceReference<Workload>> workloadRefs(String filter) {
        try {
            return context.getServiceReferences(Workload.class, filter);
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** The workload service of {@code device} now (on whatever backend), or null. */
    private ServiceReference<Workload> workloadRef(String device) {
        Collection<ServiceReference<Workload>> refs = workloadRefs("(" + DmaApi.DEVICE_PROPERTY + "=" + device + ")");
        return refs.isEmpty() ? null : refs.iterator().next();
    }

    private ServiceReference<Workload> awaitWorkload(String device, String backend) {
        String filter = "(&(" + DmaApi.DEVICE_PROPERTY + "=" + device + ")(" + DmaApi.BACKEND_PROPERTY + "=" + backend + "))";
        List<ServiceReference<Workload>> found = new ArrayList<>();
        await(() -> {
            found.clear();
            found.addAll(workloadRefs(filter));
            return !found.isEmpty();
        }, () -> "no workload " + filter + "; the device is " + admin.device(device));
        return found.get(0);
    }

    // ---- the threads -----------------------------------------------------------------------------

    /** The mover: every tracked device writes one of its buffers and reads it back, again and again. */
    private void moveData() {
        Random rnd = new Random(11);
        while (running.get()) {
            for (Tracked t : tracked) {
                t.moveOnce(rnd);
            }
            moverRounds.incrementAndGet();
            pause(2);
        }
    }

    private void problem(String what) {
        if (problems.size() < 50) {
            problems.add(what);
        }
    }

    // ---- checks ----------------------------------------------------------------------------------

    /** Fails with every problem the threads saw, and every device on another backend that was touched. */
    void checkOthersUntouched(String when) {
        List<String> bad = new ArrayList<>(problems);
        for (Tracked t : tracked) {
            if (!t.affected) {
                t.checkUntouched(bad);
            }
        }
        for (Worked w : worked) {
            if (!w.affected) {
                w.checkUntouched(bad);
            }
        }
        if (!bad.isEmpty()) {
            throw new AssertionError(when + ": " + bad.size() + " problem(s): " + bad + "\n" + describe());
        }
    }

    /** Waits until none of the bundle's backends is registered. */
    void awaitAffectedGone(String when) {
        await(() -> Collections.disjoint(admin.backends(), affected),
                () -> when + ": backends " + affected + " are still registered: " + admin.backends());
    }

    /** Waits until every backend of {@code names} is registered. */
    void awaitRegistered(Collection<String> names, String when) {
        await(() -> admin.backends().containsAll(names),
                () -> when + ": backends " + names + " did not all come back: " + admin.backends());
    }

    /**
     * Every device that was on the bundle's backends is now on the best backend registered
     * (the platform's binding rule, as the devices' pins went with their backend), its driver
     * was created again, its data is intact and it leaked nothing.
     */
    void checkMovedDevices(String when) throws Exception {
        List<String> bad = new ArrayList<>();
        List<String> logs = new ArrayList<>();
        for (Tracked t : tracked) {
            if (t.affected) {
                int before = bad.size();
                t.checkMoved(when, bad);
                if (bad.size() > before) {
                    logs.add(t.name);
                }
            }
        }
        for (Worked w : worked) {
            if (w.affected) {
                w.checkMoved(bad);
            }
        }
        if (!bad.isEmpty()) {
            throw new AssertionError(when + ": " + bad + "\n" + describe() + logsOf(logs));
        }
    }

    /** Waits until every device of the bundle's backends is on the best backend registered now. */
    void awaitSettled(String when) {
        List<String> names = new ArrayList<>();
        tracked.stream().filter(t -> t.affected).forEach(t -> names.add(t.name));
        worked.stream().filter(w -> w.affected).forEach(w -> names.add(w.device));
        await(() -> names.stream().allMatch(n -> expectedHome() != null && expectedHome().equals(admin.device(n).backend())),
                () -> when + ": the devices " + names + " did not all settle on " + expectedHome() + ": " + describe());
    }

    /** The backend a moved device must be on now: the best registered one that is not going away. */
    private String expectedHome() {
        List<String> now = admin.backends();
        return now.isEmpty() ? null : now.get(0);
    }

    /**
     * Stops the threads (none may hang), then checks that every device is quiet and whole: each
     * driver holds exactly what it held before the operation, and each workload runs clean on
     * the backend its device ended on (the seeded MMC bug as expected where lists merge).
     */
    void finish() throws Exception {
        List<String> bad = new ArrayList<>(stopThreads());
        bad.addAll(problems);
        for (Tracked t : tracked) {
            int live = liveMappings(t.name);
            if (live != BUFFERS) {
                bad.add(t.name + ": " + live + " live mappings after the operation, its driver holds " + BUFFERS);
            }
        }
        for (Worked w : worked) {
            w.checkQuiet(bad);
        }
        if (!bad.isEmpty()) {
            throw new AssertionError("at the end: " + bad + "\n" + describe());
        }
    }

    /** Stops the threads, each within the bounded wait; returns those that did not stop (hangs). */
    private List<String> stopThreads() throws InterruptedException {
        running.set(false);
        List<String> hung = new ArrayList<>();
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        for (Thread t : threads) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
            if (t.isAlive()) {
                hung.add(t.getName() + " did not finish within " + WAIT_MILLIS + " ms (hang) at "
                        + Arrays.toString(Arrays.copyOf(t.getStackTrace(), Math.min(12, t.getStackTrace().length))));
            }
        }
        return hung;
    }

    /**
     * Stops the threads (a failed case must not leave them running in the failsafe JVM), closes
     * the tracking drivers, removes their devices and frees their buffers; never throws.
     */
    void release() {
        try {
            stopThreads();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Tracked t : tracked) {
            t.release();
        }
    }

    /** The platform's count of the device's live mappings and coherent buffers (DevicePlatform, by reflection). */
    private int liveMappings(String device) throws Exception {
        return (Integer) admin.getClass().getMethod("liveMappings", String.class).invoke(admin, device);
    }

    /**
     * The platform's log of each device named (its swaps, and for a release that did not end in
     * time the release thread's state, the lock it waits on, who holds it, and its stack).
     */
    private String logsOf(List<String> devices) {
        StringBuilder b = new StringBuilder();
        for (String d : devices) {
            b.append("\nlog of ").append(d).append(':');
            try {
                admin.log(d).forEach(line -> b.append("\n  ").append(line));
            } catch (RuntimeException e) {
                b.append(" unavailable: ").append(e);
            }
        }
        return b.toString();
    }

    String describe() {
        TreeMap<String, String> m = new TreeMap<>();
        for (DeviceStatus s : admin.devices()) {
            m.put(s.name(), s.backend() + " swaps=" + s.swaps());
        }
        return "affected " + affected + ", backends " + admin.backends() + ", devices " + m + ", workloads " + worked;
    }

    private static void await(BooleanSupplier condition, Supplier<String> failure) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(failure.get() + " (waited " + WAIT_MILLIS + " ms)");
            }
            pause(5);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long allocPage() {
        long a = admin.allocator().allocPages(1, Zone.NORMAL);
        if (a == PageAllocator.NO_MEMORY) {
            throw new AssertionError("out of simulated memory");
        }
        return a;
    }

    private long leaks(String device) {
        return admin.allStats().stream().filter(s -> s.device().equals(device)).mapToLong(s -> s.get(Stat.LEAKS_RECLAIMED)).sum();
    }

    // ---- a device held by a TrackingDriver -------------------------------------------------------

    private final class Tracked {
        final String name;
        final int length;
        final long[] buffers = new long[BUFFERS];
        final byte[] sentinel;
        TrackingDriver driver;
        String backend;
        boolean affected;
        long[] dma;
        int swaps;
        long leaks;
        /** Mover failures on this device; tolerated only while a device of the bundle moves. */
        final AtomicInteger moverErrors = new AtomicInteger();

        Tracked(String name, int length) {
            this.name = name;
            this.length = length;
            this.sentinel = new byte[length];
            new Random(name.hashCode()).nextBytes(sentinel);
        }

        void open(String on) throws Exception {
            for (int i = 0; i < BUFFERS; i++) {
                buffers[i] = allocPage();
            }
            driver = new TrackingDriver(context, name, buffers, length, false);
            driver.open();
            backend = on;
            affected = Fleet.this.affected.contains(on);
            if (driver.starts() != 1) {
                throw new AssertionError(name + ": the tracking driver did not start on " + on);
            }
            dma = driver.dmaAddresses();
            // The device writes the sentinel through its mapping: on a bouncing backend it sits
            // in the bounce buffer until the mapping goes (the swap must copy it back).
            admin.busMaster(name).write(dma[SENTINEL], sentinel, 0, length);
            swaps = admin.device(name).swaps();
            leaks = leaks(name);
        }

        void moveOnce(Random rnd) {
            int i = rnd.nextInt(SENTINEL);
            byte[] out = new byte[length];
            rnd.nextBytes(out);
            byte[] in = new byte[length];
            BusMaster bus = admin.busMaster(name);
            // The device writes for the driver only while the driver holds its mappings: a release
            // waits for this access, so no write goes through an address being given back.
            boolean mapped = driver.whileMapped(now -> {
                try {
                    bus.write(now[i], out, 0, length);
                    bus.read(now[i], in, 0, length);
                    if (!Arrays.equals(out, in)) {
                        throw new AssertionError("read back other bytes than it wrote");
                    }
                } catch (Throwable e) {
                    moverErrors.incrementAndGet();
                    if (!affected) {
                        problem(name + " on " + backend + ": device DMA to buffer " + i + " at 0x" + Long.toHexString(now[i])
                                + " failed: " + e);
                    }
                }
            });
            if (!mapped && !affected) {
                problem(name + " on " + backend + ": its driver let go of its mappings");
            }
        }

        void checkUntouched(List<String> bad) {
            DeviceStatus s = admin.device(name);
            if (!backend.equals(s.backend()) || s.swaps() != swaps) {
                bad.add(name + ": was on " + backend + " with " + swaps + " swaps, now " + s);
            }
            if (driver.starts() != 1 || driver.stops() != 0) {
                bad.add(name + ": driver re-created (starts " + driver.starts() + ", stops " + driver.stops() + ")"
                        + (driver.releaseErrors().isEmpty() ? "" : ": " + driver.releaseErrors()));
            }
            if (!Arrays.equals(dma, driver.dmaAddresses())) {
                bad.add(name + ": DMA addresses changed");
            }
            byte[] seen = new byte[length];
            try {
                admin.busMaster(name).read(dma[SENTINEL], seen, 0, length);
                if (!Arrays.equals(sentinel, seen)) {
                    bad.add(name + ": the device reads other bytes through its live mapping than it wrote before the operation");
                }
            } catch (RuntimeException e) {
                bad.add(name + ": its live mapping no longer works: " + e);
            }
            if (leaks(name) != leaks) {
                bad.add(name + ": leaks reclaimed " + leaks + " -> " + leaks(name));
            }
        }

        void checkMoved(String when, List<String> bad) throws Exception {
            DeviceStatus s = admin.device(name);
            String home = expectedHome();
            if (s.backend() == null || !s.backend().equals(home)) {
                bad.add(name + ": was on " + backend + ", is on " + s.backend() + ", the best backend now is " + home);
                return;
            }
            if (s.swaps() <= swaps) {
                bad.add(name + ": swap count did not move (" + swaps + " -> " + s.swaps() + ")");
            }
            if (driver.starts() < 2 || driver.stops() != driver.starts() - 1) {
                bad.add(name + ": driver not released and started again (starts " + driver.starts() + ", stops "
                        + driver.stops() + ")" + (driver.releaseErrors().isEmpty() ? "" : ": " + driver.releaseErrors()));
            }
            long[] now = driver.dmaAddresses();
            if (now.length != BUFFERS) {
                bad.add(name + ": the re-created driver holds no mappings");
                return;
            }
            byte[] got = new byte[length];
            admin.memory().read(buffers[SENTINEL], got, 0, length);
            if (!Arrays.equals(sentinel, got)) {
                bad.add(name + ": the sentinel written by the device on " + backend + " is not in memory after the move");
            }
            byte[] seen = new byte[length];
            try {
                admin.busMaster(name).read(now[SENTINEL], seen, 0, length);
                if (!Arrays.equals(sentinel, seen)) {
                    bad.add(name + ": the device reads other bytes through its new mapping on " + s.backend());
                }
            } catch (RuntimeException e) {
                bad.add(name + ": its new mapping on " + s.backend() + " does not work: " + e);
            }
            if (leaks(name) != leaks) {
                bad.add(name + ": leaks reclaimed " + leaks + " -> " + leaks(name) + " (the driver unmaps everything)");
            }
            int live = liveMappings(name);
            if (live != BUFFERS) {
                bad.add(name + ": " + live + " live mappings, the driver holds " + BUFFERS);
            }
        }

        void release() {
            try {
                if (driver != null) {
                    driver.close();
                }
                admin.removeDevice(name);
            } catch (RuntimeException e) {
                // The container goes with the test method; nothing more to do.
            }
            for (long b : buffers) {
                if (b != 0) {
                    try {
                        admin.allocator().free(b);
                    } catch (RuntimeException ignored) {
                        // as above
                    }
                }
            }
        }
    }

    // ---- a device driven by the devices bundle ---------------------------------------------------

    private final class Worked {
        final String device;
        final String backend;
        final boolean affected;
        final long serviceId;
        final String workload;
        final int swaps;
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger interrupted = new AtomicInteger();
        /** Runs that failed mappings only for want of the swiotlb pool while it was gone. */
        final AtomicInteger poollessRuns = new AtomicInteger();
        boolean cleanWhereItStarted;
        int liveIdle;

        Worked(String device, String backend, ServiceReference<Workload> ref) {
            this.device = device;
            this.backend = backend;
            this.affected = Fleet.this.affected.contains(backend);
            this.serviceId = (Long) ref.getProperty(Constants.SERVICE_ID);
            this.workload = String.valueOf(ref.getProperty(Workload.NAME_PROPERTY));
            this.swaps = admin.device(device).swaps();
        }

        /** One run where the device starts, to know what a normal run looks like there. */
        void baseline() throws Exception {
            ServiceReference<Workload> ref = awaitWorkload(device, backend);
            Workload w = context.getService(ref);
            try {
                WorkloadReport r = w.run(RUN);
                cleanWhereItStarted = r.clean();
                if (!r.clean() && !w.seededBug()) {
                    throw new AssertionError(device + ": " + workload + " is not clean on " + backend + " before anything happened: " + r);
                }
            } finally {
                context.ungetService(ref);
            }
            liveIdle = liveMappings(device);
        }

        /** Runs the workload again and again, on whatever backend the device is on. */
        void loop() {
            while (running.get()) {
                ServiceReference<Workload> ref = workloadRef(device);
                Workload w = ref == null ? null : context.getService(ref);
                if (w == null) {
                    if (!affected) {
                        problem(device + " on " + backend + ": its workload service went away");
                    }
                    pause(2);
                    continue;
                }
                try {
                    long id = (Long) ref.getProperty(Constants.SERVICE_ID);
                    if (!affected && id != serviceId) {
                        problem(device + " on " + backend + ": its driver was created again (workload service "
                                + serviceId + " -> " + id + ")");
                    }
                    WorkloadReport r = w.run(RUN);
                    runs.incrementAndGet();
                    judge(r);
                } catch (Throwable t) {
                    // Workload.run reports problems instead of throwing: an escape is a defect, whoever's bundle went.
                    problem(device + ": " + workload + " threw " + t + " at "
                            + Arrays.toString(Arrays.copyOf(t.getStackTrace(), Math.min(8, t.getStackTrace().length))));
                } finally {
                    try {
                        context.ungetService(ref);
                    } catch (IllegalStateException ignored) {
                        // the test bundle's context is fine; a stale reference is harmless
                    }
                }
                pause(5);
            }
        }

        private void judge(WorkloadReport r) {
            String err = r.firstError() == null ? "" : r.firstError();
            if (err.contains("NullPointerException")) {
                problem(device + ": a run on " + r.backend() + " ended in an NPE: " + r);
            }
            if (!affected) {
                boolean asBefore = cleanWhereItStarted ? r.clean() : err.isEmpty() || r.clean() || r.dataErrors() > 0;
                if (!asBefore && poolless(r)) {
                    poollessRuns.incrementAndGet();
                } else if (!asBefore) {
                    problem(device + " on " + backend + ": a run during the operation was not as before: " + r);
                }
            } else if (!r.clean()) {
                interrupted.incrementAndGet();
            }
        }

        /** A run whose only trouble is mappings that needed the swiotlb pool while it was gone. */
        private boolean poolless(WorkloadReport r) {
            return poolGoes && r.faults() == 0 && r.dataErrors() == 0 && r.mapFailures() > 0
                    && admin.log(device).stream().anyMatch(l -> l.contains("no swiotlb pool service is registered")
                            || l.contains("bounce pool is going away"));
        }

        void checkUntouched(List<String> bad) {
            DeviceStatus s = admin.device(device);
            if (!backend.equals(s.backend()) || s.swaps() != swaps) {
                bad.add(device + ": was on " + backend + " with " + swaps + " swaps, now " + s);
            }
            ServiceReference<Workload> ref = workloadRef(device);
            if (ref == null || (Long) ref.getProperty(Constants.SERVICE_ID) != serviceId) {
                bad.add(device + ": its driver was created again or is gone");
            }
        }

        void checkMoved(List<String> bad) {
            DeviceStatus s = admin.device(device);
            String home = expectedHome();
            if (s.backend() == null || !s.backend().equals(home)) {
                bad.add(device + ": was on " + backend + ", is on " + s.backend() + ", the best backend now is " + home);
                return;
            }
            if (s.swaps() <= swaps) {
                bad.add(device + ": swap count did not move (" + swaps + " -> " + s.swaps() + ")");
            }
            try {
                awaitWorkload(device, s.backend());
            } catch (AssertionError e) {
                bad.add(device + ": the driver did not come back on " + s.backend() + ": " + e.getMessage());
            }
        }

        /** Quiet now: the driver holds what it held before, and a run where it is now is as expected. */
        void checkQuiet(List<String> bad) throws Exception {
            int live = liveMappings(device);
            if (live != liveIdle) {
                bad.add(device + ": " + live + " live mappings at rest after the operation, " + liveIdle + " before");
            }
            ServiceReference<Workload> ref = workloadRef(device);
            if (ref == null) {
                bad.add(device + ": no driver at the end");
                return;
            }
            Workload w = context.getService(ref);
            try {
                WorkloadReport r = w.run(RUN);
                if (!r.clean() && !(w.seededBug() && r.merged())) {
                    bad.add(device + ": a run after the operation, on " + r.backend() + ", is not clean: " + r);
                }
            } finally {
                context.ungetService(ref);
            }
        }

        @Override
        public String toString() {
            return device + "(" + workload + ", from " + backend + (affected ? ", affected" : "") + ", runs " + runs
                    + ", interrupted " + interrupted + (poollessRuns.get() > 0 ? ", without a pool " + poollessRuns : "") + ")";
        }
    }
}
