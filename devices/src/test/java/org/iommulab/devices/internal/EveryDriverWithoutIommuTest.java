package org.iommulab.devices.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.admin.Stat;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every workload on the two backends without an IOMMU: each moves its data intact, with no
 * fault, no failed mapping and no checker finding, and no scatterlist is merged. The seed
 * case's buggy MMC driver passes here too: without merging its assumption holds.
 */
class EveryDriverWithoutIommuTest {
    private final DriverHarness h = new DriverHarness().withStandardBackends().withAllDevices();

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
        "LOOPBACK, direct", "LOOPBACK, swiotlb",
        "NIC, direct", "NIC, swiotlb",
        "NIC_EXT, direct", "NIC_EXT, swiotlb",
        "NVME, direct", "NVME, swiotlb",
        "CAMERA, direct", "CAMERA, swiotlb",
        "MMC, direct", "MMC, swiotlb",
        "MMC_BUGGY, direct", "MMC_BUGGY, swiotlb"})
    void runsCleanly(DriverKind kind, String backend) {
        h.platform.bind(kind.device(), backend);
        long findingsBefore = h.stat(kind.device(), Stat.CHECKER_FINDINGS);
        long faultsBefore = h.stat(kind.device(), Stat.FAULTS);
        WorkloadReport r = h.run(kind, backend, new WorkloadParams(4, 0, 7));

        assertNull(r.firstError(), r.toString());
        assertTrue(r.clean(), r.toString());
        assertEquals(backend, r.backend());
        assertEquals(kind.device(), r.device());
        assertEquals(kind.workload(), r.workload());
        assertTrue(r.operations() > 0, "did nothing: " + r);
        assertTrue(r.bytes() > 0, r.toString());
        assertFalse(r.merged(), "no merging without an IOMMU: " + r);
        assertEquals(0, h.stat(kind.device(), Stat.CHECKER_FINDINGS) - findingsBefore, "checker findings: " + h.platform.findings());
        assertEquals(0, h.stat(kind.device(), Stat.FAULTS) - faultsBefore);
        assertEquals(0, h.platform.liveMappings(kind.device()) - liveBetweenRuns(kind), "mappings left behind by the run");
    }

    /** What a driver holds between runs: its coherent rings, queues or descriptor table; streaming mappings never. */
    private static int liveBetweenRuns(DriverKind kind) {
        switch (kind) {
            case NIC:
            case NIC_EXT:
                return 2;
            case NVME:
                return 3;
            case MMC:
            case MMC_BUGGY:
                return 1;
            default:
                return 0;
        }
    }
}
