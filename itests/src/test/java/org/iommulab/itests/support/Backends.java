package org.iommulab.itests.support;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Runs a conformance case against every {@link DmaBackend} registered in the container, as
 * found in the service registry at that moment (so a backend installed at runtime is covered
 * too), and reports every backend that failed, not just the first.
 */
public final class Backends {
    private static final long WAIT_MILLIS = 10_000;

    private final BundleContext context;
    private final PlatformAdmin admin;

    public Backends(BundleContext context, PlatformAdmin admin) {
        this.context = context;
        this.admin = admin;
    }

    /** A conformance case body for one backend. */
    @FunctionalInterface
    public interface Case {
        void run(BackendUnderTest backend) throws Exception;
    }

    /** The backend a case runs against, with the DMA API of the case's device bound to it. */
    public static final class BackendUnderTest {
        public final String name;
        public final boolean isolating;
        public final DmaApi api;

        BackendUnderTest(String name, boolean isolating, DmaApi api) {
            this.name = name;
            this.isolating = isolating;
            this.api = api;
        }
    }

    /** Name -> isolation flag of every registered backend, sorted by name. */
    public Map<String, Boolean> registered() {
        Map<String, Boolean> out = new TreeMap<>();
        try {
            for (ServiceReference<DmaBackend> ref : context.getServiceReferences(DmaBackend.class, null)) {
                Object name = ref.getProperty(DmaBackend.NAME_PROPERTY);
                Object iso = ref.getProperty(DmaBackend.ISOLATION_PROPERTY);
                if (name != null) {
                    out.put(name.toString(), Boolean.TRUE.equals(iso) || "true".equals(String.valueOf(iso)));
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    /**
     * Binds {@code device} to each registered backend in turn and runs {@code body}; throws one
     * AssertionError naming every backend whose run failed.
     */
    public void forEach(String device, Case body) {
        Map<String, Boolean> backends = registered();
        if (backends.isEmpty()) {
            throw new AssertionError("no DmaBackend service is registered");
        }
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Boolean> b : backends.entrySet()) {
            try {
                admin.bind(device, b.getKey());
                DmaApi api = dmaApi(device, b.getKey());
                body.run(new BackendUnderTest(b.getKey(), b.getValue(), api));
            } catch (Throwable t) {
                // The top frames say where a backend broke; the message alone often does not.
                StackTraceElement[] top = java.util.Arrays.copyOf(t.getStackTrace(), Math.min(8, t.getStackTrace().length));
                failures.add(b.getKey() + ": " + t + " at " + java.util.Arrays.toString(top));
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " of " + backends.size() + " backend(s) failed: " + failures);
        }
    }

    /** The DMA API service of {@code device} on {@code backend}, waiting for its registration. */
    public DmaApi dmaApi(String device, String backend) throws InterruptedException, InvalidSyntaxException {
        String filter = "(&(" + DmaApi.DEVICE_PROPERTY + "=" + device + ")(" + DmaApi.BACKEND_PROPERTY + "=" + backend + "))";
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        do {
            Collection<ServiceReference<DmaApi>> refs = context.getServiceReferences(DmaApi.class, filter);
            if (!refs.isEmpty()) {
                return context.getService(refs.iterator().next());
            }
            Thread.sleep(10);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("no DmaApi service for " + filter + " within " + WAIT_MILLIS + " ms");
    }

    /** Waits until {@code admin} reports at least one backend. */
    public static void awaitBackends(PlatformAdmin admin) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (admin.backends().isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
    }
}
