package org.iommulab.replay.internal.ds;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiFunction;

import org.iommulab.api.dma.DmaApi;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The DMA API of (device, backend) from the service registry: the platform registers one
 * {@link DmaApi} per device with {@value DmaApi#DEVICE_PROPERTY} and
 * {@value DmaApi#BACKEND_PROPERTY}, and re-registers it after every swap, so a lookup right
 * after {@code bind} may wait briefly for the new registration. Every service got is released
 * by {@link #close()}.
 */
final class ServiceDmaApiLookup implements BiFunction<String, String, DmaApi>, AutoCloseable {
    static final long WAIT_MILLIS = 10_000;

    private final BundleContext context;
    private final List<ServiceReference<DmaApi>> got = new ArrayList<>();

    ServiceDmaApiLookup(BundleContext context) {
        this.context = context;
    }

    @Override
    public DmaApi apply(String device, String backend) {
        String filter = "(&(" + DmaApi.DEVICE_PROPERTY + "=" + escape(device) + ")(" + DmaApi.BACKEND_PROPERTY + "="
                + escape(backend) + "))";
        // Host time: waiting for the framework to publish a service is a real wait with a bound,
        // not simulated behaviour (the replay's simulation reads only the SimClock).
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        try {
            do {
                Collection<ServiceReference<DmaApi>> refs = context.getServiceReferences(DmaApi.class, filter);
                for (ServiceReference<DmaApi> ref : refs) {
                    DmaApi api = context.getService(ref);
                    if (api != null) {
                        got.add(ref);
                        return api;
                    }
                }
                Thread.sleep(10);
            } while (System.currentTimeMillis() < deadline);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad device or backend name in filter " + filter, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /** RFC 1960 filter escaping of '\', '*', '(' and ')'. */
    static String escape(String v) {
        StringBuilder b = new StringBuilder(v.length());
        for (char c : v.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    @Override
    public void close() {
        for (ServiceReference<DmaApi> ref : got) {
            try {
                context.ungetService(ref);
            } catch (IllegalStateException e) {
                // our bundle is stopping: the framework releases everything anyway
            }
        }
        got.clear();
    }
}
