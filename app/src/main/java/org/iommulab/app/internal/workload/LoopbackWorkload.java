package org.iommulab.app.internal.workload;

import java.util.Random;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;

/**
 * The main job's loopback workload, written as a driver would write it against the DMA API:
 * fill a source buffer from the CPU, map it TO_DEVICE and a destination FROM_DEVICE, let the
 * device's copy engine move the bytes through its bus master, unmap, and verify every byte
 * from the CPU. Three shapes per round: a single mapping of an odd-sized, odd-offset buffer,
 * an sg list of scattered pages copied segment by segment through the DMA view (so a merged
 * list is exercised exactly as the backend produced it), and a coherent buffer the device
 * transforms in place. Buffers alternate between memory below and above 4 GiB so that
 * devices with narrow masks meet bouncing. Failures are counted, never thrown.
 */
public final class LoopbackWorkload {
    private final DmaApi api;
    private final BusMaster bus;
    private final PageAllocator allocator;
    private final CopyEngine engine = new CopyEngine();

    public LoopbackWorkload(DmaApi api, BusMaster bus, PageAllocator allocator) {
        this.api = api;
        this.bus = bus;
        this.allocator = allocator;
    }

    /** Runs {@code rounds} rounds with the pseudo-random sizes of {@code seed}. */
    public WorkloadResult run(int rounds, long seed) {
        WorkloadResult r = new WorkloadResult();
        Random rnd = new Random(seed);
        for (int i = 0; i < rounds; i++) {
            Zone zone = (i & 1) == 0 ? Zone.HIGH : Zone.DMA32;
            single(r, rnd, zone);
            scatterGather(r, rnd, zone);
            coherent(r, rnd);
        }
        return r;
    }

    private void single(WorkloadResult r, Random rnd, Zone zone) {
        int len = 1 + rnd.nextInt(64 * 1024);
        int offset = rnd.nextInt(256);
        long src = allocator.allocPages(pages(len + offset), zone);
        long dst = allocator.allocPages(pages(len), Zone.NORMAL);
        try {
            if (src == PageAllocator.NO_MEMORY || dst == PageAllocator.NO_MEMORY) {
                r.mapFailures++;
                r.error("out of memory for a " + len + "-byte buffer");
                return;
            }
            byte[] data = pattern(rnd, len);
            api.cpu().write(src + offset, data, 0, len);
            api.cpu().fill(dst, len, (byte) 0);
            long srcDma = api.mapPhys(src + offset, len, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            if (api.mappingError(srcDma)) {
                r.mapFailures++;
                r.error("single TO_DEVICE mapping of " + len + " bytes failed");
                return;
            }
            long dstDma = api.mapPhys(dst, len, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
            if (api.mappingError(dstDma)) {
                api.unmapPhys(srcDma, len, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
                r.mapFailures++;
                r.error("single FROM_DEVICE mapping of " + len + " bytes failed");
                return;
            }
            boolean moved = deviceCopy(r, srcDma, dstDma, len);
            api.unmapPhys(dstDma, len, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
            api.unmapPhys(srcDma, len, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            if (moved) {
                verify(r, dst, data, "single");
            }
        } finally {
            freeIfAllocated(src);
            freeIfAllocated(dst);
        }
    }

    private void scatterGather(WorkloadResult r, Random rnd, Zone zone) {
        int entries = 2 + rnd.nextInt(7);
        long[] pages = new long[entries];
        SgTable sg = new SgTable(entries);
        long dst = PageAllocator.NO_MEMORY;
        try {
            for (int e = 0; e < entries; e++) {
                pages[e] = allocator.allocPages(1, zone);
                if (pages[e] == PageAllocator.NO_MEMORY) {
                    r.mapFailures++;
                    r.error("out of memory for an sg page");
                    return;
                }
                sg.add(pages[e], (int) PageAllocator.PAGE_SIZE);
            }
            int total = entries * (int) PageAllocator.PAGE_SIZE;
            dst = allocator.allocPages(entries, Zone.NORMAL);
            byte[] data = pattern(rnd, total);
            for (int e = 0; e < entries; e++) {
                api.cpu().write(pages[e], data, e * (int) PageAllocator.PAGE_SIZE, (int) PageAllocator.PAGE_SIZE);
            }
            long dstDma = api.mapPhys(dst, total, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
            if (api.mappingError(dstDma)) {
                r.mapFailures++;
                r.error("sg destination mapping failed");
                return;
            }
            int nents = api.mapSg(sg, entries, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            if (nents == 0) {
                api.unmapPhys(dstDma, total, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
                r.mapFailures++;
                r.error("dma_map_sg of " + entries + " entries failed");
                return;
            }
            r.sgLists++;
            r.sgEntries += entries;
            r.sgSegments += nents;
            // The device follows the DMA view: nents segments, whatever origNents is.
            long out = 0;
            boolean moved = true;
            for (int s = 0; s < nents && moved; s++) {
                moved = deviceCopy(r, sg.dmaAddress(s), dstDma + out, sg.dmaLength(s));
                out += sg.dmaLength(s);
            }
            api.unmapSg(sg, entries, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            api.unmapPhys(dstDma, total, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
            if (moved) {
                if (out != total) {
                    r.dataErrors += Math.abs(total - out);
                    r.error("DMA segments cover " + out + " bytes of a " + total + "-byte list");
                }
                verify(r, dst, data, "sg");
            }
        } finally {
            for (long p : pages) {
                freeIfAllocated(p);
            }
            freeIfAllocated(dst);
        }
    }

    private void coherent(WorkloadResult r, Random rnd) {
        int len = 64 + rnd.nextInt(16 * 1024);
        CoherentAllocation buf = api.allocCoherent(len);
        if (buf == null) {
            r.mapFailures++;
            r.error("dma_alloc_coherent of " + len + " bytes failed");
            return;
        }
        try {
            byte[] data = pattern(rnd, len);
            api.cpu().write(buf.cpuAddress(), data, 0, len);
            // The device inverts the buffer in place; the CPU sees it without a sync.
            byte[] burst = new byte[CopyEngine.BURST];
            long done = 0;
            while (done < len) {
                int n = (int) Math.min(burst.length, len - done);
                bus.read(buf.dmaHandle() + done, burst, 0, n);
                for (int k = 0; k < n; k++) {
                    burst[k] = (byte) ~burst[k];
                }
                bus.write(buf.dmaHandle() + done, burst, 0, n);
                done += n;
            }
            r.transfers++;
            r.bytes += 2L * len;
            for (int k = 0; k < len; k++) {
                data[k] = (byte) ~data[k];
            }
            verify(r, buf.cpuAddress(), data, "coherent");
        } catch (DmaFaultException e) {
            r.faults++;
            r.error("coherent access faulted: " + e.fault());
        } finally {
            api.freeCoherent(buf);
        }
    }

    private boolean deviceCopy(WorkloadResult r, long src, long dst, long len) {
        try {
            engine.copy(bus, src, dst, len);
            r.transfers++;
            r.bytes += len;
            return true;
        } catch (DmaFaultException e) {
            r.faults++;
            r.error("device copy faulted: " + e.fault());
            return false;
        }
    }

    private void verify(WorkloadResult r, long at, byte[] expected, String what) {
        byte[] got = new byte[expected.length];
        api.cpu().read(at, got, 0, got.length);
        long bad = 0;
        int first = -1;
        for (int i = 0; i < got.length; i++) {
            if (got[i] != expected[i]) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (bad > 0) {
            r.dataErrors += bad;
            r.error(what + " transfer: " + bad + " of " + got.length + " bytes wrong, first at offset " + first);
        }
    }

    private void freeIfAllocated(long addr) {
        if (addr != PageAllocator.NO_MEMORY && addr != 0) {
            allocator.free(addr);
        }
    }

    private static long pages(long bytes) {
        return (bytes + PageAllocator.PAGE_SIZE - 1) / PageAllocator.PAGE_SIZE;
    }

    private static byte[] pattern(Random rnd, int len) {
        byte[] b = new byte[len];
        rnd.nextBytes(b);
        return b;
    }
}
