package org.iommulab.app.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.MappingListener;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.platform.SimClock;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.app.internal.collect.DomainProbe;
import org.iommulab.app.internal.collect.RunCollector;
import org.iommulab.app.internal.console.ConsoleServices;
import org.iommulab.app.internal.console.ConsoleView;
import org.iommulab.app.internal.report.ResultRow;
import org.iommulab.app.internal.scenario.ScenarioParser;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The console's run (console.jar, started by {@code iommulab.jar --console}): the platform as the
 * plugin sees it ({@link ConsoleView}), a collector that listens for as long as the console
 * runs, and the plugin's services; then it waits until the framework stops.
 */
final class ConsoleMode implements ConsoleView {
    static final String WEBCONSOLE = "org.apache.felix.webconsole";

    private final BundleContext context;
    private final PlatformAdmin admin;
    private final SimClock clock;
    private final RunCollector collector;
    private volatile List<ResultRow> lastRows = List.of();

    ConsoleMode(BundleContext context, PlatformAdmin admin, SimClock clock, ServiceTracker<SwiotlbPool, SwiotlbPool> pools) {
        this.context = context;
        this.admin = admin;
        this.clock = clock;
        this.collector = new RunCollector(() -> {
            SwiotlbPool p = pools.getService();
            return p == null ? null : p.stats();
        }, DomainProbe.of(admin));
    }

    /** True in the console's run: the Web Console bundle is installed. */
    static boolean present(BundleContext context) {
        for (Bundle b : context.getBundles()) {
            if (WEBCONSOLE.equals(b.getSymbolicName())) {
                return true;
            }
        }
        return false;
    }

    /** Serves until the framework stops; returns its exit status then. */
    static int serve(BundleContext context, PlatformAdmin admin, SimClock clock, String password, int port)
            throws InterruptedException {
        ServiceTracker<SwiotlbPool, SwiotlbPool> pools = new ServiceTracker<>(context, SwiotlbPool.class, null);
        pools.open();
        ConsoleMode mode = new ConsoleMode(context, admin, clock, pools);
        ServiceRegistration<MappingListener> listening = context.registerService(MappingListener.class, mode.collector, null);
        try (ConsoleServices services = new ConsoleServices(context, password, mode)) {
            System.out.println("iommulab: console at http://127.0.0.1:" + port + "/system/console/iommu (user "
                    + org.iommulab.app.internal.console.ConsolePassword.USER + "); stop with Ctrl-C");
            System.out.flush();
            new CountDownLatch(1).await(); // until the framework stops and interrupts the main thread, or the JVM exits
            return BatchJob.OK;
        } finally {
            listening.unregister();
            pools.close();
        }
    }

    @Override
    public List<Backend> backends() {
        List<Backend> out = new ArrayList<>();
        try {
            for (ServiceReference<DmaBackend> r : context.getServiceReferences(DmaBackend.class, null)) {
                Object name = r.getProperty(DmaBackend.NAME_PROPERTY);
                Object ranking = r.getProperty(Constants.SERVICE_RANKING);
                Bundle b = r.getBundle();
                out.add(new Backend(String.valueOf(name), ranking instanceof Integer i ? i : 0,
                        b == null ? "(gone)" : b.getSymbolicName() + " " + b.getVersion(), b == null ? "" : state(b)));
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("no filter was given", e);
        }
        out.sort((x, y) -> x.ranking() != y.ranking() ? Integer.compare(y.ranking(), x.ranking()) : x.name().compareTo(y.name()));
        return out;
    }

    private static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "active";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            case Bundle.RESOLVED -> "resolved";
            default -> "installed";
        };
    }

    @Override
    public List<Device> devices() {
        List<Device> out = new ArrayList<>();
        for (DeviceStatus d : admin.devices()) {
            DeviceStats s = d.backend() == null ? null : admin.stats(d.name());
            out.add(new Device(d.name(), d.backend(), d.targetFilter(), d.swaps(), get(s, Stat.MAPS), get(s, Stat.BOUNCED_BYTES),
                    get(s, Stat.IOTLB_HITS), get(s, Stat.IOTLB_MISSES), get(s, Stat.FAULTS), get(s, Stat.CHECKER_FINDINGS)));
        }
        return out;
    }

    private static long get(DeviceStats s, Stat stat) {
        return s == null ? 0 : s.get(stat);
    }

    @Override
    public String swap(String device, String backend) {
        if (device == null || backend == null) {
            return "swap: a device and a backend are needed";
        }
        try {
            admin.bind(device, backend);
            return "swapped " + device + " to " + backend;
        } catch (IllegalArgumentException | IllegalStateException e) {
            return "swap of " + device + " to " + backend + " failed: " + e.getMessage();
        }
    }

    @Override
    public synchronized String runWorkloads() {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);
        try {
            ServiceWorkloads workloads = new ServiceWorkloads(context, MainJob.WAIT_MILLIS);
            int status = new BatchJob(admin, workloads, clock, out).onRows(rows -> lastRows = rows)
                    .run(ScenarioParser.parse("console", new StringReader("rounds 2\n")));
            String[] lines = text.toString(StandardCharsets.UTF_8).split("\n");
            return "run finished (exit status " + status + "): " + lines[lines.length - 1];
        } catch (IOException | RuntimeException e) {
            return "the run failed: " + e;
        }
    }

    @Override
    public List<ResultRow> lastRows() {
        return lastRows;
    }

    @Override
    public RunCollector collector() {
        return collector;
    }

    @Override
    public Map<String, List<String>> deviceLogs() {
        Map<String, List<String>> logs = new LinkedHashMap<>();
        for (DeviceStatus d : admin.devices()) {
            logs.put(d.name(), admin.log(d.name()));
        }
        return logs;
    }
}
