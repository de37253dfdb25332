package org.iommulab.devices.internal.nvme;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.MemoryAccess;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.core.DataCheck;
import org.iommulab.devices.internal.core.DeviceDriver;
import org.iommulab.devices.internal.core.Scatter;
import org.iommulab.devices.internal.core.SeqRandom;

/**
 * An NVMe driver in the shape of Linux's nvme-pci: the I/O queues and a PRP list page in
 * coherent memory; each request an sg list mapped with {@code dma_map_sgtable} and described
 * to the controller by PRPs built from its DMA view ({@link PrpBuilder}).
 *
 * <p>Each round writes a random number of blocks from one buffer and reads them back into
 * another of a different shape, then compares. Buffers look like the block layer's: the first
 * entry starts at a random dword offset and ends on a page, the middle entries are whole pages
 * (one or two), the last may end anywhere; the pages are scattered and sit above 4 GiB first,
 * so a 32-bit controller bounces on dma-direct. That works only because the device's
 * {@code min_align_mask} of 4 KiB - 1 makes the bounce buffer keep each entry's offset within
 * its page; without it the PRPs would point into the middle of pages and the controller would
 * refuse them ("PRP Offset Invalid").
 *
 * <p>{@code size}: the largest request in bytes, a multiple of 512 up to 1 MiB (default 64 KiB);
 * request sizes are random multiples of 512 up to it.
 */
public final class NvmeDriver extends DeviceDriver {
    static final int DEPTH = 16;
    static final int DEFAULT_SIZE = 64 * 1024;
    static final int MAX_SIZE = 1 << 20;
    /** The controller page size minus one: Linux's {@code dma_set_min_align_mask(dev, NVME_CTRL_PAGE_SIZE - 1)}. */
    static final long MIN_ALIGN_MASK = NvmeFormat.PAGE - 1;
    private static final int PAGE = NvmeFormat.PAGE;

    private final NvmeController ctrl;
    /** This driver's I/O queue pair on the controller, from probe on. */
    private NvmeController.Queues queues;
    private CoherentAllocation sq;
    private CoherentAllocation cq;
    private CoherentAllocation prpList;
    private int sqTail;
    private int cqHead;
    private int phase;
    private int cid;
    private int interrupts;

    public NvmeDriver(String name, DmaApi api, PageAllocator allocator, NvmeController ctrl) {
        super(name, "NVMe: writes and reads back mixed-size requests described by PRPs built from the DMA segments",
                api, allocator);
        if (ctrl == null) {
            throw new IllegalArgumentException("the NVMe driver needs its controller");
        }
        this.ctrl = ctrl;
    }

    @Override
    protected void checkParams(WorkloadParams params) {
        long size = params.sizeOr(DEFAULT_SIZE);
        if (size % NvmeFormat.LBA != 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("nvme size is the largest request, a multiple of " + NvmeFormat.LBA
                    + " up to " + MAX_SIZE + " bytes, got " + size);
        }
    }

    @Override
    protected void probe() {
        sq = api.allocCoherent(DEPTH * NvmeFormat.SQE_SIZE);
        cq = api.allocCoherent(DEPTH * NvmeFormat.CQE_SIZE);
        prpList = api.allocCoherent(PAGE);
        if (sq == null || cq == null || prpList == null) {
            throw new IllegalStateException(deviceName() + ": no coherent memory for the queues");
        }
        sqTail = 0;
        cqHead = 0;
        phase = 1;
        queues = ctrl.createQueues(bus, sq.dmaHandle(), cq.dmaHandle(), DEPTH, () -> interrupts++);
    }

    @Override
    protected void release() {
        if (queues != null) {
            queues.delete();
            queues = null;
        }
        for (CoherentAllocation c : new CoherentAllocation[] {sq, cq, prpList}) {
            if (c != null) {
                try {
                    api.freeCoherent(c);
                } catch (RuntimeException staleAfterSwap) {
                    // Reclaimed by the platform as a leak when the device was swapped away.
                }
            }
        }
        sq = null;
        cq = null;
        prpList = null;
    }

    @Override
    protected void runRounds(WorkloadParams params, WorkloadReport.Builder r) {
        if (api.device().minAlignMask() < MIN_ALIGN_MASK) {
            r.note(deviceName() + ": min_align_mask is 0x" + Long.toHexString(api.device().minAlignMask())
                    + ", not 0x" + Long.toHexString(MIN_ALIGN_MASK) + ": a bounce buffer may lose PRP offsets");
        }
        Random rnd = new SeqRandom(params.seed()); // Random's values without its atomics
        int maxBlocks = (int) (params.sizeOr(DEFAULT_SIZE) / NvmeFormat.LBA);
        int lbas = NvmeController.NAMESPACE_BYTES / NvmeFormat.LBA;
        for (int round = 0; round < params.rounds(); round++) {
            int blocks = 1 + rnd.nextInt(maxBlocks);
            int length = blocks * NvmeFormat.LBA;
            long slba = rnd.nextInt(lbas - blocks + 1);
            byte[] data = DataCheck.random(rnd, length);
            if (!transfer(r, rnd, NvmeFormat.OPC_WRITE, slba, data)) {
                continue;
            }
            byte[] back = new byte[length];
            if (transfer(r, rnd, NvmeFormat.OPC_READ, slba, back)) {
                DataCheck.Mismatch m = DataCheck.compare(data, back);
                r.dataErrors(m.bad(), m.describe(deviceName() + ": read back of LBA " + slba + "+" + blocks));
            }
        }
    }

    /** One request: lay out a buffer, map it, build PRPs, submit, wait, unmap; for a read, {@code data} is filled. */
    private boolean transfer(WorkloadReport.Builder r, Random rnd, int opcode, long slba, byte[] data) {
        boolean write = opcode == NvmeFormat.OPC_WRITE;
        DmaDirection dir = write ? DmaDirection.TO_DEVICE : DmaDirection.FROM_DEVICE;
        int length = data.length;
        List<Integer> lengths = layout(rnd, length);
        int first = lengths.get(0);
        long[] blocks = Scatter.pages(allocator, lengths.size() - 1, 2, Zone.NORMAL);
        if (blocks == null) {
            r.mapFailure(deviceName() + ": out of memory for a " + length + "-byte request");
            return false;
        }
        try {
            SgTable sg = new SgTable(lengths.size() - 1);
            for (int i = 1; i < lengths.size(); i++) {
                // The first entry starts at the offset that makes it end on a page.
                sg.add(i == 1 ? blocks[0] + PAGE - first : blocks[i - 1], lengths.get(i));
            }
            MemoryAccess cpu = api.cpu();
            if (write) {
                DataCheck.fill(cpu, sg, data);
            }
            int rc = api.mapSgtable(sg, dir, DmaAttrs.NONE);
            if (rc != 0) {
                r.mapFailure(deviceName() + ": dma_map_sgtable of " + sg.origNents() + " entries failed with " + rc);
                return false;
            }
            r.sgList(sg.origNents(), sg.nents());
            PrpBuilder.Prps prps = PrpBuilder.build(sg, length, cpu, prpList.cpuAddress(), prpList.dmaHandle());
            int status = prps.error() == null ? submit(opcode, slba, length / NvmeFormat.LBA, prps) : -1;
            api.unmapSgtable(sg, dir, DmaAttrs.NONE);
            if (prps.error() != null) {
                r.error(deviceName() + ": " + prps.error());
                return false;
            }
            if (status != NvmeFormat.SC_SUCCESS) {
                String what = String.format("%s: %s of LBA %d+%d failed: %s", deviceName(), write ? "write" : "read", slba,
                        length / NvmeFormat.LBA, status < 0 ? "no completion" : NvmeFormat.statusName(status));
                if (status == NvmeFormat.SC_DATA_TRANSFER_ERROR) {
                    r.fault(what);
                } else {
                    r.error(what);
                }
                return false;
            }
            if (!write) {
                byte[] got = DataCheck.read(cpu, sg, length);
                System.arraycopy(got, 0, data, 0, length);
            }
            r.operation(length);
            return true;
        } finally {
            Scatter.freeAll(allocator, blocks);
        }
    }

    /**
     * Entry lengths of a block-layer-shaped buffer: element 0 is the first entry's length within
     * its page (so its offset is PAGE minus that), then one length per entry (first, middle
     * entries of one or two pages, last).
     */
    private static List<Integer> layout(Random rnd, int length) {
        int offset = 4 * rnd.nextInt(PAGE / 4);
        int first = Math.min(length, PAGE - offset);
        List<Integer> l = new ArrayList<>();
        l.add(PAGE - offset);
        l.add(first);
        int left = length - first;
        while (left > 0) {
            int pages = left > PAGE && rnd.nextBoolean() ? 2 : 1;
            int n = Math.min(left, pages * PAGE);
            l.add(n);
            left -= n;
        }
        return l;
    }

    /** Writes the command at the SQ tail, rings the doorbell and reaps its completion; returns the status code or -1. */
    private int submit(int opcode, long slba, int blocks, PrpBuilder.Prps prps) {
        MemoryAccess cpu = api.cpu();
        int id = cid++ & 0xffff;
        long e = sq.cpuAddress() + (long) sqTail * NvmeFormat.SQE_SIZE;
        cpu.fill(e, NvmeFormat.SQE_SIZE, (byte) 0);
        cpu.writeInt(e + NvmeFormat.SQE_CDW0, opcode | id << 16);
        cpu.writeInt(e + NvmeFormat.SQE_NSID, NvmeController.NSID);
        cpu.writeLong(e + NvmeFormat.SQE_PRP1, prps.prp1());
        cpu.writeLong(e + NvmeFormat.SQE_PRP2, prps.prp2());
        cpu.writeLong(e + NvmeFormat.SQE_SLBA, slba);
        cpu.writeInt(e + NvmeFormat.SQE_NLB, blocks - 1);
        sqTail = (sqTail + 1) % DEPTH;
        int before = interrupts;
        queues.ringSubmission(sqTail);
        if (interrupts == before) {
            return -1;
        }
        long c = cq.cpuAddress() + (long) cqHead * NvmeFormat.CQE_SIZE;
        int dw3 = cpu.readInt(c + NvmeFormat.CQE_DW3);
        if ((dw3 >>> 16 & 1) != phase || (dw3 & 0xffff) != id) {
            return -1;
        }
        cqHead++;
        if (cqHead == DEPTH) {
            cqHead = 0;
            phase ^= 1;
        }
        return dw3 >>> 17 & 0x7fff;
    }
}
