package org.iommulab.platform.internal.core;

import static org.iommulab.platform.internal.core.SwapProtocolTest.awaitTrue;
import static org.iommulab.platform.internal.testing.TestPlatforms.device;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.dma.DeviceDmaApi;
import org.iommulab.testkit.RecordingBackend;
import org.iommulab.testkit.FakeDriver;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.platform.internal.testing.TestPlatforms;
import org.junit.jupiter.api.Test;

/**
 * The release half of the swap protocol: a driver that waits in its release for its own calls
 * or its device's DMA completes; a release that never ends ends the swap with its thread dump
 * and the device stays; a released driver's DMA reaches no memory. The bounds here fail a test
 * on a hang; nothing asserts how long anything took.
 */
class SwapReleaseTest {
    private static final long PAGE = PageAllocator.PAGE_SIZE;
    /** Short, so a test of a stuck release does not sit for the default few seconds. */
    private static final long BOUND_MILLIS = 300;

    private final FakeDrivers drivers = new FakeDrivers();
    private final DevicePlatform platform = TestPlatforms.platform(drivers, CheckerSettings.DEFAULT,
            PlatformSettings.DEFAULT.withReleaseTimeoutMillis(BOUND_MILLIS));
    private final RecordingBackend a = new RecordingBackend("a", 0);
    private final RecordingBackend b = new RecordingBackend("b", 1L << 40);

    private void twoBackendsOneDevice() {
        platform.addBackend(a, props(a, 10));
        platform.addBackend(b, props(b, 1));
        platform.addDevice(device("nic0", 0x10));
        assertEquals("a", platform.device("nic0").backend());
    }

    private long page() {
        return platform.allocator().allocPages(1, Zone.NORMAL);
    }

    @Test
    void aDriverWhoseReleaseWaitsForItsOwnInFlightCallCompletes() throws Exception {
        twoBackendsOneDevice();
        FakeDriver driver = drivers.running("nic0");
        DeviceDmaApi api = (DeviceDmaApi) driver.api();
        long p = page();
        CountDownLatch inBackend = new CountDownLatch(1);
        // The driver's worker is inside a mapping, in the backend, when the swap starts, and
        // stays there until the release has begun: a call in flight across the release.
        a.onMapPhys = () -> {
            inBackend.countDown();
            awaitTrue(api::isReleasing);
        };
        AtomicReference<Throwable> workerEnd = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                for (;;) {
                    long dma = api.mapPhys(p, 64, DmaDirection.TO_DEVICE, 0);
                    api.unmapPhys(dma, 64, DmaDirection.TO_DEVICE, 0);
                }
            } catch (Throwable t) {
                workerEnd.set(t);
            }
        }, "driver-worker");
        worker.start();
        assertTrue(inBackend.await(10, TimeUnit.SECONDS));
        // Linux's remove waits for the driver's own work: so does this release.
        drivers.onStop = d -> join(worker);

        platform.bind("nic0", "b");

        assertTrue(workerEnd.get() instanceof DmaUsageException, String.valueOf(workerEnd.get()));
        assertTrue(workerEnd.get().getMessage().contains("is being swapped from a to b"), workerEnd.get().getMessage());
        assertEquals(1, a.calls("mapPhys").size(), "the call in flight completed; the next one failed at once");
        assertEquals(1, a.calls("unmapPhys").size(), "its unmap passed while the driver was being released");
        assertEquals(0, leaks(), "nothing leaked");
        assertEquals("b", platform.device("nic0").backend());
        assertTrue(api.isRetired());
    }

    @Test
    void aDriverMayWaitInItsReleaseForItsDevicesDmaWhichStillReachesMemory() {
        twoBackendsOneDevice();
        FakeDriver driver = drivers.running("nic0");
        long p = page();
        long dma = driver.map(p, PAGE, DmaDirection.FROM_DEVICE);
        BusMaster device = driver.api().busMaster();
        // The device's last DMA, which the driver's remove waits for, happens during the release.
        drivers.onStop = d -> device.writeLong(dma + 8, 0x600d_0000_0000_0001L);

        platform.bind("nic0", "b");

        assertEquals(0x600d_0000_0000_0001L, platform.memory().readLong(p + 8));
        assertEquals(0, platform.allStats().stream().mapToLong(s -> s.get(Stat.STALE_DMA_REFUSED)).sum());
    }

    @Test
    void aReleasedDriversDmaReachesNoMemoryRaisesATypedFaultAndAFinding() {
        long buffer = page();
        long secret = page();
        // On "iommu" the driver's buffer is at the bus address that, on "direct", is the
        // physical address of someone else's page: a stale write there would land in it.
        RecordingBackend iommu = new RecordingBackend("iommu", secret - buffer);
        RecordingBackend direct = new RecordingBackend("direct", 0);
        platform.addBackend(iommu, props(iommu, 10));
        platform.addBackend(direct, props(direct, 1));
        platform.addDevice(device("nic0", 0x10));
        FakeDriver driver = drivers.running("nic0");
        long dma = driver.map(buffer, PAGE, DmaDirection.BIDIRECTIONAL);
        assertEquals(secret, dma);
        BusMaster released = driver.api().busMaster();
        platform.memory().fill(secret, PAGE, (byte) 0x5e);
        platform.memory().fill(buffer, PAGE, (byte) 0x0b);
        platform.bind("nic0", "direct");
        long translations = iommu.translations.get() + direct.translations.get();
        int findings = platform.findings().size();

        DmaFaultException w = assertThrows(DmaFaultException.class, () -> released.write(dma, new byte[64], 0, 64));
        DmaFaultException r = assertThrows(DmaFaultException.class, () -> released.readLong(dma));

        for (int i = 0; i < PAGE; i += 512) {
            assertEquals(0x5e, platform.memory().readByte(secret + i), "someone else's page is untouched");
            assertEquals(0x0b, platform.memory().readByte(buffer + i), "the driver's old buffer is untouched");
        }
        assertEquals(translations, iommu.translations.get() + direct.translations.get(), "refused before any translation");
        DmaFault f = w.fault();
        assertEquals(FaultKind.DMA_AFTER_RELEASE, f.kind());
        assertEquals("nic0", f.device());
        assertEquals(dma, f.address());
        assertEquals(AccessType.WRITE, f.access());
        assertEquals("iommu", f.backend(), "named after the backend the released driver was bound to");
        assertTrue(f.detail().startsWith("DMA after driver release"), f.detail());
        assertEquals(AccessType.READ, r.fault().access());
        assertTrue(platform.faults().containsAll(List.of(f, r.fault())));
        List<Finding> after = platform.findings().subList(findings, platform.findings().size());
        assertEquals(2, after.size(), after.toString());
        Finding finding = after.get(0);
        assertEquals(FindingKind.DMA_AFTER_RELEASE, finding.kind());
        assertEquals("nic0", finding.device());
        assertEquals(dma, finding.dmaAddress());
        assertEquals(64, finding.size());
        assertEquals(DmaDirection.FROM_DEVICE, finding.direction(), "a device write is data from the device");
        assertEquals(String.format("DMA-API: nic0: device DMA after driver release [device address=0x%016x] [size=64 bytes] "
                + "[device write] [driver released from iommu]", dma), finding.message());
        long refused = platform.allStats().stream().filter(s -> s.backend().equals("iommu"))
                .mapToLong(s -> s.get(Stat.STALE_DMA_REFUSED)).sum();
        assertEquals(2, refused);
        // The new driver's own bus master works on the new backend.
        FakeDriver now = drivers.running("nic0");
        assertNotSame(released, now.api().busMaster());
        long fresh = now.map(buffer, PAGE, DmaDirection.BIDIRECTIONAL);
        now.api().busMaster().writeLong(fresh, 7);
        assertEquals(7, platform.memory().readLong(buffer));
    }

    @Test
    void aReleaseThatDoesNotEndEndsTheSwapWithItsThreadDumpAndTheDeviceStays() {
        twoBackendsOneDevice();
        FakeDriver driver = drivers.running("nic0");
        long p = page();
        long dma = driver.map(p, PAGE, DmaDirection.BIDIRECTIONAL);
        BusMaster device = driver.api().busMaster();
        CountDownLatch stuck = new CountDownLatch(1);
        drivers.onStop = d -> awaitUninterruptibly(stuck);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> platform.bind("nic0", "b"));

        String m = e.getMessage();
        assertTrue(m.startsWith("swap of device nic0 from a to b abandoned: its driver did not release within " + BOUND_MILLIS
                + " ms (swap.releaseTimeout): the driver of nic0"), m);
        assertTrue(m.contains("stuck in " + SwapReleaseTest.class.getName()), m);
        assertTrue(m.contains("waits on java.util.concurrent.CountDownLatch$Sync"), m);
        assertTrue(m.contains(". nic0 stays on a with its driver still bound; the next swap waits for that release again.\n"
                + "Thread \"iommulab-release-nic0\" WAITING:"), m);
        assertTrue(m.contains("\n\tat java.util.concurrent.CountDownLatch.await(CountDownLatch.java:"), m);
        // The device stays usable on its old backend: its driver keeps its mapping and its DMA.
        assertEquals("a", platform.device("nic0").backend());
        assertEquals(0, platform.device("nic0").swaps());
        device.writeLong(dma, 42);
        assertEquals(42, platform.memory().readLong(p));
        assertEquals(42, platform.busMaster("nic0").readLong(dma));
        assertEquals(1, platform.liveMappings("nic0"));
        assertEquals(1, platform.stats("nic0").get(Stat.SWAPS_ABANDONED));
        assertTrue(platform.log("nic0").stream().anyMatch(l -> l.contains("abandoned")));

        // Once the release ends, the next swap goes through.
        stuck.countDown();
        platform.bind("nic0", "b");
        assertEquals("b", platform.device("nic0").backend());
        assertEquals(0, leaks(), "the late release unmapped what it held");
        assertThrows(DmaFaultException.class, () -> device.writeLong(dma, 43));
    }

    @Test
    void aDeviceWhoseBackendGoesAwayLeavesItEvenWhenItsDriverIsStuck() {
        twoBackendsOneDevice();
        FakeDriver driver = drivers.running("nic0");
        long p = page();
        long dma = driver.map(p, PAGE, DmaDirection.BIDIRECTIONAL);
        CountDownLatch stuck = new CountDownLatch(1);
        drivers.onStop = d -> awaitUninterruptibly(stuck);

        platform.removeBackend(a);

        assertEquals("b", platform.device("nic0").backend(), "the backend went away, so the device had to leave it");
        assertTrue(platform.log("nic0").stream().anyMatch(l -> l.contains("forced") && l.contains("leaves a anyway")),
                platform.log("nic0").toString());
        assertTrue(a.calls().contains(String.format("unmapPhys nic0 0x%x %d BIDIRECTIONAL", dma, PAGE)),
                "the stuck driver's mapping was reclaimed through a: " + a.calls());
        assertEquals("detach nic0", a.calls().get(a.calls().size() - 1));
        stuck.countDown();
    }

    @Test
    void callsStuckInTheBackendAbandonTheSwapAndANewDriverStartsOnTheOldBackend() throws Exception {
        twoBackendsOneDevice();
        DmaApi first = drivers.api("nic0");
        long p = page();
        CountDownLatch inBackend = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        a.onMapPhys = () -> {
            inBackend.countDown();
            awaitUninterruptibly(stuck);
        };
        Thread caller = new Thread(() -> first.mapPhys(p, 64, DmaDirection.TO_DEVICE, 0), "stuck-caller");
        caller.setDaemon(true);
        caller.start();
        assertTrue(inBackend.await(10, TimeUnit.SECONDS));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> platform.bind("nic0", "b"));

        assertTrue(e.getMessage().contains("1 DMA-API call(s) of its released driver still in flight after " + BOUND_MILLIS
                + " ms"), e.getMessage());
        assertEquals("a", platform.device("nic0").backend());
        DmaApi second = drivers.api("nic0");
        assertNotSame(first, second, "a new driver started on the old backend");
        assertEquals("a", second.backendName());
        a.onMapPhys = () -> { };
        stuck.countDown();
        caller.join(10_000);
    }

    private long leaks() {
        return platform.allStats().stream().mapToLong(s -> s.get(Stat.LEAKS_RECLAIMED)).sum();
    }

    private static void join(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            throw new AssertionError(t.getName() + " did not end: " + List.of(t.getStackTrace()).stream()
                    .map(String::valueOf).collect(Collectors.joining("\n")));
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        for (;;) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // A stuck driver ignores interrupts too.
            }
        }
    }
}
