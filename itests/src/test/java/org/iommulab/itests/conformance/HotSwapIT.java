package org.iommulab.itests.conformance;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
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
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * Hot-swap in a running Felix: a device moves between backends while its driver holds
 * mappings. The driver is released and re-created, nothing leaks, and data written by the
 * device before the swap is intact after it; a driver that leaks is caught and its mappings
 * reclaimed.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapIT {
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
    public void swappingUnderAHoldingDriverLosesNoDataAndLeaksNothing() throws Exception {
        Backends.awaitBackends(admin);
        String device = "swap0";
        admin.addDevice(DeviceDescriptor.builder(device).streamIds(0x710).dmaMask(DmaMasks.bits(64)).build());
        List<String> order = backendCycle();
        admin.bind(device, order.get(0));
        long[] buffers = {page(), page(), page()};
        TrackingDriver driver = new TrackingDriver(context, device, buffers, PAGE, false);
        driver.open();
        try {
            assertEquals(1, driver.starts());
            BusMaster bus = admin.busMaster(device);
            byte[][] written = new byte[buffers.length][];
            Random rnd = new Random(5);
            for (int round = 0; round < 2 * order.size(); round++) {
                String target = order.get((round + 1) % order.size());
                // The device fills every buffer through the current mappings ...
                long[] dma = driver.dmaAddresses();
                for (int i = 0; i < buffers.length; i++) {
                    written[i] = new byte[PAGE];
                    rnd.nextBytes(written[i]);
                    bus.write(dma[i], written[i], 0, PAGE);
                }
                long leaksBefore = admin.stats(device).get(Stat.LEAKS_RECLAIMED);
                // ... then the device moves; the driver releases (unmapping copies bounced data back).
                admin.bind(device, target);
                assertEquals(target, admin.device(device).backend());
                assertEquals(round + 2, driver.starts());
                assertEquals(round + 1, driver.stops());
                assertEquals("nothing leaked", leaksBefore, admin.stats(device).get(Stat.LEAKS_RECLAIMED));
                for (int i = 0; i < buffers.length; i++) {
                    byte[] got = new byte[PAGE];
                    admin.memory().read(buffers[i], got, 0, PAGE);
                    assertArrayEquals("buffer " + i + " after the swap to " + target, written[i], got);
                    // And the device reaches the same bytes through the new backend's mappings.
                    byte[] seen = new byte[PAGE];
                    bus.read(driver.dmaAddresses()[i], seen, 0, PAGE);
                    assertArrayEquals("device view of buffer " + i + " on " + target, written[i], seen);
                }
            }
            assertTrue(admin.device(device).swaps() >= 2 * order.size());
        } finally {
            driver.close();
            admin.removeDevice(device);
            for (long b : buffers) {
                admin.allocator().free(b);
            }
        }
    }

    @Test
    public void aLeakingDriverIsCaughtAndItsMappingsReclaimed() throws Exception {
        Backends.awaitBackends(admin);
        String device = "leak0";
        admin.addDevice(DeviceDescriptor.builder(device).streamIds(0x711).dmaMask(DmaMasks.bits(64)).build());
        List<String> order = backendCycle();
        admin.bind(device, order.get(0));
        long[] buffers = {page(), page()};
        TrackingDriver driver = new TrackingDriver(context, device, buffers, PAGE, true);
        driver.open();
        try {
            long before = admin.stats(device).get(Stat.LEAKS_RECLAIMED);
            admin.bind(device, order.get(1));
            assertEquals(order.get(1), admin.device(device).backend());
            // The statistics follow the backend: the leaks were counted on the one the device left.
            long reclaimed = admin.allStats().stream()
                    .filter(s -> s.device().equals(device) && s.backend().equals(order.get(0)))
                    .mapToLong(s -> s.get(Stat.LEAKS_RECLAIMED)).sum();
            assertEquals(before + 2, reclaimed);
            assertTrue("the leak is reported in dma-debug's words: " + admin.log(device),
                    admin.log(device).stream().anyMatch(l -> l.contains("pending DMA allocations")));
            assertEquals(2, driver.starts());
        } finally {
            driver.close();
            admin.removeDevice(device);
            for (long b : buffers) {
                admin.allocator().free(b);
            }
        }
    }

    /** Every backend present, so a swap visits each; at least two are needed. */
    private List<String> backendCycle() {
        List<String> order = new ArrayList<>(admin.backends());
        assertTrue("need two backends to swap between, have " + order, order.size() >= 2);
        return order;
    }

    private long page() {
        long a = admin.allocator().allocPages(1, Zone.NORMAL);
        assertTrue(a != PageAllocator.NO_MEMORY);
        return a;
    }
}
