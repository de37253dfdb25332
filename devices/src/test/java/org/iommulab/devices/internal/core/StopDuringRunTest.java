package org.iommulab.devices.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.junit.jupiter.api.Test;

/**
 * A swap stops a driver on the swapping thread, possibly while a run is in flight on another:
 * stop must not wait for the run (the run may be waiting at the device's gate for that very
 * swap), and the resources are then released once, by the run on its way out.
 */
class StopDuringRunTest {
    private final CountDownLatch running = new CountDownLatch(1);
    private final CountDownLatch proceed = new CountDownLatch(1);
    private final AtomicInteger releases = new AtomicInteger();
    /** Thrown by the run after {@link #proceed}, or nothing. */
    private volatile RuntimeException trip;

    private DeviceDriver driver() {
        DriverHarness h = new DriverHarness().withStandardBackends();
        h.platform.addDevice(DeviceDescriptor.builder("plain0").dmaMask(DmaMasks.bits(64)).build());
        return new DeviceDriver("blocking", "waits inside its run", h.api("plain0"), h.allocator) {
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
                if (trip != null) {
                    throw trip;
                }
                report.operation(1);
            }

            @Override
            protected void release() {
                releases.incrementAndGet();
            }
        };
    }

    @Test
    void stopReturnsAtOnceAndTheRunReleasesOnItsWayOut() throws Exception {
        DeviceDriver d = driver();
        d.start();
        CompletableFuture<WorkloadReport> run = CompletableFuture.supplyAsync(() -> d.run(new WorkloadParams(1, 0, 1)));
        running.await();
        d.stop();
        assertEquals(0, releases.get(), "stop left the release to the run in flight");
        proceed.countDown();
        WorkloadReport r = run.get();
        assertEquals(1, releases.get());
        assertTrue(r.firstError().contains("was swapped away from") && r.firstError().contains("during the run"), r.firstError());
        d.stop();
        assertEquals(1, releases.get(), "stop is idempotent");
        assertTrue(d.run(new WorkloadParams(1, 0, 1)).firstError().contains("not bound"));
    }

    /**
     * The platform reclaims what a released driver's run still holds (an sg table it walks is
     * unmapped under it): whatever the run trips over then ends it with an error naming the
     * swap, never an exception out of {@code run}. Without a swap the exception propagates.
     */
    @Test
    void aRunTrippingOverWhatTheSwapReclaimedEndsWithAnErrorNotAnException() throws Exception {
        DeviceDriver d = driver();
        d.start();
        trip = new IllegalStateException("DMA segment 0 read from an sg table that is not mapped");
        CompletableFuture<WorkloadReport> run = CompletableFuture.supplyAsync(() -> d.run(new WorkloadParams(1, 0, 1)));
        running.await();
        d.stop();
        proceed.countDown();
        WorkloadReport r = run.get();
        assertTrue(r.firstError().contains("swapped away during the run") && r.firstError().contains("not mapped"),
                r.firstError());
        assertEquals(1, releases.get(), "released once, on the way out");
    }

    @Test
    void withoutASwapARunsExceptionPropagates() {
        DeviceDriver d = driver();
        d.start();
        proceed.countDown();
        trip = new IllegalStateException("a driver bug");
        running.countDown();
        assertEquals("a driver bug", assertThrows(IllegalStateException.class, () -> d.run(new WorkloadParams(1, 0, 1))).getMessage());
        trip = null;
        assertTrue(d.run(new WorkloadParams(1, 0, 1)).clean(), "the driver still runs");
    }

    @Test
    void withoutARunStopReleasesAtOnce() {
        DeviceDriver d = driver();
        d.start();
        d.stop();
        assertEquals(1, releases.get());
    }
}
