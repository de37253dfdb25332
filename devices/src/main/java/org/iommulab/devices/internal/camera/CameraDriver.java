package org.iommulab.devices.internal.camera;

import java.util.Random;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.core.DataCheck;
import org.iommulab.devices.internal.core.DeviceDriver;
import org.iommulab.devices.internal.core.Scatter;
import org.iommulab.devices.internal.core.SeqRandom;

/**
 * A capture driver on videobuf2-dma-contig, the user Tomasz Figa names in the seed thread: its
 * hardware takes one base address per frame, so each buffer must map to ONE DMA segment
 * ({@code vb2_dc_get_contiguous_size()} must cover the whole frame).
 *
 * <p>Each round captures {@value #FRAMES_PER_BUFFER} frames into each of two buffers, with the
 * syncs a non-coherent device needs (for the device before queueing, for the CPU after the
 * frame):
 * <ul>
 * <li>an MMAP buffer: physically contiguous pages, one sg entry, so one segment on every backend;</li>
 * <li>a USERPTR buffer: separately allocated pages, one entry each. An IOMMU merges them into one
 * segment and capture works; without one they stay separate segments, and the driver refuses the
 * buffer as vb2-dma-contig does ("contiguous mapping is too small"), with a report line saying
 * why: a clear refusal, never a frame written over memory it does not own.</li>
 * </ul>
 *
 * <p>{@code size}: the frame size in bytes, a multiple of 4 KiB (default 64 KiB, the device's
 * default max segment size). A larger frame cannot be one segment even behind an IOMMU; the
 * run then captures nothing and says so in a report line.
 */
public final class CameraDriver extends DeviceDriver {
    static final int DEFAULT_FRAME = 64 * 1024;
    static final int MAX_FRAME = 16 << 20;
    static final int FRAMES_PER_BUFFER = 2;
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;

    private final CameraSensor sensor;
    private int frameNumber;

    public CameraDriver(String name, DmaApi api, PageAllocator allocator, CameraSensor sensor) {
        super(name, "videobuf2-dma-contig capture: each multi-page frame must be one DMA segment", api, allocator);
        if (sensor == null) {
            throw new IllegalArgumentException("the camera driver needs its sensor");
        }
        this.sensor = sensor;
    }

    @Override
    protected void checkParams(WorkloadParams params) {
        long size = params.sizeOr(DEFAULT_FRAME);
        if (size % PAGE != 0 || size > MAX_FRAME) {
            throw new IllegalArgumentException("camera size is the frame size, a multiple of " + PAGE + " up to "
                    + MAX_FRAME + " bytes, got " + size);
        }
    }

    @Override
    protected void probe() {
        // vb2 allocates its buffers at REQBUFS time, per run here; nothing to hold.
    }

    @Override
    protected void release() {
    }

    @Override
    protected void runRounds(WorkloadParams params, WorkloadReport.Builder r) {
        int frame = (int) params.sizeOr(DEFAULT_FRAME);
        int pages = frame / PAGE;
        Random rnd = new SeqRandom(params.seed()); // Random's values without its atomics
        frameNumber = rnd.nextInt(1000);
        if (frame > api.maxSegmentSize()) {
            // Even a single contiguous entry would be a segment longer than the device claims to support.
            r.skipped(String.format("%s: a %d-byte frame exceeds the device's max segment size of %d bytes, so no backend "
                    + "can map it as one DMA segment; nothing was captured (Linux drivers raise the limit with "
                    + "dma_set_max_seg_size, which this DMA API does not offer)", deviceName(), frame, api.maxSegmentSize()));
            return;
        }
        for (int round = 0; round < params.rounds(); round++) {
            long[] contiguous = {allocator.allocPages(pages, Zone.NORMAL)};
            try {
                if (contiguous[0] == PageAllocator.NO_MEMORY) {
                    r.mapFailure(deviceName() + ": out of memory for a " + frame + "-byte MMAP buffer");
                } else {
                    SgTable sg = new SgTable(1).add(contiguous[0], frame);
                    streamBuffer(r, sg, frame, "MMAP");
                }
            } finally {
                Scatter.freeAll(allocator, contiguous);
            }
            long[] scattered = Scatter.pages(allocator, pages, 1, Zone.NORMAL);
            try {
                if (scattered == null) {
                    r.mapFailure(deviceName() + ": out of memory for a " + pages + "-page USERPTR buffer");
                } else {
                    SgTable sg = new SgTable(pages);
                    for (long p : scattered) {
                        sg.add(p, PAGE);
                    }
                    streamBuffer(r, sg, frame, "USERPTR");
                }
            } finally {
                Scatter.freeAll(allocator, scattered);
            }
        }
    }

    /** Maps a buffer, captures frames into it if it is one segment, checks them, unmaps. */
    private void streamBuffer(WorkloadReport.Builder r, SgTable sg, int frame, String kind) {
        int rc = api.mapSgtable(sg, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
        if (rc != 0) {
            r.mapFailure(deviceName() + ": dma_map_sgtable of a " + sg.origNents() + "-entry " + kind + " buffer failed with " + rc);
            return;
        }
        r.sgList(sg.origNents(), sg.nents());
        try {
            // vb2_dc_get_contiguous_size(): only the first segment counts.
            long contiguous = sg.dmaLength(0);
            if (contiguous < frame) {
                r.skipped(refusal(sg, frame, kind));
                return;
            }
            for (int k = 0; k < FRAMES_PER_BUFFER; k++) {
                int number = frameNumber++;
                // Queue: hand the buffer to the device (on a non-coherent device this invalidates the CPU's cache lines).
                api.syncSgtableForDevice(sg, DmaDirection.FROM_DEVICE);
                String problem = sensor.capture(bus, sg.dmaAddress(0), frame, number);
                // Dequeue: take it back for the CPU before reading the frame.
                api.syncSgtableForCpu(sg, DmaDirection.FROM_DEVICE);
                if (problem != null) {
                    r.fault(deviceName() + ": " + problem);
                    return;
                }
                byte[] expected = new byte[frame];
                CameraSensor.pixels(number, 0, expected, 0, frame);
                DataCheck.Mismatch m = DataCheck.compare(expected, DataCheck.read(api.cpu(), sg, frame));
                r.dataErrors(m.bad(), m.describe(deviceName() + ": " + kind + " frame " + number));
                if (m.ok()) {
                    r.operation(frame);
                }
            }
        } finally {
            api.unmapSgtable(sg, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
        }
    }

    private String refusal(SgTable sg, int frame, String kind) {
        return String.format("%s: a %d-page %s buffer mapped to %d DMA segments on %s; videobuf2-dma-contig needs one "
                + "contiguous DMA segment per frame, so it was not captured. An IOMMU merges such a buffer; without one "
                + "only physically contiguous (MMAP) buffers work", deviceName(), sg.origNents(), kind, sg.nents(),
                backendName());
    }
}
