package org.iommulab.app.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.app.internal.workload.LoopbackWorkload;
import org.iommulab.app.internal.workload.ResultRow;
import org.iommulab.app.internal.workload.ResultTable;
import org.iommulab.app.internal.workload.WorkloadResult;

/**
 * The main job without {@code --shell}: for every backend present and every device, swap the
 * device onto the backend, run the loopback workload through the device's DMA API and bus
 * master, and print one table. The exit status is 0 when every workload that ran moved its
 * data intact with no fault and no failed mapping, 1 otherwise.
 */
final class BatchJob {
    /** Rounds of the loopback workload per backend and device. */
    static final int ROUNDS = 32;

    private final PlatformAdmin admin;
    private final BiFunction<String, String, DmaApi> dmaApiLookup;
    private final PrintStream out;

    /**
     * @param dmaApiLookup finds the DMA API service of (device, backend), waiting briefly for
     *        its registration after a swap; null when it does not appear
     */
    BatchJob(PlatformAdmin admin, BiFunction<String, String, DmaApi> dmaApiLookup, PrintStream out) {
        this.admin = admin;
        this.dmaApiLookup = dmaApiLookup;
        this.out = out;
    }

    int run() {
        List<String> backends = admin.backends();
        List<DeviceStatus> devices = admin.devices();
        out.println("iommulab: " + backends.size() + " backend(s) " + backends + ", " + devices.size() + " device(s)");
        if (backends.isEmpty() || devices.isEmpty()) {
            out.println("iommulab: nothing to run: no backend or no device is present");
            return 1;
        }
        List<ResultRow> rows = new ArrayList<>();
        for (String backend : backends) {
            for (DeviceStatus device : devices) {
                rows.add(runOne(backend, device.name()));
            }
        }
        ResultTable.print(rows, out);
        boolean ok = rows.stream().allMatch(r -> r.result() == null || r.clean());
        out.println("iommulab: " + (ok ? "all transfers intact" : "FAILED: see the rows above"));
        out.flush();
        return ok ? 0 : 1;
    }

    private ResultRow runOne(String backend, String device) {
        try {
            admin.bind(device, backend);
        } catch (IllegalStateException e) {
            return ResultRow.refused(backend, device, e.getMessage());
        }
        DmaApi api = dmaApiLookup.apply(device, backend);
        if (api == null) {
            return ResultRow.refused(backend, device, "no DMA API service appeared after the bind");
        }
        DeviceStats before = admin.stats(device);
        long start = System.nanoTime();
        WorkloadResult result = new LoopbackWorkload(api, admin.busMaster(device), admin.allocator())
                .run(ROUNDS, device.hashCode());
        long nanos = System.nanoTime() - start;
        return ResultRow.ran(backend, device, result, before, admin.stats(device), nanos);
    }
}
