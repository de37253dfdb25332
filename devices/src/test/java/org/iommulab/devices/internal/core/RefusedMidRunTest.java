package org.iommulab.devices.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.DriverKind;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.iommulab.devices.internal.testing.RefusingDmaApi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A swap can refuse any creating call of a run (the platform releases the driver: map and alloc
 * fail at once with "being swapped"). Whichever call it is, the driver must leave nothing
 * mapped or allocated once its run ended and it was removed: the platform would otherwise
 * report and reclaim a leak. Found by the soak: the loopback driver kept its first mapping of a
 * round when the second was refused.
 */
class RefusedMidRunTest {
    /** Every creating call of a short run, and some beyond its end (then nothing is refused). */
    private static final int CALLS = 40;

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    void aRefusalAtAnyCreatingCallLeavesNothingMapped(DriverKind kind) {
        DriverHarness h = new DriverHarness().withStandardBackends().withAllDevices();
        DeviceDriver auto = (DeviceDriver) h.workload(kind.workload());
        DmaApi real = h.api(kind.device());
        auto.stop(); // the harness's own driver: out of the way, holding nothing
        assertEquals(0, h.platform.liveMappings(kind.device()), kind + ": the harness's driver released everything");
        List<String> leaks = new ArrayList<>();
        int refusedRuns = 0;
        for (int n = 1; n <= CALLS; n++) {
            RefusingDmaApi api = new RefusingDmaApi(real, n);
            DeviceDriver d = kind.create(api, h.allocator, h.models);
            try {
                d.start();
            } catch (RuntimeException refusedInProbe) {
                // start() released what the probe took; checked below like any other case.
            }
            WorkloadReport r = d.run(new WorkloadParams(1, 0, n));
            d.stop();
            if (api.creatingCalls() >= n) {
                refusedRuns++;
            }
            int live = h.platform.liveMappings(kind.device());
            if (live != 0) {
                leaks.add("refused from creating call " + n + ": " + live + " left live; run: " + r);
            }
            assertEquals(0, r.dataErrors(), kind + " refused from call " + n + ": " + r);
        }
        assertTrue(leaks.isEmpty(), kind + ": " + leaks);
        assertTrue(refusedRuns > 1, kind + ": the refusals reached into the run");
    }
}
