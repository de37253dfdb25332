package org.iommulab.devices.internal.testdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.DriverKind;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.iommulab.testkit.SkewedWritesPort;
import org.iommulab.testkit.WrappingBackend;
import org.junit.jupiter.api.Test;

/** The loopback workload on real backends, and its data check catching a backend that corrupts. */
class LoopbackDriverTest {
    private final DriverHarness h = new DriverHarness().withStandardBackends().withAllDevices();

    @Test
    void everyByteArrivesThroughDirectAndSwiotlb() {
        for (String backend : new String[] {"direct", "swiotlb"}) {
            // testdev0 has a 32-bit mask: buffers above 4 GiB bounce even on direct.
            WorkloadReport r = h.run(DriverKind.LOOPBACK, backend, new WorkloadParams(8, 0, 42));
            assertNull(r.firstError(), backend);
            assertEquals(0, r.dataErrors());
            assertEquals(0, r.faults());
            assertEquals(0, r.mapFailures());
            assertEquals(8, r.sgLists());
            assertEquals(8 * 2 + r.dmaSegments(), r.operations(), "a single copy and a coherent buffer per round, a copy per DMA segment");
            assertTrue(r.bytes() > 0);
            assertTrue(r.segmentsPerSgList() >= 2, "no merging without an IOMMU");
            assertEquals(r.entriesPerSgList(), r.segmentsPerSgList(), 1e-9);
        }
    }

    @Test
    void aBackendThatMisplacesDeviceWritesIsCaughtByTheDataCheck() {
        // Device writes land one byte further than mapped; reads are faithful.
        h.backend(WrappingBackend.port("skewed", h.direct, SkewedWritesPort::new));
        WorkloadReport r = h.run(DriverKind.LOOPBACK, "skewed", new WorkloadParams(8, 0, 42));
        assertTrue(r.dataErrors() > 0, "corrupted transfers went unnoticed");
        assertNotNull(r.firstError());
        assertEquals(0, r.faults());
    }

    @Test
    void theTestDeviceReportsAFaultInsteadOfThrowing() {
        h.platform.bind("testdev0", "direct");
        TestDevice dev = h.models.model("testdev0", TestDevice.class, TestDevice::new);
        // Address 0 is below RAM: direct mapping cannot reach it.
        TestDevice.Result res = dev.read(0, 16);
        assertNotNull(res.fault(), "expected a fault");
        assertEquals(0, res.bytesDone());
    }
}
