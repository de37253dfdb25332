package org.iommulab.devices.internal.nvme;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.DriverKind;
import org.iommulab.devices.internal.core.DeviceDriver;
import org.iommulab.devices.internal.core.DeviceNames;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.iommulab.devices.internal.testing.MergingBackend;
import org.iommulab.platform.internal.device.DefaultDevices;
import org.junit.jupiter.api.Test;

/** NVMe requests through PRPs: bounced with min_align_mask, merged by an IOMMU, and broken without the mask. */
class NvmeDriverTest {
    private final DriverHarness h = new DriverHarness().withStandardBackends();

    private void addDisk(DeviceDescriptor disk) {
        h.platform.addDevice(disk);
    }

    private static DeviceDescriptor defaultDisk() {
        return DefaultDevices.all().stream().filter(d -> d.name().equals(DeviceNames.NVME)).findFirst().orElseThrow();
    }

    @Test
    void bouncedRequestsKeepTheirPrpOffsetsThanksToMinAlignMask() {
        addDisk(defaultDisk());
        WorkloadReport r = h.run(DriverKind.NVME, "swiotlb", new WorkloadParams(8, 128 * 1024, 4));
        assertTrue(r.clean(), r.toString());
        assertTrue(h.stat("disk0", Stat.BOUNCED_BYTES) > 0, "swiotlb bounces every request");
    }

    @Test
    void mergedRequestsWork() {
        addDisk(defaultDisk());
        h.backend(MergingBackend.over("merge", h.direct));
        WorkloadReport r = h.run(DriverKind.NVME, "merge", new WorkloadParams(8, 128 * 1024, 4));
        assertTrue(r.clean(), r.toString());
        assertTrue(r.merged());
    }

    @Test
    void withoutMinAlignMaskABouncedRequestGoesWrongAndIsCaught() {
        addDisk(defaultDisk().toBuilder().minAlignMask(0).build());
        WorkloadReport r = h.run(DriverKind.NVME, "swiotlb", new WorkloadParams(8, 64 * 1024, 4));
        assertFalse(r.clean(), "lost offsets must not go unnoticed: " + r);
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("min_align_mask")), r.notes().toString());
    }

    /**
     * A swap creates the new driver while the old one may still be in a run; the old driver's
     * late doorbell and release must not touch the queues its successor created on the same
     * controller (found by the lifecycle suite: every request after the swap went without
     * completion).
     */
    @Test
    void aLateOldDriverLeavesItsSuccessorsQueuesAlone() {
        addDisk(defaultDisk());
        WorkloadParams params = new WorkloadParams(2, 16 * 1024, 4);
        assertTrue(h.run(DriverKind.NVME, "direct", params).clean());
        DeviceDriver old = (DeviceDriver) h.workload(DriverKind.NVME.workload());
        DeviceDriver successor = DriverKind.NVME.create(h.api(DeviceNames.NVME), h.allocator, h.models);
        successor.start();
        // Each driver has its own queue pair on the controller (NvmeController.createQueues):
        // the old one's release deletes its own pair, never the successor's.
        old.stop();
        WorkloadReport r = successor.run(params);
        assertTrue(r.clean(), "the successor's queues survived the old driver's release: " + r);
        successor.stop();
    }
}
