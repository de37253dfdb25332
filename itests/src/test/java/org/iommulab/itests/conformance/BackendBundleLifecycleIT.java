package org.iommulab.itests.conformance;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.Random;

import javax.inject.Inject;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.itests.support.Backends;
import org.iommulab.itests.support.Containers;
import org.iommulab.itests.support.TrackingDriver;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * A backend bundle stopped and started while a device is bound to it and its driver holds
 * mappings: the device moves to the next backend that accepts it, its driver is re-created,
 * nothing leaks and the data is intact; when the bundle comes back the device (ranked highest
 * there) moves back and works. A fresh container per method, since bundles change state.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class BackendBundleLifecycleIT {
    private static final String BACKEND = "smmu-v3";
    private static final String BUNDLE = "org.iommulab.smmu.v3";
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;

    @Inject
    private BundleContext context;

    @Inject
    private PlatformAdmin admin;

    @Configuration
    public Option[] config() {
        return Containers.options();
    }

    @Test
    public void stoppingAndStartingABackendBundleMovesItsDevicesAndBack() throws Exception {
        Backends.awaitBackends(admin);
        Bundle bundle = bundle(BUNDLE);
        assertTrue("registered: " + admin.backends(), admin.backends().contains(BACKEND));
        String device = "life0";
        admin.addDevice(DeviceDescriptor.builder(device).streamIds(0x720).dmaMask(DmaMasks.bits(64)).build());
        assertEquals("the highest-ranked backend takes a new device", BACKEND, admin.device(device).backend());
        long[] buffers = {page(), page()};
        TrackingDriver driver = new TrackingDriver(context, device, buffers, PAGE, false);
        driver.open();
        try {
            BusMaster bus = admin.busMaster(device);
            byte[] data = new byte[PAGE];
            new Random(9).nextBytes(data);
            bus.write(driver.dmaAddresses()[0], data, 0, PAGE);
            long leaks = admin.stats(device).get(Stat.LEAKS_RECLAIMED);

            bundle.stop();
            awaitBackend(device, false);
            assertFalse("the backend is gone", admin.backends().contains(BACKEND));
            String next = admin.device(device).backend();
            assertNotNull("the device moved to another backend", next);
            assertFalse(BACKEND.equals(next));
            assertEquals("the driver was released and started again", 2, driver.starts());
            assertEquals(1, driver.stops());
            byte[] got = new byte[PAGE];
            admin.memory().read(buffers[0], got, 0, PAGE);
            assertArrayEquals("data written before the stop is intact", data, got);
            byte[] seen = new byte[PAGE];
            bus.read(driver.dmaAddresses()[0], seen, 0, PAGE);
            assertArrayEquals("the device reaches it through " + next, data, seen);

            bundle.start();
            awaitBackend(device, true);
            assertEquals("the device went back to the highest-ranked backend", BACKEND, admin.device(device).backend());
            assertEquals(3, driver.starts());
            bus.read(driver.dmaAddresses()[0], seen, 0, PAGE);
            assertArrayEquals("and reaches its data through it again", data, seen);
            long leaked = admin.allStats().stream().filter(s -> s.device().equals(device))
                    .mapToLong(s -> s.get(Stat.LEAKS_RECLAIMED)).sum();
            assertEquals("nothing leaked across either move", leaks, leaked);
        } finally {
            driver.close();
            admin.removeDevice(device);
            for (long b : buffers) {
                admin.allocator().free(b);
            }
        }
    }

    /** Waits (10 s at most) until {@code device} is, or is no longer, bound to {@link #BACKEND}. */
    private void awaitBackend(String device, boolean on) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (BACKEND.equals(admin.device(device).backend()) != on && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + bsn + " is not installed");
    }

    private long page() {
        long a = admin.allocator().allocPages(1, Zone.NORMAL);
        assertTrue(a != PageAllocator.NO_MEMORY);
        return a;
    }
}
