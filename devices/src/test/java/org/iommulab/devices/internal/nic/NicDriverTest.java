package org.iommulab.devices.internal.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.DriverKind;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.iommulab.testkit.ForwardingOps;
import org.iommulab.testkit.WrappingBackend;
import org.junit.jupiter.api.Test;

/** The NIC's rings, its per-packet mappings and its CRC32 check, which must be able to fail. */
class NicDriverTest {
    private final DriverHarness h = new DriverHarness().withStandardBackends().withAllDevices();

    @Test
    void everyPacketArrivesWithItsChecksum() {
        WorkloadReport r = h.run(DriverKind.NIC, "direct", new WorkloadParams(5, 0, 2));
        assertTrue(r.clean(), r.toString());
        assertEquals(5 * NicDriver.BURST, r.operations(), "every packet came back");
    }

    @Test
    void aBackendThatChangesAReceivedByteFailsTheCrc() {
        // On unmap of a receive buffer this backend flips byte 10 of it: a corrupting bounce, as it were.
        h.backend(WrappingBackend.ops("corrupt", h.direct, (dev, ops) -> new ForwardingOps(ops) {
            @Override
            public void unmapPhys(long dma, long size, DmaDirection dir, int attrs) {
                super.unmapPhys(dma, size, dir, attrs);
                if (dir == DmaDirection.FROM_DEVICE && (attrs & DmaAttrs.SKIP_CPU_SYNC) == 0) {
                    dev.memory().writeByte(dma + 10, (byte) ~dev.memory().readByte(dma + 10));
                }
            }
        }));
        WorkloadReport r = h.run(DriverKind.NIC, "corrupt", new WorkloadParams(2, 0, 2));
        assertEquals(2 * NicDriver.BURST, r.dataErrors(), "every packet fails its CRC: " + r);
        assertNotNull(r.firstError());
        assertTrue(r.firstError().contains("failed its CRC32"), r.firstError());
        assertEquals(0, r.operations());
    }

    @Test
    void payloadSizesOutsideTheFrameAreRejectedUpFront() {
        h.platform.bind("nic0", "direct");
        assertThrows(IllegalArgumentException.class, () -> h.workload("nic").run(new WorkloadParams(1, 4000, 1)));
        assertThrows(IllegalArgumentException.class, () -> h.workload("nic").run(new WorkloadParams(1, 10, 1)));
        assertTrue(h.workload("nic").run(new WorkloadParams(1, NicDriver.MAX_PAYLOAD, 1)).clean());
    }
}
