package org.iommulab.app.internal.soak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A planted canary for "no stale access reaches memory": a device of the soak's own with a
 * driver that behaves like a DS component with a static reference to its DmaApi. While bound it
 * maps one page BIDIRECTIONAL, has its device write a fresh pattern through the driver's bus
 * master and read it back (the live path works); on release it unmaps and checks that the page
 * holds the pattern (no byte lost across the release), and keeps the released driver's bus
 * master and DMA address. After every soak operation, {@link #checkStale} replays a released
 * driver's device: it writes a value unique to that attempt at its old DMA address and reads
 * from there. Both must be refused as {@link FaultKind#DMA_AFTER_RELEASE}, and the value must
 * be nowhere it could have landed: not in the page, not at the old DMA address taken as a
 * physical one (plain RAM under {@code direct}), not behind the current driver's mapping.
 *
 * <p>The device moves with the others, at random, through binds and bundle stops and starts.
 * Thread-safe: the tracker's callbacks run on the swapping thread and the platform's release
 * threads.
 */
final class Canary {
    static final String DEVICE = "soak-canary";
    /** Stream IDs tried for the canary, above every built-in device's. */
    private static final int FIRST_STREAM = 0x7c0;
    private static final int STREAMS_TRIED = 16;
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;
    /** The high half of every value a released driver's device writes: easy to spot in a dump. */
    private static final long JUNK = 0xdead_0000_0000_0000L;

    private final PlatformAdmin admin;
    private final BundleContext context;
    private final long buffer;
    private final ServiceTracker<DmaApi, DmaApi> tracker;
    private final List<String> problems = new ArrayList<>();
    private final List<Released> released = new ArrayList<>();
    private Live live;
    private long patterns;
    private long junk;
    private long starts;
    private long liveChecks;
    private long staleAttempts;
    private long staleRefused;

    /** The driver as bound now. */
    private record Live(DmaApi api, BusMaster bus, long dma, long pattern) {
    }

    /** A released driver's device: its bus master and the DMA address its mapping had. */
    private record Released(BusMaster bus, long dma, String backend) {
    }

    private Canary(PlatformAdmin admin, BundleContext context, long buffer) throws InvalidSyntaxException {
        this.admin = admin;
        this.context = context;
        this.buffer = buffer;
        String filter = "(&(" + Constants.OBJECTCLASS + "=" + DmaApi.class.getName() + ")(" + DmaApi.DEVICE_PROPERTY + "="
                + DEVICE + "))";
        tracker = new ServiceTracker<>(context, FrameworkUtil.createFilter(filter), null) {
            @Override
            public DmaApi addingService(ServiceReference<DmaApi> ref) {
                DmaApi api = context.getService(ref);
                if (api != null) {
                    bound(api);
                }
                return api;
            }

            @Override
            public void removedService(ServiceReference<DmaApi> ref, DmaApi api) {
                release(api);
                context.ungetService(ref);
            }
        };
    }

    /**
     * Adds the canary device (32-bit, so that under {@code direct} its old IOVAs are plain RAM)
     * and starts its driver.
     *
     * @throws IllegalStateException when no page or no free stream ID could be had
     */
    static Canary plant(PlatformAdmin admin, BundleContext context) throws InvalidSyntaxException {
        long page = admin.allocator().allocPages(1, Zone.DMA32);
        if (page == PageAllocator.NO_MEMORY) {
            throw new IllegalStateException("no page below 4 GiB for the canary");
        }
        Canary c = new Canary(admin, context, page);
        c.tracker.open();
        IllegalArgumentException last = null;
        for (int i = 0; i < STREAMS_TRIED; i++) {
            try {
                admin.addDevice(DeviceDescriptor.builder(DEVICE).streamIds(FIRST_STREAM + i).dmaMask(DmaMasks.bits(32)).build());
                return c;
            } catch (IllegalArgumentException e) {
                // Another device has that stream ID (or a canary was left behind): try the next one.
                last = e;
            }
        }
        c.tracker.close();
        admin.allocator().free(page);
        throw new IllegalStateException("could not add the canary device: " + last.getMessage(), last);
    }

    /** The driver's probe: map the page, let the device write a fresh pattern and read it back. */
    private synchronized void bound(DmaApi api) {
        starts++;
        try {
            long dma = api.mapPhys(buffer, PAGE, DmaDirection.BIDIRECTIONAL, 0);
            if (api.mappingError(dma)) {
                problem("canary: mapping its page failed on " + api.backendName());
                return;
            }
            BusMaster bus = api.busMaster();
            long pattern = 0x5a5a_0000_0000_0000L | ++patterns;
            bus.writeLong(dma, pattern);
            bus.writeLong(dma + PAGE - 8, ~pattern);
            long back = bus.readLong(dma);
            if (back != pattern || bus.readLong(dma + PAGE - 8) != ~pattern) {
                problem("canary: on " + api.backendName() + " the device read back 0x" + Long.toHexString(back)
                        + " after writing 0x" + Long.toHexString(pattern));
            }
            live = new Live(api, bus, dma, pattern);
            liveChecks++;
        } catch (RuntimeException e) {
            problem("canary: its driver's probe on " + api.backendName() + " failed: " + e);
        }
    }

    /** The driver's remove: unmap (the bytes come back to the page on every backend), check them, keep the handle. */
    private synchronized void release(DmaApi api) {
        Live l = live;
        live = null;
        if (l == null || l.api != api) {
            return;
        }
        try {
            api.unmapPhys(l.dma, PAGE, DmaDirection.BIDIRECTIONAL, 0);
            long first = admin.memory().readLong(buffer);
            long last = admin.memory().readLong(buffer + PAGE - 8);
            if (first != l.pattern || last != ~l.pattern) {
                problem("canary: after its release from " + api.backendName() + " the page holds 0x" + Long.toHexString(first)
                        + ", not the pattern 0x" + Long.toHexString(l.pattern) + " its device wrote");
            }
        } catch (RuntimeException e) {
            problem("canary: its driver's remove on " + api.backendName() + " failed: " + e);
        }
        released.add(new Released(l.bus, l.dma, api.backendName()));
    }

    /** Replays every driver released since the last call: its device's DMA must reach no memory. */
    synchronized void checkStale() {
        for (Released r : released) {
            long value = JUNK | ++junk;
            staleAttempts++;
            boolean writeRefused = refused(r, "write", () -> r.bus.writeLong(r.dma, value));
            boolean readRefused = refused(r, "read", () -> r.bus.readLong(r.dma));
            if (writeRefused && readRefused) {
                staleRefused++;
            }
            landedNowhere(r, value);
        }
        released.clear();
    }

    private boolean refused(Released r, String what, Runnable access) {
        try {
            access.run();
            problem("canary: a " + what + " by the device of its driver released from " + r.backend + " at 0x"
                    + Long.toHexString(r.dma) + " went through");
            return false;
        } catch (DmaFaultException e) {
            if (e.fault().kind() != FaultKind.DMA_AFTER_RELEASE) {
                problem("canary: a " + what + " by the device of its driver released from " + r.backend
                        + " was refused as " + e.fault().kind() + ", not as DMA_AFTER_RELEASE: " + e.fault());
                return false;
            }
            return true;
        }
    }

    /** The released write's value is not in the page, not at the old address as RAM, not behind the live mapping. */
    private void landedNowhere(Released r, long value) {
        byte[] page = new byte[PAGE];
        admin.memory().read(buffer, page, 0, PAGE);
        if (contains(page, value)) {
            problem("canary: a write of its driver released from " + r.backend + " reached its page");
        }
        if (admin.memory().isRam(r.dma, 8) && admin.memory().readLong(r.dma) == value) {
            problem("canary: a write of its driver released from " + r.backend + " reached RAM at 0x"
                    + Long.toHexString(r.dma));
        }
        Live l = live;
        if (l != null) {
            try {
                if (l.bus.readLong(l.dma) == value) {
                    problem("canary: a write of its driver released from " + r.backend + " reached the mapping of the driver bound to "
                            + l.api.backendName() + " now");
                }
            } catch (DmaFaultException e) {
                problem("canary: the device of its driver bound to " + l.api.backendName() + " cannot read its own mapping: "
                        + e.fault());
            }
        }
    }

    private static boolean contains(byte[] page, long value) {
        for (int i = 0; i + 8 <= page.length; i += 8) {
            long v = 0;
            for (int b = 7; b >= 0; b--) {
                v = v << 8 | (page[i + b] & 0xff);
            }
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    /**
     * Removes the device (the platform releases the driver, which unmaps), replays that last
     * driver too, then stops tracking and frees the page.
     */
    void remove() {
        try {
            admin.removeDevice(DEVICE);
        } catch (RuntimeException e) {
            synchronized (this) {
                problem("canary: removing its device failed: " + e);
            }
        }
        checkStale();
        tracker.close();
        admin.allocator().free(buffer);
    }

    private void problem(String what) {
        if (problems.size() < 10) {
            problems.add(what);
        }
    }

    /** True while a driver is bound. */
    synchronized boolean isBound() {
        return live != null;
    }

    synchronized Counts counts() {
        return new Counts(starts, liveChecks, staleAttempts, staleRefused, List.copyOf(problems));
    }

    /**
     * What the canary saw.
     *
     * @param starts drivers started
     * @param liveChecks drivers whose device wrote and read its page back through its mapping
     * @param staleAttempts released drivers whose device tried a write and a read afterwards
     * @param staleRefused those whose write and read were both refused as DMA after release
     * @param problems what went wrong, at most 10
     */
    record Counts(long starts, long liveChecks, long staleAttempts, long staleRefused, List<String> problems) {
    }

    @Override
    public String toString() {
        return "canary " + DEVICE + " page 0x" + Long.toHexString(buffer) + " " + Arrays.asList(counts());
    }
}
