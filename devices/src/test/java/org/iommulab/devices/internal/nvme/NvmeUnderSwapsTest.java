package org.iommulab.devices.internal.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.iommulab.api.admin.Stat;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.core.DeviceNames;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.iommulab.devices.internal.testing.MergingBackend;
import org.iommulab.platform.internal.device.DefaultDevices;
import org.junit.jupiter.api.Test;

/**
 * The nvme workload keeps running while its disk is swapped between backends over and over:
 * every swap ends (a hang fails the test instead of hanging the build), no byte comes back
 * wrong, no run throws, nothing leaks, and no DMA of a released driver is left to refuse (the
 * driver's remove waits for its run, which ends at its next mapping). The old run never holds
 * the controller while it waits, so the new driver's queues are created at once.
 */
class NvmeUnderSwapsTest {
    private static final String[] BACKENDS = {"direct", "swiotlb", "merge"};
    private static final int SWAPS = 60;

    private final DriverHarness h = new DriverHarness().withStandardBackends();

    @Test
    void theWorkloadCompletesUnderSwapsWithNoByteWrongAndNoException() throws Exception {
        h.backend(MergingBackend.over("merge", h.direct));
        h.platform.addDevice(DefaultDevices.all().stream().filter(d -> d.name().equals(DeviceNames.NVME)).findFirst()
                .orElseThrow());
        List<WorkloadReport> reports = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread runner = new Thread(() -> {
            long seed = 1;
            while (!done.get()) {
                Workload w = h.workload("nvme");
                if (w == null) {
                    Thread.yield();
                    continue;
                }
                try {
                    reports.add(w.run(new WorkloadParams(2, 16 * 1024, seed++)));
                } catch (Throwable t) {
                    thrown.set(t);
                    return;
                }
            }
        }, "nvme-runner");
        runner.start();
        ExecutorService swapper = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < SWAPS; i++) {
                String to = BACKENDS[(i + 1) % BACKENDS.length];
                Future<?> swap = swapper.submit(() -> h.platform.bind(DeviceNames.NVME, to));
                try {
                    swap.get(30, TimeUnit.SECONDS);
                } catch (TimeoutException hang) {
                    throw new AssertionError("swap " + i + " to " + to + " hung; runner at " + stack(runner));
                }
            }
        } finally {
            done.set(true);
            swapper.shutdown();
            runner.join(30_000);
        }

        assertNull(thrown.get(), "Workload.run threw");
        assertTrue(!runner.isAlive(), "the runner ended");
        assertEquals(0, reports.stream().mapToLong(WorkloadReport::dataErrors).sum(),
                "bytes wrong: " + reports.stream().filter(r -> r.dataErrors() > 0).findFirst().orElse(null));
        assertEquals(0, total(Stat.LEAKS_RECLAIMED), "the driver released everything it held");
        assertEquals(0, total(Stat.STALE_DMA_REFUSED), "the driver quiesced its device before its release ended");
        WorkloadReport last = h.workload("nvme").run(new WorkloadParams(4, 64 * 1024, 99));
        assertTrue(last.clean(), last.toString());
    }

    private long total(Stat s) {
        return h.platform.allStats().stream().filter(x -> x.device().equals(DeviceNames.NVME)).mapToLong(x -> x.get(s)).sum();
    }

    private static String stack(Thread t) {
        StringBuilder b = new StringBuilder(t.getState().toString());
        for (StackTraceElement e : t.getStackTrace()) {
            b.append("\n\tat ").append(e);
        }
        return b.toString();
    }
}
