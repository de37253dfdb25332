package org.iommulab.devices.internal.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.DriverKind;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.iommulab.devices.internal.testing.MergingBackend;
import org.junit.jupiter.api.Test;

/** videobuf2-dma-contig's one-segment rule, with and without an IOMMU that merges. */
class CameraDriverTest {
    private final DriverHarness h = new DriverHarness().withStandardBackends().withAllDevices();

    @Test
    void withoutAnIommuScatteredBuffersAreRefusedWithAClearLineAndContiguousOnesWork() {
        WorkloadReport r = h.run(DriverKind.CAMERA, "direct", new WorkloadParams(3, 0, 1));
        assertTrue(r.clean(), "a refusal is not corruption: " + r);
        assertEquals(3, r.skipped(), "one USERPTR buffer refused per round");
        assertEquals(3 * CameraDriver.FRAMES_PER_BUFFER, r.operations(), "every MMAP frame captured");
        assertEquals(1, r.notes().size(), "the same refusal is said once: " + r.notes());
        String line = r.notes().get(0);
        assertTrue(line.contains("cam0") && line.contains("16-page USERPTR buffer mapped to 16 DMA segments on direct")
                && line.contains("needs one contiguous DMA segment") && line.contains("physically contiguous"), line);
    }

    @Test
    void anIommuMergesTheScatteredBufferIntoOneSegmentAndCaptureWorks() {
        h.backend(MergingBackend.over("merge", h.direct));
        WorkloadReport r = h.run(DriverKind.CAMERA, "merge", new WorkloadParams(3, 0, 1));
        assertTrue(r.clean(), r.toString());
        assertEquals(0, r.skipped());
        assertEquals(3 * 2 * CameraDriver.FRAMES_PER_BUFFER, r.operations());
        assertEquals(2 * 3, r.dmaSegments(), "one segment per buffer");
        assertTrue(r.merged());
    }

    @Test
    void aFrameBeyondTheMaxSegmentSizeIsRefusedOnEveryBackend() {
        h.backend(MergingBackend.over("merge", h.direct));
        WorkloadReport r = h.run(DriverKind.CAMERA, "merge", new WorkloadParams(2, 128 * 1024, 1));
        assertTrue(r.clean());
        assertEquals(0, r.operations());
        assertEquals(1, r.skipped());
        assertTrue(r.notes().get(0).contains("exceeds the device's max segment size of 65536 bytes"), r.notes().toString());
    }

    @Test
    void theFrameCheckCanFail() {
        byte a = CameraSensor.pixel(1, 100);
        byte b = CameraSensor.pixel(2, 100);
        assertTrue(a != b || CameraSensor.pixel(1, 101) != CameraSensor.pixel(2, 101), "frames must differ so a stale frame is caught");
    }
}
