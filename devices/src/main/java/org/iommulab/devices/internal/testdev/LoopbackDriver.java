package org.iommulab.devices.internal.testdev;

import java.util.Random;

import org.iommulab.api.dma.CoherentAllocation;
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
 * The loopback workload on the test DMA master, written as a driver would write it against the
 * DMA API: fill a source from the CPU, map it TO_DEVICE and a destination FROM_DEVICE, command
 * the device to copy, unmap, and verify every byte from the CPU. Three shapes per round: a
 * single mapping of an odd-sized, odd-offset buffer; an sg list of scattered pages copied
 * segment by segment through the DMA view (so a merged list is exercised exactly as the backend
 * produced it); and a coherent buffer the device reads, the driver inverts and the device writes
 * back. Sources alternate between memory above and below 4 GiB so that narrow masks meet
 * bouncing.
 *
 * <p>{@code size}: the largest single buffer in bytes (default 64 KiB, at most 16 MiB).
 */
public final class LoopbackDriver extends DeviceDriver {
    static final long DEFAULT_SIZE = 64 * 1024;
    static final long MAX_SIZE = 16L << 20;
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;

    private final TestDevice device;

    public LoopbackDriver(String name, DmaApi api, PageAllocator allocator, TestDevice device) {
        super(name, "test DMA master copies single, sg and coherent buffers; every byte verified", api, allocator);
        if (device == null) {
            throw new IllegalArgumentException("the loopback driver needs its test device");
        }
        this.device = device;
    }

    @Override
    protected void checkParams(WorkloadParams params) {
        long size = params.sizeOr(DEFAULT_SIZE);
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("loopback size is the largest single buffer, 1.." + MAX_SIZE + " bytes, got " + size);
        }
    }

    @Override
    protected void probe() {
        // Nothing to hold between runs: every buffer belongs to one round.
    }

    @Override
    protected void release() {
    }

    @Override
    protected void runRounds(WorkloadParams params, WorkloadReport.Builder r) {
        Random rnd = new SeqRandom(params.seed()); // Random's values without its atomics
        int maxLen = (int) params.sizeOr(DEFAULT_SIZE);
        for (int i = 0; i < params.rounds(); i++) {
            Zone zone = (i & 1) == 0 ? Zone.HIGH : Zone.DMA32;
            single(r, rnd, zone, maxLen);
            scatterGather(r, rnd, zone);
            coherent(r, rnd, Math.min(maxLen, 16 * 1024));
        }
    }

    private void single(WorkloadReport.Builder r, Random rnd, Zone zone, int maxLen) {
        int len = 1 + rnd.nextInt(maxLen);
        int offset = rnd.nextInt(256);
        long[] bufs = {allocator.allocPages(pages(len + offset), zone), allocator.allocPages(pages(len), Zone.NORMAL)};
        try {
            if (bufs[0] == PageAllocator.NO_MEMORY || bufs[1] == PageAllocator.NO_MEMORY) {
                r.mapFailure("out of memory for a " + len + "-byte buffer");
                return;
            }
            long src = bufs[0] + offset;
            long dst = bufs[1];
            byte[] data = DataCheck.random(rnd, len);
            api.cpu().write(src, data, 0, len);
            api.cpu().fill(dst, len, (byte) 0);
            long srcDma = api.mapPhys(src, len, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            if (api.mappingError(srcDma)) {
                r.mapFailure("single TO_DEVICE mapping of " + len + " bytes failed");
                return;
            }
            boolean moved;
            // The source stays mapped until here whatever the second mapping does: a swap that
            // refuses it (by throwing) must not leave the first behind.
            try {
                long dstDma = api.mapPhys(dst, len, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
                if (api.mappingError(dstDma)) {
                    r.mapFailure("single FROM_DEVICE mapping of " + len + " bytes failed");
                    return;
                }
                try {
                    moved = copy(r, srcDma, dstDma, len);
                } finally {
                    api.unmapPhys(dstDma, len, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
                }
            } finally {
                api.unmapPhys(srcDma, len, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            }
            if (moved) {
                verify(r, dst, data, "single");
            }
        } finally {
            Scatter.freeAll(allocator, bufs);
        }
    }

    private void scatterGather(WorkloadReport.Builder r, Random rnd, Zone zone) {
        int entries = 2 + rnd.nextInt(7);
        long[] pages = Scatter.pages(allocator, entries, 1, zone);
        long[] dst = {allocator.allocPages(entries, Zone.NORMAL)};
        try {
            if (pages == null || dst[0] == PageAllocator.NO_MEMORY) {
                r.mapFailure("out of memory for an sg list of " + entries + " pages");
                return;
            }
            SgTable sg = new SgTable(entries);
            for (long p : pages) {
                sg.add(p, PAGE);
            }
            int total = entries * PAGE;
            byte[] data = DataCheck.random(rnd, total);
            DataCheck.fill(api.cpu(), sg, data);
            long dstDma = api.mapPhys(dst[0], total, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
            if (api.mappingError(dstDma)) {
                r.mapFailure("sg destination mapping failed");
                return;
            }
            long out = 0;
            boolean moved = true;
            // As in single(): the destination is unmapped even when a swap refuses the list's mapping.
            try {
                int nents = api.mapSg(sg, entries, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
                if (nents == 0) {
                    r.mapFailure("dma_map_sg of " + entries + " entries failed");
                    return;
                }
                try {
                    r.sgList(entries, nents);
                    // The device follows the DMA view: nents segments, whatever origNents is.
                    for (int s = 0; s < nents && moved; s++) {
                        moved = copy(r, sg.dmaAddress(s), dstDma + out, sg.dmaLength(s));
                        out += sg.dmaLength(s);
                    }
                } finally {
                    api.unmapSg(sg, entries, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
                }
            } finally {
                api.unmapPhys(dstDma, total, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
            }
            if (moved) {
                r.dataErrors(Math.abs(total - out), "DMA segments cover " + out + " bytes of a " + total + "-byte list");
                verify(r, dst[0], data, "sg");
            }
        } finally {
            Scatter.freeAll(allocator, pages);
            Scatter.freeAll(allocator, dst);
        }
    }

    private void coherent(WorkloadReport.Builder r, Random rnd, int maxLen) {
        int len = Math.min(maxLen, 64 + rnd.nextInt(16 * 1024));
        CoherentAllocation buf = api.allocCoherent(len);
        if (buf == null) {
            r.mapFailure("dma_alloc_coherent of " + len + " bytes failed");
            return;
        }
        try {
            byte[] data = DataCheck.random(rnd, len);
            api.cpu().write(buf.cpuAddress(), data, 0, len);
            // The device reads the buffer, the driver inverts it, the device writes it back; the
            // CPU sees the result without a sync.
            TestDevice.Result in = device.read(bus, buf.dmaHandle(), len);
            if (!in.ok()) {
                r.fault("coherent read faulted: " + in.fault());
                return;
            }
            byte[] inverted = in.data();
            for (int k = 0; k < len; k++) {
                inverted[k] = (byte) ~inverted[k];
                data[k] = (byte) ~data[k];
            }
            TestDevice.Result out = device.write(bus, buf.dmaHandle(), inverted, 0, len);
            if (!out.ok()) {
                r.fault("coherent write faulted: " + out.fault());
                return;
            }
            r.operation(2L * len);
            verify(r, buf.cpuAddress(), data, "coherent");
        } finally {
            api.freeCoherent(buf);
        }
    }

    private boolean copy(WorkloadReport.Builder r, long src, long dst, long len) {
        TestDevice.Result res = device.copy(bus, src, dst, len);
        if (!res.ok()) {
            r.fault("device copy faulted after " + res.bytesDone() + " of " + len + " bytes: " + res.fault());
            return false;
        }
        r.operation(len);
        return true;
    }

    private void verify(WorkloadReport.Builder r, long at, byte[] expected, String what) {
        byte[] got = new byte[expected.length];
        api.cpu().read(at, got, 0, got.length);
        DataCheck.Mismatch m = DataCheck.compare(expected, got);
        r.dataErrors(m.bad(), m.describe(what + " transfer"));
    }

    private static long pages(long bytes) {
        return (bytes + PageAllocator.PAGE_SIZE - 1) / PageAllocator.PAGE_SIZE;
    }
}
