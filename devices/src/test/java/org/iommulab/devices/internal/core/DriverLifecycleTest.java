package org.iommulab.devices.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.admin.Stat;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.DriverKind;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.junit.jupiter.api.Test;

/** Drivers come and go with their device's DmaApi: released on a swap, created again on the new backend, never leaking. */
class DriverLifecycleTest {
    private final DriverHarness h = new DriverHarness().withStandardBackends().withAllDevices();

    @Test
    void aSwapReleasesEveryDriverCleanlyAndTheNewOneWorks() {
        for (DriverKind kind : DriverKind.values()) {
            h.platform.bind(kind.device(), "direct");
            Workload before = h.workload(kind.workload());
            assertNotNull(before, kind.workload());
            assertTrue(before.run(new WorkloadParams(1, 0, 1)).clean());
            h.platform.bind(kind.device(), "swiotlb");
            Workload after = h.workload(kind.workload());
            assertNotSame(before, after, "a swap re-creates the driver");
            assertEquals(0, h.platform.allStats().stream()
                    .filter(s -> s.device().equals(kind.device()))
                    .mapToLong(s -> s.get(Stat.LEAKS_RECLAIMED)).sum(), kind + " leaked across the swap");
            WorkloadReport stale = before.run(new WorkloadParams(1, 0, 1));
            assertTrue(stale.firstError() != null && stale.firstError().contains("not bound"), stale.toString());
            WorkloadReport fresh = after.run(new WorkloadParams(1, 0, 1));
            assertTrue(fresh.clean(), fresh.toString());
            assertEquals("swiotlb", fresh.backend());
        }
    }

    @Test
    void removingADeviceStopsItsDriverAndLeavesNothingMapped() {
        h.platform.bind("nic0", "direct");
        assertEquals(2, h.platform.liveMappings("nic0"), "the NIC keeps its coherent rings between runs");
        h.platform.removeDevice("nic0");
        assertEquals(null, h.workload("nic"));
        assertEquals(0, h.platform.allStats().stream().filter(s -> s.device().equals("nic0"))
                .mapToLong(s -> s.get(Stat.LEAKS_RECLAIMED)).sum());
    }

    @Test
    void badParametersAreRejectedBeforeAnythingHappens() {
        h.platform.bind("mmc0", "direct");
        Workload mmc = h.workload("mmc");
        long maps = h.stat("mmc0", Stat.SG_MAPS);
        assertThrows(IllegalArgumentException.class, () -> mmc.run(new WorkloadParams(1, 1000, 1)));
        assertThrows(IllegalArgumentException.class, () -> mmc.run(null));
        assertEquals(maps, h.stat("mmc0", Stat.SG_MAPS));
    }

    @Test
    void theSeededBugIsDeclaredOnlyByTheBuggyDriver() {
        for (DriverKind kind : DriverKind.values()) {
            h.platform.bind(kind.device(), "direct");
            assertEquals(kind == DriverKind.MMC_BUGGY, h.workload(kind.workload()).seededBug(), kind.toString());
        }
    }
}
