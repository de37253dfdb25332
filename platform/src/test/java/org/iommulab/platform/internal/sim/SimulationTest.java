package org.iommulab.platform.internal.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.SimScope;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.core.PlatformSettings;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.RecordingBackend;
import org.iommulab.api.backend.DmaBackend;
import org.junit.jupiter.api.Test;

import java.util.Map;

class SimulationTest {
    @Test
    void theClockMovesOnlyForwardAndOnlyWhenTheSimulationSaysSo() {
        Simulation s = new Simulation();
        assertEquals(0, s.nanos());
        s.advance(500);
        assertEquals(500, s.nanos());
        assertEquals(500, s.advanceTo(100), "never backwards");
        assertEquals(2_000, s.advanceTo(2_000));
        assertThrows(IllegalArgumentException.class, () -> s.advance(-1));
        assertEquals(2_000, s.nanos());
    }

    /** One thread alone: the polling reading is the clock, after every add and every jump. */
    @Test
    void aThreadAloneReadsTheClockExactlyWhenPolling() {
        Simulation s = new Simulation();
        assertEquals(0, s.pollingNanos());
        long expected = 0;
        for (int i = 1; i <= 1_000; i++) {
            // Costs of every size, some far below the refresh and some above it.
            long cost = (i * 7919L) % (2 * Simulation.POLL_REFRESH_NANOS);
            s.advance(cost);
            expected += cost;
            assertEquals(expected, s.pollingNanos(), "after add " + i);
            assertEquals(expected, s.nanos());
        }
        assertEquals(expected + 5_000, s.advanceTo(expected + 5_000));
        assertEquals(expected + 5_000, s.pollingNanos(), "a jump is this thread's own time too");
    }

    /**
     * Two threads, each with a cell: a thread learns of the other's time once its own has grown
     * by the refresh. Both add 1 ns; this thread looks (2 ns); the other adds 1,000,000 ns; this
     * thread adds 100 and still reads its own 101 plus the 1 it saw of the other, 102; having
     * added POLL_REFRESH_NANOS more it reads the whole clock, the other's 1,000,000 included.
     */
    @Test
    void aPollingThreadLearnsOfOtherThreadsTimeWithinTheRefresh() throws InterruptedException {
        Simulation s = new Simulation();
        CountDownLatch looked = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            s.advance(1);
            started.countDown();
            try {
                looked.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            s.advance(1_000_000);
        });
        other.start();
        started.await();
        s.advance(1);
        assertEquals(2, s.pollingNanos());
        looked.countDown();
        other.join();
        s.advance(100);
        assertEquals(102, s.pollingNanos(), "the other thread's last add is not seen yet");
        assertEquals(1_000_102, s.nanos());
        s.advance(Simulation.POLL_REFRESH_NANOS);
        assertEquals(1_000_102 + Simulation.POLL_REFRESH_NANOS, s.pollingNanos(), "seen at the refresh");
    }

    @Test
    void pollingReadingsNeverRunAheadOfTheClockNorGoBack() throws InterruptedException {
        Simulation s = new Simulation();
        AtomicInteger bad = new AtomicInteger();
        Thread[] ts = new Thread[2];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = new Thread(() -> {
                long last = 0;
                for (int k = 0; k < 50_000; k++) {
                    s.chargeCall();
                    long p = s.pollingNanos();
                    if (p < last || p > s.nanos()) {
                        bad.incrementAndGet();
                    }
                    last = p;
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(0, bad.get(), "readings behind an earlier one, or ahead of the clock");
    }

    /**
     * The striped time line from several threads: the time at the end is the sum of every cost
     * added (4 threads x 20,000 calls x 500 ns, plus one jump), and a thread reading it meanwhile
     * never sees it go back.
     */
    @Test
    void costsAddedByManyThreadsSumToOneTimeLineThatNeverGoesBack() throws InterruptedException {
        Simulation s = new Simulation();
        int threads = 4;
        int calls = 20_000;
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = new Thread(() -> {
                for (int k = 0; k < calls; k++) {
                    s.chargeCall();
                }
            });
        }
        AtomicInteger backwards = new AtomicInteger();
        Thread reader = new Thread(() -> {
            long last = 0;
            while (last < (long) threads * calls * SimSettings.DEFAULT.callNanos()) {
                long t = s.nanos();
                if (t < last) {
                    backwards.incrementAndGet();
                }
                last = t;
            }
        });
        reader.start();
        for (Thread t : ts) {
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
        reader.join();
        assertEquals(0, backwards.get(), "never backwards");
        long all = (long) threads * calls * SimSettings.DEFAULT.callNanos();
        assertEquals(all, s.nanos(), "the sum of every cost added");
        assertEquals(all + 1_000, s.advanceTo(all + 1_000), "a jump lands where it was asked");
        assertEquals(all + 1_000, s.nanos());
        assertEquals(all + 1_000, s.advanceTo(5), "never backwards");
    }

    /**
     * More threads than cells of their own (20 against {@link Simulation#STRIPES} = 8): the
     * first eight add to cells nobody else writes, the other twelve share the remaining cells
     * (two or one to a cell), and no add is lost either way: 20 threads x 5,000 calls x 500 ns,
     * plus a jump each of one owner and one sharer.
     */
    @Test
    void threadsOwningTheirCellAndThreadsSharingCellsLoseNoCost() throws InterruptedException {
        Simulation s = new Simulation();
        int threads = 20;
        int calls = 5_000;
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = new Thread(() -> {
                for (int k = 0; k < calls; k++) {
                    s.chargeCall();
                }
            });
        }
        for (Thread t : ts) {
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
        long all = (long) threads * calls * SimSettings.DEFAULT.callNanos();
        assertEquals(all, s.nanos(), "the sum of every cost added");
        // This thread is the 21st to use the simulation: it shares a cell; a jump from it lands exactly.
        assertEquals(all + 3_000, s.advanceTo(all + 3_000));
        s.chargeCall();
        assertEquals(all + 3_000 + SimSettings.DEFAULT.callNanos(), s.nanos());
    }

    /**
     * The clock sums only the cells given out so far: with ten threads, the eight owned cells and
     * the first two shared ones. Each thread adds its own cost (thread i: i + 1 ns per call, 1,000
     * calls), so a cell left out of the sum would show: the total is 1,000 x (1 + ... + 10) =
     * 55,000 ns. A reading taken before the last thread started, and one after, bracket it.
     */
    @Test
    void theClockSumsEveryCellGivenOutAndOnlyThose() throws InterruptedException {
        Simulation s = new Simulation();
        long before = 0;
        for (int i = 0; i < 10; i++) {
            long cost = i + 1;
            Thread t = new Thread(() -> {
                for (int k = 0; k < 1_000; k++) {
                    s.advance(cost);
                }
            });
            t.start();
            t.join();
            if (i == 8) {
                before = s.nanos();
            }
        }
        assertEquals(1_000L * 45, before, "nine threads: 1,000 x (1 + ... + 9)");
        assertEquals(1_000L * 55, s.nanos(), "ten threads, the tenth on the second shared cell");
    }

    @Test
    void aThreadOnExternalTimeIsNotChargedItsCosts() {
        Simulation s = new Simulation();
        try (SimScope outer = s.externalTime()) {
            s.chargeCall();
            s.chargeAccess(4096);
            assertEquals(0, s.nanos());
            try (SimScope inner = s.externalTime()) {
                s.advanceTo(7);
            }
            s.chargeCall();
            assertEquals(7, s.nanos(), "still external after the inner scope closed");
        }
        s.chargeCall();
        assertEquals(7 + SimSettings.DEFAULT.callNanos(), s.nanos());
    }

    @Test
    void aThreadRunsOnTheCpuItEnteredElseOnItsIdModuloTheCount() throws InterruptedException {
        Simulation s = new Simulation(SimSettings.DEFAULT.withCpus(4));
        int byId = (int) (Thread.currentThread().getId() % 4);
        assertEquals(byId, s.current());
        try (SimScope a = s.runOn(3)) {
            assertEquals(3, s.current());
            try (SimScope b = s.runOn(1)) {
                assertEquals(1, s.current());
            }
            assertEquals(3, s.current(), "scopes nest");
            AtomicInteger other = new AtomicInteger(-1);
            Thread t = new Thread(() -> other.set(s.current()));
            t.start();
            t.join();
            assertEquals((int) (t.getId() % 4), other.get(), "what a thread entered is its own");
        }
        assertEquals(byId, s.current());
        assertThrows(IllegalArgumentException.class, () -> s.runOn(4));
        assertThrows(IllegalArgumentException.class, () -> new SimSettings(0, 1, 1, 1));
    }

    @Test
    void dmaApiCallsAndDeviceAccessesAdvanceTheClockByTheirModelledCost() {
        SimSettings settings = new SimSettings(2, 1_000, 100, 1_000);
        Simulation sim = new Simulation(settings);
        SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
        ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
        FakeDrivers drivers = new FakeDrivers();
        DevicePlatform p = new DevicePlatform(memory, allocator, (a, props) -> drivers.register(a, props)::run, CheckerSettings.DEFAULT,
                PlatformSettings.DEFAULT, sim);
        RecordingBackend backend = new RecordingBackend("fake", 0);
        p.addBackend(backend, Map.of(DmaBackend.NAME_PROPERTY, "fake"));
        p.addDevice(DeviceDescriptor.builder("dev0").streamIds(1).build());
        DmaApi api = drivers.api("dev0");
        long page = allocator.allocPages(1, Zone.DMA32);
        long t0 = sim.nanos();
        long dma = api.mapPhys(page, 64, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        assertEquals(t0 + 1_000, sim.nanos(), "one call");
        api.busMaster().read(dma, new byte[64], 0, 64);
        assertEquals(t0 + 1_000 + 100 + 64, sim.nanos(), "one access of 64 bytes at 1 ns a byte");
        api.unmapPhys(dma, 64, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        assertEquals(t0 + 2_000 + 164, sim.nanos());
        try (SimScope trace = sim.externalTime()) {
            dma = api.mapPhys(page, 64, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            api.unmapPhys(dma, 64, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        }
        assertEquals(t0 + 2_164, sim.nanos(), "a replayed trace's time is its own");
        assertTrue(p.simulation() == sim);
    }
}
