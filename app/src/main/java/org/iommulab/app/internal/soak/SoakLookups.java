package org.iommulab.app.internal.soak;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.devices.Workload;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * What {@link SoakEngine} looks up in the framework and the platform: the workloads and the
 * bundles that register backends (service registry), where the soak's devices are bound and
 * their counters (PlatformAdmin), and a bounded poll for what must appear. Reads only; the
 * engine decides what to do with the answers. Host time bounds the waits, nothing simulated.
 *
 * <p>Thread-safe as the framework's registry and PlatformAdmin are: it keeps no state of its own.
 */
final class SoakLookups {
    /** How long to wait for backends, workloads and drivers to appear (host time). */
    static final long APPEAR_MILLIS = 10_000;
    /** The workloads are all up when their set has not changed for this long. */
    private static final long SETTLE_MILLIS = 300;

    private final BundleContext context;
    private final PlatformAdmin admin;
    private final SoakSettings settings;

    SoakLookups(BundleContext context, PlatformAdmin admin, SoakSettings settings) {
        this.context = context;
        this.admin = admin;
        this.settings = settings;
    }

    <S> Bundle provider(Class<S> type, String property, String name) {
        try {
            for (ServiceReference<S> ref : context.getServiceReferences(type, "(" + property + "=" + name + ")")) {
                return ref.getBundle();
            }
            return null;
        } catch (InvalidSyntaxException e) {
            return null;
        }
    }

    /** The workloads registered once their set settles: name -> device. */
    Map<String, String> awaitWorkloads() throws InterruptedException {
        await(() -> admin.backends().size() >= 2 && admin.devices().stream().allMatch(d -> d.backend() != null));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(APPEAR_MILLIS);
        Map<String, String> last = registeredWorkloads();
        long since = System.nanoTime();
        while (System.nanoTime() < deadline && (last.isEmpty() || System.nanoTime() - since < TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS))) {
            Thread.sleep(10);
            Map<String, String> now = registeredWorkloads();
            if (!now.equals(last)) {
                last = now;
                since = System.nanoTime();
            }
        }
        return last;
    }

    Map<String, String> registeredWorkloads() {
        Map<String, String> out = new TreeMap<>();
        for (ServiceReference<Workload> ref : workloadRefs(null)) {
            Object name = ref.getProperty(Workload.NAME_PROPERTY);
            Object device = ref.getProperty(DmaApi.DEVICE_PROPERTY);
            if (name != null && device != null) {
                out.put(name.toString(), device.toString());
            }
        }
        return out;
    }

    Workload awaitWorkload(String name, String backend) {
        String filter = "(&(" + Workload.NAME_PROPERTY + "=" + name + ")(" + DmaApi.BACKEND_PROPERTY + "="
                + backend + "))";
        Workload[] found = new Workload[1];
        await(() -> {
            for (ServiceReference<Workload> ref : workloadRefs(filter)) {
                found[0] = context.getService(ref);
                if (found[0] != null) {
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    Collection<ServiceReference<Workload>> workloadRefs(String filter) {
        try {
            return context.getServiceReferences(Workload.class, filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad workload filter " + filter, e);
        }
    }

    /**
     * Whether {@code name} is a registered backend that does not isolate devices (no IOMMU, so no
     * merged scatterlists). False for an IOMMU, and for a backend not registered (any more): a
     * workload found on a backend whose bundle is stopping may still map there before its
     * release begins.
     */
    boolean nonIsolating(String name) {
        try {
            for (ServiceReference<DmaBackend> ref : context.getServiceReferences(DmaBackend.class,
                    "(" + DmaBackend.NAME_PROPERTY + "=" + name + ")")) {
                Object iso = ref.getProperty(DmaBackend.ISOLATION_PROPERTY);
                return !(Boolean.TRUE.equals(iso) || "true".equals(String.valueOf(iso)));
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            // A name that does not fit a filter, or a framework stopping: not a backend we know of.
        }
        return false;
    }

    /** The backend bundles of the settings that are installed and active, by symbolic name. */
    Map<String, Bundle> bundles() {
        Map<String, Bundle> out = new LinkedHashMap<>();
        for (String bsn : settings.bundles()) {
            for (Bundle b : context.getBundles()) {
                if (bsn.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) {
                    out.put(bsn, b);
                }
            }
        }
        return out;
    }

    /** Device -> backend (null: unbound) of {@code devices} now. */
    Map<String, String> placement(List<String> devices) {
        Map<String, String> out = new HashMap<>();
        for (DeviceStatus s : admin.devices()) {
            if (devices.contains(s.name())) {
                out.put(s.name(), s.backend());
            }
        }
        return out;
    }

    int swapCount(List<String> devices) {
        return admin.devices().stream().filter(s -> devices.contains(s.name())).mapToInt(DeviceStatus::swaps).sum();
    }

    /** Each counter summed over every backend the soak's devices were ever bound to. */
    Map<String, Long> totals(List<String> devices) {
        Map<String, Long> out = new HashMap<>();
        for (DeviceStats s : admin.allStats()) {
            if (devices.contains(s.device())) {
                for (Stat st : Stat.values()) {
                    out.merge(st.name(), s.get(st), Long::sum);
                }
            }
        }
        return out;
    }

    static long totalOf(Map<String, Long> now, Map<String, Long> baseline, Stat s) {
        return now.getOrDefault(s.name(), 0L) - baseline.getOrDefault(s.name(), 0L);
    }

    /** Polls {@code condition} every 10 ms for at most {@link #APPEAR_MILLIS}. */
    static boolean await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(APPEAR_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
