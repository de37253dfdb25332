package org.iommulab.itests.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

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
 *
 * <p>A test thread that plays the device doing DMA for the driver uses {@link #whileMapped}: the
 * release first quiesces the device, as Linux's {@code remove} does before it unmaps (it waits
 * for such an access in flight, and none starts after), so the device never writes through an
 * address the driver is giving back. Without that, a test thread that read the addresses just
 * before a swap and wrote just after (a thread descheduled for a while, as under load) would
 * write to a swiotlb slot already handed to another device, or to RAM at a stale IOVA on a
 * backend that does not translate.
 */
public final class TrackingDriver {
    private final ServiceTracker<DmaApi, DmaApi> tracker;
    private final long[] buffers;
    private final int length;
    private final boolean leaks;
    private final AtomicInteger starts = new AtomicInteger();
    private final AtomicInteger stops = new AtomicInteger();
    private final List<String> releaseErrors = new CopyOnWriteArrayList<>();
    private volatile long[] dma = new long[0];
    private volatile DmaApi current;
    /** Read: a device access through the mappings in flight; write: the release quiescing the device. */
    private final ReadWriteLock quiesce = new ReentrantReadWriteLock();

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
        // Quiesce the device: wait for its access in flight (it never waits for anything itself),
        // and let none start after.
        quiesce.writeLock().lock();
        long[] mapped = dma;
        try {
            dma = new long[0];
            current = null;
        } finally {
            quiesce.writeLock().unlock();
        }
        if (!leaks) {
            try {
                for (long a : mapped) {
                    api.unmapPhys(a, length, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
                }
            } catch (RuntimeException e) {
                // The framework only logs what a listener throws: keep it for the test to report.
                releaseErrors.add("release " + (stops.get() + 1) + " failed: " + e);
                throw e;
            }
        }
        stops.incrementAndGet();
    }

    /**
     * Runs {@code access} with the DMA addresses of the buffers as mapped now, and the driver's
     * release waits until it returns: for device DMA on the driver's behalf. {@code access} must
     * not wait for anything (a device access never does). Runs nothing while released.
     *
     * @return false when the driver holds no mappings now (nothing ran)
     */
    public boolean whileMapped(Consumer<long[]> access) {
        quiesce.readLock().lock();
        try {
            long[] now = dma;
            if (now.length == 0) {
                return false;
            }
            access.accept(now.clone());
            return true;
        } finally {
            quiesce.readLock().unlock();
        }
    }

    /** What each release that threw (an unmap the backend failed) threw, oldest first. */
    public List<String> releaseErrors() {
        return new ArrayList<>(releaseErrors);
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
