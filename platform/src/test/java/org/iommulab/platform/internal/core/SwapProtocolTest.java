package org.iommulab.platform.internal.core;

import static org.iommulab.platform.internal.testing.TestPlatforms.device;
import static org.iommulab.platform.internal.testing.TestPlatforms.platform;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.testing.FakeBackend;
import org.iommulab.platform.internal.testing.FakeDriver;
import org.iommulab.platform.internal.testing.FakeDrivers;
import org.junit.jupiter.api.Test;

/** The swap protocol: drivers release, leaks are reported and reclaimed, stale APIs, the gate. */
class SwapProtocolTest {
    private static final long PAGE = PageAllocator.PAGE_SIZE;

    private final FakeDrivers drivers = new FakeDrivers();
    private final DevicePlatform platform = platform(drivers);
    private final FakeBackend a = new FakeBackend("a", 0);
    private final FakeBackend b = new FakeBackend("b", 1L << 40);

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
    void aDriverThatReleasesLeavesNoLeaks() {
        twoBackendsOneDevice();
        FakeDriver driver = drivers.running("nic0");
        driver.map(page(), PAGE, DmaDirection.TO_DEVICE);
        SgTable sg = SgTable.of(new long[] {page(), page()}, new int[] {4096, 100});
        assertEquals(2, driver.mapSg(sg, DmaDirection.FROM_DEVICE));
        assertNotNull(driver.alloc(5000));
        assertEquals(3, platform.liveMappings("nic0"));

        platform.bind("nic0", "b");

        assertTrue(driver.stopped());
        assertEquals(0, platform.liveMappings("nic0"));
        assertEquals(0, platform.allStats().stream().mapToLong(s -> s.get(Stat.LEAKS_RECLAIMED)).sum());
        assertFalse(platform.log("nic0").stream().anyMatch(l -> l.contains("pending DMA allocations")));
        assertEquals(List.of("unmapPhys", "unmapSg", "freeCoherent", "detach"),
                a.calls().stream().skip(4).map(c -> c.split(" ")[0]).collect(java.util.stream.Collectors.toList()),
                "released through a, then detached: " + a.calls());
        assertEquals(0, sg.nents(), "the released table is unmapped again");
        assertEquals("b", drivers.running("nic0").backend());
        assertEquals(1, platform.device("nic0").swaps());
    }

    @Test
    void aLeakingDriverIsReportedCountedAndReclaimedThroughTheOldBackend() {
        twoBackendsOneDevice();
        drivers.running("nic0").api();
        platform.bind("nic0", "a");
        // Restart the driver as a leaking one.
        drivers.leak = true;
        platform.bind("nic0", "b");
        platform.bind("nic0", "a");
        FakeDriver leaky = drivers.running("nic0");
        long p1 = page();
        long dma = leaky.map(p1, 3 * PAGE, DmaDirection.BIDIRECTIONAL);
        SgTable sg = SgTable.of(new long[] {page()}, new int[] {512});
        leaky.mapSg(sg, DmaDirection.TO_DEVICE);
        CoherentAllocation c = leaky.alloc(PAGE);
        long leaksOnA = platform.stats("nic0").get(Stat.LEAKS_RECLAIMED);
        int unmapsBefore = a.calls("unmapPhys").size();

        platform.bind("nic0", "b");

        List<String> log = platform.log("nic0");
        assertTrue(log.contains("nic0: DMA-API: device driver has pending DMA allocations while released from device [count=3]"), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.contains(String.format("[device address=0x%016x] [size=%d bytes] [mapped with DMA_BIDIRECTIONAL] [mapped as single]", dma, 3 * PAGE))), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.contains("[mapped with DMA_TO_DEVICE] [mapped as scatter-gather]")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.contains(String.format("[device address=0x%016x] [size=%d bytes] [mapped with DMA_BIDIRECTIONAL] [mapped as coherent]", c.dmaHandle(), PAGE))), log.toString());

        long onA = platform.allStats().stream().filter(s -> s.backend().equals("a"))
                .mapToLong(s -> s.get(Stat.LEAKS_RECLAIMED)).sum();
        assertEquals(leaksOnA + 3, onA, "counted on the backend the device left");
        assertEquals(0, platform.stats("nic0").get(Stat.LEAKS_RECLAIMED), "nothing counted on b");
        assertEquals(unmapsBefore + 1, a.calls("unmapPhys").size());
        assertTrue(a.calls().contains(String.format("unmapPhys nic0 0x%x %d BIDIRECTIONAL", dma, 3 * PAGE)), a.calls().toString());
        assertTrue(a.calls().contains("unmapSg nic0 1 TO_DEVICE"));
        assertTrue(a.calls().contains(String.format("freeCoherent nic0 0x%x %d", c.dmaHandle(), PAGE)));
        List<String> tail = a.calls().subList(a.calls().size() - 4, a.calls().size());
        assertEquals("detach nic0", tail.get(3), "reclaimed before detach: " + tail);
        assertEquals(0, platform.liveMappings("nic0"));
        assertEquals(0, sg.nents());
    }

    @Test
    void anApiFromBeforeTheSwapIsStaleForEveryCall() {
        twoBackendsOneDevice();
        DmaApi old = drivers.api("nic0");
        long p = page();
        platform.bind("nic0", "b");
        List<String> callsBefore = a.calls();
        List<String> bCallsBefore = b.calls();
        SgTable sg = SgTable.of(new long[] {p}, new int[] {64});

        List<Runnable> everyCall = List.of(
                old::device, old::backendName, old::cpu,
                () -> old.setMask(~0L), () -> old.setCoherentMask(~0L), () -> old.setMaskAndCoherent(~0L),
                old::mask, old::coherentMask, old::requiredMask, old::maxMappingSize, old::optMappingSize,
                old::maxSegmentSize, old::segmentBoundary,
                () -> old.mapPage(p, 0, 64, DmaDirection.TO_DEVICE, 0), () -> old.unmapPage(p, 64, DmaDirection.TO_DEVICE, 0),
                () -> old.mapPhys(p, 64, DmaDirection.TO_DEVICE, 0), () -> old.unmapPhys(p, 64, DmaDirection.TO_DEVICE, 0),
                () -> old.mapResource(p, 64, DmaDirection.TO_DEVICE, 0), () -> old.unmapResource(p, 64, DmaDirection.TO_DEVICE, 0),
                () -> old.mappingError(p),
                () -> old.mapSg(sg, 1, DmaDirection.TO_DEVICE, 0), () -> old.unmapSg(sg, 1, DmaDirection.TO_DEVICE, 0),
                () -> old.mapSgtable(sg, DmaDirection.TO_DEVICE, 0), () -> old.unmapSgtable(sg, DmaDirection.TO_DEVICE, 0),
                () -> old.syncSingleForCpu(p, 64, DmaDirection.TO_DEVICE), () -> old.syncSingleForDevice(p, 64, DmaDirection.TO_DEVICE),
                () -> old.syncSingleRangeForCpu(p, 0, 64, DmaDirection.TO_DEVICE),
                () -> old.syncSingleRangeForDevice(p, 0, 64, DmaDirection.TO_DEVICE),
                () -> old.syncSgForCpu(sg, 1, DmaDirection.TO_DEVICE), () -> old.syncSgForDevice(sg, 1, DmaDirection.TO_DEVICE),
                () -> old.syncSgtableForCpu(sg, DmaDirection.TO_DEVICE), () -> old.syncSgtableForDevice(sg, DmaDirection.TO_DEVICE),
                () -> old.allocCoherent(PAGE), () -> old.allocCoherent(PAGE, 0),
                () -> old.freeCoherent(PAGE, p, p), () -> old.freeCoherent(new CoherentAllocation(p, p, PAGE)));
        for (Runnable call : everyCall) {
            DmaUsageException e = assertThrows(DmaUsageException.class, call::run);
            assertTrue(e.getMessage().contains("stale DMA API of device nic0: it served backend a"), e.getMessage());
        }
        assertEquals(callsBefore, a.calls(), "nothing reached the old backend");
        assertEquals(bCallsBefore, b.calls(), "nothing reached the new backend");
        assertEquals(0, platform.liveMappings("nic0"));
        assertEquals(0, sg.nents());
        assertTrue(old.toString().contains("stale"));
    }

    @Test
    void mappingsFromOtherThreadsWaitForTheSwapAndThenGoToTheNewBackend() throws Exception {
        twoBackendsOneDevice();
        long p = page();
        AtomicReference<CompletableFuture<Long>> onNewApi = new AtomicReference<>();
        AtomicReference<CompletableFuture<Long>> onOldApi = new AtomicReference<>();
        List<String> seenWhileWaiting = new ArrayList<>();
        // While the old driver is being released, another thread of it tries a new mapping.
        drivers.onStop = d -> {
            onOldApi.set(CompletableFuture.supplyAsync(() -> d.api().mapPhys(p, 64, DmaDirection.TO_DEVICE, 0)));
            awaitTrue(() -> platform.waitingCalls("nic0") == 1);
            seenWhileWaiting.add("old:" + a.calls("mapPhys").size() + "/" + b.calls("mapPhys").size());
        };
        // The new driver starts a worker that maps at once, before the swap has ended.
        drivers.onStart = d -> {
            if (!d.backend().equals("b")) {
                return;
            }
            onNewApi.set(CompletableFuture.supplyAsync(() -> d.api().mapPhys(p, 128, DmaDirection.FROM_DEVICE, 0)));
            awaitTrue(() -> platform.waitingCalls("nic0") >= 1);
            seenWhileWaiting.add("new:" + a.calls("mapPhys").size() + "/" + b.calls("mapPhys").size());
        };

        platform.bind("nic0", "b");

        assertEquals(List.of("old:0/0", "new:0/0"), seenWhileWaiting, "both calls waited without reaching a backend");
        long dma = onNewApi.get().get(10, TimeUnit.SECONDS);
        assertEquals(p + b.dmaOffset(), dma, "the waiting mapping went to the new backend");
        assertEquals(List.of(String.format("mapPhys nic0 0x%x 128 FROM_DEVICE", p)), b.calls("mapPhys"));
        ExecutionException stale = assertThrows(ExecutionException.class, () -> onOldApi.get().get(10, TimeUnit.SECONDS));
        assertTrue(stale.getCause() instanceof DmaUsageException, String.valueOf(stale.getCause()));
        assertTrue(stale.getCause().getMessage().contains("stale"));
        assertTrue(a.calls("mapPhys").isEmpty(), "the old backend never saw the waiting mapping");
        assertEquals(1, platform.liveMappings("nic0"));
        assertEquals(0, platform.waitingCalls("nic0"));
    }

    @Test
    void releasesFromOtherThreadsPassWhileTheGateIsClosed() throws Exception {
        twoBackendsOneDevice();
        DmaApi api = drivers.api("nic0");
        long p = page();
        long dma = api.mapPhys(p, 64, DmaDirection.TO_DEVICE, 0);
        // The driver's release is done by another thread, while the swap waits for it.
        drivers.onStop = d -> {
            try {
                CompletableFuture.runAsync(() -> {
                    d.api().syncSingleForCpu(dma, 64, DmaDirection.TO_DEVICE);
                    d.api().unmapPhys(dma, 64, DmaDirection.TO_DEVICE, 0);
                }).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        platform.bind("nic0", "b");
        assertEquals(1, a.calls("unmapPhys").size());
        assertEquals(1, a.calls("syncSingleForCpu").size());
        assertEquals(0, platform.allStats().stream().mapToLong(s -> s.get(Stat.LEAKS_RECLAIMED)).sum());
    }

    @Test
    void deviceAccessesWaitWhileTheDeviceHasNoBindingAndThenUseTheNewBackend() throws Exception {
        twoBackendsOneDevice();
        long p = page();
        platform.memory().writeLong(p, 0x1234_5678_9abc_def0L);
        BusMaster bus = platform.busMaster("nic0");
        AtomicReference<CompletableFuture<Long>> read = new AtomicReference<>();
        // Between detach from a and attach to b the device issues an access at b's address for p.
        addHooked("c", b, () -> {
            read.set(CompletableFuture.supplyAsync(() -> bus.readLong(p + b.dmaOffset())));
            awaitTrue(() -> platform.waitingCalls("nic0") == 1);
        });
        platform.bind("nic0", "c");
        assertEquals(0x1234_5678_9abc_def0L, read.get().get(10, TimeUnit.SECONDS));
        DeviceStats onC = platform.stats("nic0");
        assertEquals("c", onC.backend());
        assertEquals(8, onC.get(Stat.DEVICE_READ_BYTES));
    }

    /**
     * The deadlock the lifecycle suite found with the NVMe driver: the old driver's run holds
     * its device model's lock and waits at the bus gate for a device access; the new driver's
     * probe needs that lock. Accesses flow again once the new binding is in place, before the
     * new driver starts, so the run finishes (its access goes through the new backend) and the
     * probe gets the lock.
     */
    @Test
    void aNewDriverNeedingALockHeldByAWaitingDeviceAccessDoesNotDeadlock() throws Exception {
        twoBackendsOneDevice();
        long p = page();
        BusMaster bus = platform.busMaster("nic0");
        Object model = new Object();
        AtomicReference<CompletableFuture<Long>> oldRun = new AtomicReference<>();
        addHooked("c", b, () -> {
            oldRun.set(CompletableFuture.supplyAsync(() -> {
                synchronized (model) {
                    return bus.readLong(p + b.dmaOffset());
                }
            }));
            awaitTrue(() -> platform.waitingCalls("nic0") == 1);
        });
        drivers.onStart = d -> {
            if (d.backend().equals("c")) {
                synchronized (model) {
                    d.api().mapPhys(p, 8, DmaDirection.TO_DEVICE, 0);
                }
            }
        };
        CompletableFuture.runAsync(() -> platform.bind("nic0", "c")).get(10, TimeUnit.SECONDS);
        oldRun.get().get(10, TimeUnit.SECONDS);
        assertEquals("c", drivers.running("nic0").backend());
        assertEquals(1, platform.liveMappings("nic0"));
    }

    /**
     * The same with a mapping: a thread of the old driver waits at the gate for a new mapping
     * while it holds what the new driver needs; its API goes stale in the release step, and the
     * waiting call fails as stale at once, instead of waiting for the swap to end.
     */
    @Test
    void aStaleMappingCallWaitingAtTheGateFailsAsSoonAsItsApiIsRetired() throws Exception {
        twoBackendsOneDevice();
        long p = page();
        Object model = new Object();
        AtomicReference<CompletableFuture<Long>> oldRun = new AtomicReference<>();
        drivers.onStop = d -> {
            oldRun.set(CompletableFuture.supplyAsync(() -> {
                synchronized (model) {
                    return d.api().mapPhys(p, 64, DmaDirection.TO_DEVICE, 0);
                }
            }));
            awaitTrue(() -> platform.waitingCalls("nic0") == 1);
        };
        drivers.onStart = d -> {
            if (d.backend().equals("b")) {
                synchronized (model) {
                    d.api().mapPhys(p, 8, DmaDirection.TO_DEVICE, 0);
                }
            }
        };
        CompletableFuture.runAsync(() -> platform.bind("nic0", "b")).get(10, TimeUnit.SECONDS);
        ExecutionException stale = assertThrows(ExecutionException.class, () -> oldRun.get().get(10, TimeUnit.SECONDS));
        assertTrue(stale.getCause() instanceof DmaUsageException, String.valueOf(stale.getCause()));
        assertTrue(stale.getCause().getMessage().contains("stale"), stale.getCause().getMessage());
        assertTrue(a.calls("mapPhys").isEmpty(), "the old backend never saw the stale mapping");
        assertEquals(1, platform.liveMappings("nic0"));
        assertEquals(0, platform.waitingCalls("nic0"));
    }

    /** Registers {@link #hooked} with ranking 1. */
    private void addHooked(String name, DmaBackend delegate, Runnable beforeAttach) {
        DmaBackend c = hooked(name, delegate, beforeAttach);
        platform.addBackend(c, props(c, 1));
    }

    /** {@code delegate} under another name, running {@code beforeAttach} in the swap between detach and attach. */
    private static DmaBackend hooked(String name, DmaBackend delegate, Runnable beforeAttach) {
        return new DmaBackend() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean accepts(DmaDevice device) {
                return delegate.accepts(device);
            }

            @Override
            public DeviceBinding attach(DmaDevice device) throws BackendException {
                beforeAttach.run();
                return delegate.attach(device);
            }
        };
    }

    @Test
    void aRebindFromInsideTheSwapOfTheSameDeviceIsRefused() {
        twoBackendsOneDevice();
        AtomicReference<RuntimeException> refused = new AtomicReference<>();
        drivers.onStop = d -> {
            try {
                platform.bind("nic0", "a");
            } catch (RuntimeException e) {
                refused.set(e);
            }
        };
        platform.bind("nic0", "b");
        assertTrue(refused.get() instanceof IllegalStateException, String.valueOf(refused.get()));
        assertTrue(refused.get().getMessage().contains("being swapped"));
        assertEquals("b", platform.device("nic0").backend());
    }

    @Test
    void aFaultListenerCannotRebindTheFaultingDeviceOnTheFaultingThread() {
        twoBackendsOneDevice();
        a.faultingPages.add(0L);
        platform.addFaultListener(f -> platform.bind(f.device(), "b"));
        BusMaster bus = platform.busMaster("nic0");
        assertThrows(org.iommulab.api.platform.DmaFaultException.class, () -> bus.readInt(0x10));
        assertEquals("a", platform.device("nic0").backend());
        assertTrue(platform.log("nic0").stream().anyMatch(l -> l.contains("cannot be rebound by a fault listener")),
                platform.log("nic0").toString());
    }

    @Test
    void statisticsFollowTheBackendAndKeepTheOldOnes() {
        twoBackendsOneDevice();
        a.counters.put(org.iommulab.api.backend.BackendCounter.IOTLB_HITS, 5L);
        DmaApi api = drivers.api("nic0");
        long p = page();
        long dma = api.mapPhys(p, 64, DmaDirection.TO_DEVICE, 0);
        api.unmapPhys(dma, 64, DmaDirection.TO_DEVICE, 0);
        platform.bind("nic0", "b");
        a.counters.put(org.iommulab.api.backend.BackendCounter.IOTLB_HITS, 100L);

        DeviceStats onA = platform.allStats().stream().filter(s -> s.backend().equals("a")).findFirst().orElseThrow();
        assertEquals(1, onA.get(Stat.MAPS));
        assertEquals(1, onA.get(Stat.UNMAPS));
        assertEquals(5, onA.get(Stat.IOTLB_HITS), "folded at detach, not read from the detached binding");
        assertEquals(0, platform.stats("nic0").get(Stat.MAPS));
        assertSame(null, platform.allStats().stream().filter(s -> s.backend().equals("none")).findFirst().orElse(null));
    }

    @Test
    void anUnboundDeviceHasNoDriverAndGetsOneWhenABackendAppears() {
        platform.addDevice(device("nic0", 1));
        assertNull(drivers.running("nic0"));
        platform.addBackend(a, props(a, 0));
        assertNotNull(drivers.running("nic0"));
        assertEquals(DmaAttrs.NONE, 0);
    }

    /** Spins until {@code condition} holds; a broken protocol fails the test instead of hanging. */
    static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 10 s");
            }
            Thread.onSpinWait();
        }
    }
}
