package org.iommulab.app.internal;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.devices.Workload;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/** The workloads in the service registry, as the main job looks for them. */
final class ServiceWorkloads implements WorkloadLookup {
    private final BundleContext context;
    private final long waitMillis;

    ServiceWorkloads(BundleContext context, long waitMillis) {
        this.context = context;
        this.waitMillis = waitMillis;
    }

    @Override
    public Map<String, Workload> present() {
        Map<String, Workload> out = new TreeMap<>();
        for (ServiceReference<Workload> ref : refs(null)) {
            Object name = ref.getProperty(Workload.NAME_PROPERTY);
            Workload w = name == null ? null : context.getService(ref);
            if (w != null) {
                out.putIfAbsent(name.toString(), w);
            }
        }
        return out;
    }

    /** The workload names registered now, from the service properties alone (no service is got). */
    Set<String> names() {
        Set<String> out = new TreeSet<>();
        for (ServiceReference<Workload> ref : refs(null)) {
            Object name = ref.getProperty(Workload.NAME_PROPERTY);
            if (name != null) {
                out.add(name.toString());
            }
        }
        return out;
    }

    @Override
    public Workload await(String name, String backend) {
        String filter = "(&(" + Workload.NAME_PROPERTY + "=" + escape(name) + ")(" + DmaApi.BACKEND_PROPERTY + "="
                + escape(backend) + "))";
        // Host time: this thread waits for the framework's threads to register a service; a bound
        // on a real wait, not simulated behaviour (the simulation reads only its SimClock).
        long deadline = System.currentTimeMillis() + waitMillis;
        do {
            for (ServiceReference<Workload> ref : refs(filter)) {
                Workload w = context.getService(ref);
                if (w != null) {
                    return w;
                }
            }
        } while (pause(deadline));
        return null;
    }

    /**
     * Waits until the set of workloads has not changed for {@code quietMillis} (drivers come up as
     * their devices are bound), at most the lookup's wait.
     */
    void awaitSettled(long quietMillis) {
        awaitSettled(quietMillis, () -> false);
    }

    /**
     * Waits until {@code atRest} says the registry is complete (checked first, so no wait at all
     * when it already is), or else, as {@link #awaitSettled(long)}, until the set of workloads has
     * not changed for {@code quietMillis}; at most the lookup's wait.
     */
    void awaitSettled(long quietMillis, BooleanSupplier atRest) {
        if (atRest.getAsBoolean() && !names().isEmpty()) {
            return;
        }
        // Host time: a bounded wait for the framework's threads to register the workloads, not
        // simulated behaviour.
        long deadline = System.currentTimeMillis() + waitMillis;
        Set<String> last = names();
        long since = System.currentTimeMillis();
        while (System.currentTimeMillis() - since < quietMillis && pause(deadline)) {
            if (atRest.getAsBoolean() && !last.isEmpty()) {
                return;
            }
            Set<String> now = names();
            if (!now.equals(last) || now.isEmpty()) {
                last = now;
                since = System.currentTimeMillis();
            }
        }
    }

    private Collection<ServiceReference<Workload>> refs(String filter) {
        try {
            return context.getServiceReferences(Workload.class, filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad workload or backend name in filter " + filter, e);
        }
    }

    /** Sleeps a little; false once the deadline passed (or the thread was interrupted). */
    private static boolean pause(long deadline) {
        if (System.currentTimeMillis() >= deadline) {
            return false;
        }
        try {
            Thread.sleep(10);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String escape(String value) {
        StringBuilder b = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
