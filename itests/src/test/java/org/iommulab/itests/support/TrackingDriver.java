package org.iommulab.itests.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A driver for integration tests that behaves as a DS component with a static reference to its
 * device's DmaApi: when the service appears it maps its buffers BIDIRECTIONAL and keeps them
 * mapped; when the service goes (unbind, swap) it unmaps them all, unless it was built to leak.
 * The buffers themselves (physical pages) are the test's and outlive the driver.
 */
public final class TrackingDriver {
    private final ServiceTracker<DmaApi, DmaApi> tracker;
    private final long[] buffers;
    private final int length;
    private final boolean leaks;
    private final AtomicInteger starts = new AtomicInteger();
    private final AtomicInteger stops = new AtomicInteger();
    private volatile long[] dma = new long[0];
    private volatile DmaApi current;

    public TrackingDriver(BundleContext context, String device, long[] buffers, int length, boolean leaks)
            throws InvalidSyntaxException {
        this.buffers = buffers.clone();
        this.length = length;
        this.leaks = leaks;
        String filter = "(&(" + Constants.OBJECTCLASS + "=" + DmaApi.class.getName() + ")(" + DmaApi.DEVICE_PROPERTY + "=" + device + "))";
        tracker = new ServiceTracker<>(context, FrameworkUtil.createFilter(filter), null) {
            @Override
            public DmaApi addingService(ServiceReference<DmaApi> ref) {
                DmaApi api = context.getService(ref);
                start(api);
                return api;
            }

            @Override
            public void removedService(ServiceReference<DmaApi> ref, DmaApi api) {
                stop(api);
                context.ungetService(ref);
            }
        };
    }

    public void open() {
        tracker.open();
    }

    public void close() {
        tracker.close();
    }

    private void start(DmaApi api) {
        long[] addrs = new long[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            addrs[i] = api.mapPhys(buffers[i], length, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
            if (api.mappingError(addrs[i])) {
                throw new IllegalStateException("driver could not map buffer " + i);
            }
        }
        dma = addrs;
        current = api;
        starts.incrementAndGet();
    }

    private void stop(DmaApi api) {
        if (!leaks) {
            for (long a : dma) {
                api.unmapPhys(a, length, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
            }
        }
        dma = new long[0];
        current = null;
        stops.incrementAndGet();
    }

    /** DMA addresses of the buffers under the current binding (empty while released). */
    public long[] dmaAddresses() {
        return dma.clone();
    }

    /** The DMA API the driver holds now, or null while released. */
    public DmaApi api() {
        return current;
    }

    public int starts() {
        return starts.get();
    }

    public int stops() {
        return stops.get();
    }

    /** Buffers the driver maps, for the test's checks. */
    public List<Long> buffers() {
        List<Long> l = new ArrayList<>();
        for (long b : buffers) {
            l.add(b);
        }
        return l;
    }
}
