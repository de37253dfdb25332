package org.iommulab.devices.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.junit.jupiter.api.Test;

/**
 * Stop is Linux's remove: it waits for a run in flight, then releases once. It does not wait
 * long, since a run's next mapping fails at once while the platform releases the driver; a
 * driver whose release waits for its own in-flight work therefore survives a swap.
 */
class StopDuringRunTest {
    private final DriverHarness h = new DriverHarness().withStandardBackends();
    private final CountDownLatch running = new CountDownLatch(1);
    private final CountDownLatch proceed = new CountDownLatch(1);
    private final AtomicInteger releases = new AtomicInteger();
    private final AtomicInteger maps = new AtomicInteger();

    /** A driver whose run waits on {@link #proceed} once, then maps and unmaps until a call refuses. */
    private DeviceDriver driver(DmaApi api) {
        return new DeviceDriver("blocking", "waits inside its run", api, h.allocator) {
            @Override
            protected void probe() {
            }

            @Override
            protected void runRounds(WorkloadParams params, WorkloadReport.Builder report) {
                running.countDown();
                try {
                    proceed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                long p = allocator.allocPages(1, Zone.NORMAL);
                try {
                    for (int i = 0; i < params.rounds(); i++) {
                        long dma = api.mapPhys(p, PageAllocator.PAGE_SIZE, DmaDirection.TO_DEVICE, 0);
                        maps.incrementAndGet();
                        api.unmapPhys(dma, PageAllocator.PAGE_SIZE, DmaDirection.TO_DEVICE, 0);
                        report.operation(PageAllocator.PAGE_SIZE);
                    }
                } finally {
                    allocator.free(p);
                }
            }

            @Override
            protected void release() {
                releases.incrementAndGet();
            }
        };
    }

    private DmaApi plainDevice() {
        h.platform.addDevice(DeviceDescriptor.builder("plain0").dmaMask(DmaMasks.bits(64)).build());
        return h.api("plain0");
    }

    @Test
    void stopWaitsForTheRunInFlightThenReleasesOnce() throws Exception {
        DeviceDriver d = driver(plainDevice());
        d.start();
        CompletableFuture<WorkloadReport> run = CompletableFuture.supplyAsync(() -> d.run(new WorkloadParams(1, 0, 3)));
        assertTrue(running.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> stop = CompletableFuture.runAsync(d::stop);
        awaitTrue(d::isStopped); // stop has begun: it now waits for the run
        proceed.countDown();
        stop.get(10, TimeUnit.SECONDS);
        assertEquals(1, releases.get(), "released once, after the run");
        WorkloadReport r = run.get(10, TimeUnit.SECONDS);
        assertTrue(run.isDone(), "the run ended before stop returned");
        assertTrue(r.firstError().contains("was swapped away from") && r.firstError().contains("during the run"), r.firstError());
        d.stop();
        assertEquals(1, releases.get(), "stop is idempotent");
        assertTrue(d.run(new WorkloadParams(1, 0, 1)).firstError().contains("not bound"));
    }

    @Test
    void withoutARunStopReleasesAtOnce() {
        DeviceDriver d = driver(plainDevice());
        d.start();
        d.stop();
        assertEquals(1, releases.get());
    }

    @Test
    void aDriverWhoseReleaseWaitsForItsRunSurvivesASwapAndTheRunEndsAtItsNextMapping() throws Exception {
        // The harness's plain device has no driver kind: play the component by hand on its DmaApi.
        DmaApi api = plainDevice();
        DeviceDriver d = driver(api);
        d.start();
        CompletableFuture<WorkloadReport> run = CompletableFuture.supplyAsync(() -> d.run(new WorkloadParams(1, 0, 1000)));
        assertTrue(running.await(10, TimeUnit.SECONDS));
        // The release of the swap below (stop) waits for this run; the run maps on after proceed.
        CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
            ((org.iommulab.platform.internal.dma.DeviceDmaApi) api).beginRelease("swiotlb");
            proceed.countDown();
            d.stop();
        });
        release.get(10, TimeUnit.SECONDS);
        WorkloadReport r = run.get(10, TimeUnit.SECONDS);
        assertEquals(1, releases.get());
        assertTrue(r.firstError().contains("is being swapped"), r.firstError());
        assertFalse(maps.get() >= 1000, "the run ended at the first refused mapping");
    }

    /** Spins until {@code condition} holds; a hang fails the test instead. */
    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 10 s");
            }
            Thread.yield();
        }
    }
}
