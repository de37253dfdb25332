package org.iommulab.tck.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.iommu.IommuDriver;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/** The checks' view of a running framework: services looked up in its registry when asked. */
public final class OsgiEnvironment implements Environment {
    private final BundleContext context;
    private final PlatformAdmin admin;

    public OsgiEnvironment(BundleContext context, PlatformAdmin admin) {
        if (context == null || admin == null) {
            throw new IllegalArgumentException("the TCK needs a bundle context and the platform");
        }
        this.context = context;
        this.admin = admin;
    }

    @Override
    public PlatformAdmin admin() {
        return admin;
    }

    @Override
    public Map<String, Object> backendProperties(String name) {
        ServiceReference<DmaBackend> ref = first(DmaBackend.class, DmaBackend.NAME_PROPERTY, name);
        if (ref == null) {
            return null;
        }
        Map<String, Object> props = new HashMap<>();
        for (String key : ref.getPropertyKeys()) {
            props.put(key, ref.getProperty(key));
        }
        return props;
    }

    @Override
    public DmaBackend dmaBackend(String name) {
        return service(first(DmaBackend.class, DmaBackend.NAME_PROPERTY, name));
    }

    @Override
    public IommuDriver iommuDriver(String name) {
        return service(first(IommuDriver.class, IommuDriver.NAME_PROPERTY, name));
    }

    @Override
    public DmaApi awaitDmaApi(String device, String backend, long millis) throws InterruptedException {
        String filter = "(&(" + DmaApi.DEVICE_PROPERTY + "=" + escape(device) + ")(" + DmaApi.BACKEND_PROPERTY + "="
                + escape(backend) + "))";
        // Host time: a bounded wait for a service to appear; not simulated behaviour.
        long deadline = System.nanoTime() + millis * 1_000_000L;
        do {
            for (ServiceReference<DmaApi> ref : refs(DmaApi.class, filter)) {
                DmaApi api = context.getService(ref);
                if (api != null) {
                    return api;
                }
            }
            Thread.sleep(5);
        } while (System.nanoTime() - deadline < 0);
        return null;
    }

    @Override
    public BundleContext context() {
        return context;
    }

    @Override
    public Bundle provider(String backend) {
        ServiceReference<IommuDriver> driver = first(IommuDriver.class, IommuDriver.NAME_PROPERTY, backend);
        if (driver != null) {
            return driver.getBundle();
        }
        ServiceReference<DmaBackend> ref = first(DmaBackend.class, DmaBackend.NAME_PROPERTY, backend);
        return ref == null ? null : ref.getBundle();
    }

    private <T> T service(ServiceReference<T> ref) {
        return ref == null ? null : context.getService(ref);
    }

    /** The best-ranked service of {@code type} whose {@code key} is {@code value}, or null. */
    private <T> ServiceReference<T> first(Class<T> type, String key, String value) {
        ServiceReference<T> best = null;
        for (ServiceReference<T> ref : refs(type, "(" + key + "=" + escape(value) + ")")) {
            if (best == null || ref.compareTo(best) > 0) {
                best = ref;
            }
        }
        return best;
    }

    private <T> Collection<ServiceReference<T>> refs(Class<T> type, String filter) {
        try {
            return context.getServiceReferences(type, filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad name in filter " + filter, e);
        } catch (IllegalStateException e) {
            // The TCK's own bundle stopped under it (the framework is going down).
            throw new IllegalStateException("the framework is stopping: " + e.getMessage(), e);
        }
    }

    /** RFC 1960 filter escaping of a value. */
    static String escape(String value) {
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
