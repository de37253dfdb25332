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
import java.util.stream.Collectors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.testkit.FakeDriver;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.RecordingBackend;
import org.junit.jupiter.api.Test;

/** The swap protocol: drivers release, leaks are reported and reclaimed, stale APIs, the gate. */
class SwapProtocolTest {
    private static final long PAGE = PageAllocator.PAGE_SIZE;

    private final FakeDrivers drivers = new FakeDrivers();
    private final DevicePlatform platform = platform(drivers);
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
        // One error, as dma_debug_device_change prints it: the count and one of the entries.
        List<String> leakLines = log.stream().filter(l -> l.contains("pending DMA allocations")).collect(Collectors.toList());
        assertEquals(1, leakLines.size(), log.toString());
        String leak = leakLines.get(0);
        assertTrue(leak.startsWith("nic0: DMA-API: device driver has pending DMA allocations while released from device "
                + "[count=3]\nOne of leaked entries details: [device address=0x"), leak);
        assertTrue(leak.contains(String.format("[device address=0x%016x] [size=%d bytes] [mapped with DMA_BIDIRECTIONAL] [mapped as single]", dma, 3 * PAGE))
                || leak.endsWith("[mapped with DMA_TO_DEVICE] [mapped as scatter-gather]")
                || leak.contains(String.format("[device address=0x%016x] [size=%d bytes] [mapped with DMA_BIDIRECTIONAL] [mapped as coherent]", c.dmaHandle(), PAGE)),
                leak);

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
    void whileTheDriverReleasesItsNewMappingsFailAtOnceAndTheNewDriverMapsOnTheNewBackend() throws Exception {
        twoBackendsOneDevice();
        long p = page();
        AtomicReference<CompletableFuture<Long>> onNewApi = new AtomicReference<>();
        AtomicReference<Throwable> onOldApi = new AtomicReference<>();
        // While the old driver is being released, another thread of it tries a new mapping: it
        // does not wait for the swap (which waits for this release), it fails at once.
        drivers.onStop = d -> {
            try {
                CompletableFuture.supplyAsync(() -> d.api().mapPhys(p, 64, DmaDirection.TO_DEVICE, 0)).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                onOldApi.set(e.getCause());
            } catch (Exception e) {
                throw new AssertionError("the old driver's mapping hung", e);
            }
        };
        // The new driver starts a worker that maps at once: every gate is open by then.
        drivers.onStart = d -> {
            if (d.backend().equals("b")) {
                onNewApi.set(CompletableFuture.supplyAsync(() -> d.api().mapPhys(p, 128, DmaDirection.FROM_DEVICE, 0)));
            }
        };

        platform.bind("nic0", "b");

        assertTrue(onOldApi.get() instanceof DmaUsageException, String.valueOf(onOldApi.get()));
        assertTrue(onOldApi.get().getMessage().contains("device nic0 is being swapped from a to b: its driver is being released, "
                + "so dma_map_phys is refused and nothing was mapped"), onOldApi.get().getMessage());
        assertTrue(a.calls("mapPhys").isEmpty(), "the old backend never saw the refused mapping");
        long dma = onNewApi.get().get(10, TimeUnit.SECONDS);
        assertEquals(p + b.dmaOffset(), dma, "the new driver's mapping went to the new backend");
        assertEquals(List.of(String.format("mapPhys nic0 0x%x 128 FROM_DEVICE", p)), b.calls("mapPhys"));
        assertEquals(1, platform.liveMappings("nic0"));
        assertEquals(0, platform.callsInFlight("nic0"));
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
    void theDevicesOwnAccessesAreBlockedWhileTheBindingChangesAndThenUseTheNewBackend() throws Exception {
        twoBackendsOneDevice();
        long p = page();
        platform.memory().writeLong(p, 0x1234_5678_9abc_def0L);
        BusMaster bus = platform.busMaster("nic0");
        AtomicReference<DmaFaultException> duringAttach = new AtomicReference<>();
        // In the middle of the swap (b attaching), the device's own access is refused, not held.
        b.onAttach = () -> duringAttach.set(assertThrows(DmaFaultException.class, () -> bus.readLong(p)));
        long translationsBefore = a.translations.get() + b.translations.get();

        platform.bind("nic0", "b");

        DmaFault f = duringAttach.get().fault();
        assertEquals(FaultKind.STREAM_DISABLED, f.kind());
        assertTrue(f.detail().contains("is being swapped: its stream is blocked while the binding changes"), f.detail());
        assertEquals(translationsBefore, a.translations.get() + b.translations.get(), "the blocked access reached no backend");
        long dma = drivers.api("nic0").mapPhys(p, 8, DmaDirection.TO_DEVICE, 0);
        assertEquals(0x1234_5678_9abc_def0L, bus.readLong(dma));
        DeviceStats onB = platform.stats("nic0");
        assertEquals("b", onB.backend());
        assertEquals(8, onB.get(Stat.DEVICE_READ_BYTES));
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
            Thread.yield();
        }
    }
}
