package org.iommulab.devices.internal.mmc;

import java.util.ArrayList;
import java.util.Arrays;
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
import org.iommulab.devices.SgLayout;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.core.DataCheck;
import org.iommulab.devices.internal.core.DeviceDriver;
import org.iommulab.devices.internal.core.Scatter;
import org.iommulab.devices.internal.core.SeqRandom;

/**
 * The seed case: an MMC driver that mixes DMA and PIO. The host's DMA engine takes at most
 * 4 KiB per descriptor, so the driver gives each DMA segment one descriptor for its first
 * 4 KiB and moves the rest of a longer segment through the data port by PIO, with
 * {@link DmaApi#cpu()}. Where those PIO bytes are in memory is the {@link PioPlacement}:
 * {@link #correct} finds them through the CPU view with an SgMiter, {@link #buggy} pairs DMA
 * segment N with CPU entry N.
 *
 * <p>Each round writes a request of scattered 4 KiB pages to the card and reads it back into
 * other scattered pages, then compares. The pages come from below 4 GiB, where the device's
 * 32-bit mask reaches them without bouncing. Without an IOMMU every DMA segment is one 4 KiB entry
 * and no PIO happens, so both drivers pass. An IOMMU merges the list into segments of up to the
 * device's max segment size (64 KiB), the PIO path runs, and the buggy driver writes past the
 * end of entry N: the checker sees a CPU access outside any allocation, and the read-back sees
 * the wrong bytes.
 *
 * <p>Order of a request: map; program the descriptors; DMA; unmap; PIO; finish. The PIO comes
 * after the unmap because the CPU must not touch a buffer the device owns, and because the
 * unmap of a bounced FROM_DEVICE list copies whole bounce slots back, which would overwrite
 * bytes written by PIO before it.
 *
 * <p>{@code size}: the request in bytes, a multiple of 512 up to 1 MiB (default 64 KiB: 16
 * entries of 4 KiB, the last one shorter if the size is not a multiple of 4 KiB).
 */
public final class MmcDriver extends DeviceDriver {
    static final int DEFAULT_SIZE = 64 * 1024;
    static final int MAX_SIZE = 1 << 20;
    static final int TABLE_ENTRIES = 256;
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;

    private final MmcHost host;
    /** The host as this driver opened it (its registers and transfer), from probe on. */
    private MmcHost.Session session;
    private final PioPlacement placement;
    private final boolean seededBug;
    private CoherentAllocation table;

    private MmcDriver(String name, String description, boolean seededBug, DmaApi api, PageAllocator allocator, MmcHost host,
            PioPlacement placement) {
        super(name, description, api, allocator);
        if (host == null) {
            throw new IllegalArgumentException("the MMC driver needs its host controller");
        }
        this.host = host;
        this.placement = placement;
        this.seededBug = seededBug;
    }

    /** The driver that locates PIO bytes through the CPU view. */
    public static MmcDriver correct(String name, DmaApi api, PageAllocator allocator, MmcHost host) {
        return new MmcDriver(name, "MMC DMA+PIO: PIO bytes located through the CPU view with SgMiter", false, api, allocator,
                host, new SgMiterPlacement());
    }

    /** The seed case's buggy driver: PIO bytes of DMA segment N go to CPU entry N. */
    public static MmcDriver buggy(String name, DmaApi api, PageAllocator allocator, MmcHost host) {
        return new MmcDriver(name, "MMC DMA+PIO with the seed bug: DMA segment N paired with CPU entry N", true, api,
                allocator, host, new EntryPairingPlacement());
    }

    @Override
    public boolean seededBug() {
        return seededBug;
    }

    @Override
    protected void checkParams(WorkloadParams params) {
        long size = params.sizeOr(DEFAULT_SIZE);
        if (size % MmcHost.BLOCK != 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("mmc size is the request size, a multiple of " + MmcHost.BLOCK + " up to "
                    + MAX_SIZE + " bytes, got " + size);
        }
    }

    @Override
    protected void probe() {
        table = api.allocCoherent(TABLE_ENTRIES * AdmaDescriptor.SIZE);
        if (table == null) {
            throw new IllegalStateException(deviceName() + ": no coherent memory for the descriptor table");
        }
        session = host.open(bus);
        session.setDescriptorTable(table.dmaHandle());
    }

    @Override
    protected void release() {
        if (table != null) {
            try {
                api.freeCoherent(table);
            } catch (RuntimeException staleAfterSwap) {
                // Reclaimed by the platform as a leak when the device was swapped away.
            }
            table = null;
        }
    }

    @Override
    protected void runRounds(WorkloadParams params, WorkloadReport.Builder r) {
        int size = (int) params.sizeOr(DEFAULT_SIZE);
        int entries = (size + PAGE - 1) / PAGE;
        Random rnd = new SeqRandom(params.seed()); // Random's values without its atomics
        for (int round = 0; round < params.rounds(); round++) {
            int cardAt = MmcHost.BLOCK * rnd.nextInt((MmcHost.CARD_BYTES - size) / MmcHost.BLOCK + 1);
            byte[] data = DataCheck.random(rnd, size);
            // One scatter for both requests: a second one would fill the first one's spacer
            // pages, and an entry would get another request's page as its neighbour. Below
            // 4 GiB, because that is where the buggy driver's stray PIO lands: the IOMMUs keep
            // their tables in ZONE_NORMAL (above 4 GiB first), so its map_sg never allocates a
            // page-table page into a spacer that the stray bytes then overwrite.
            // The spacers are poisoned before they are freed, so the stray PIO of the buggy
            // driver reads and writes a fixed pattern there, not an earlier run's bytes.
            long[] pages = Scatter.pages(allocator, api.cpu(), 2 * entries, 1, Zone.DMA32);
            try {
                if (pages == null) {
                    r.mapFailure(deviceName() + ": out of memory for a " + size + "-byte request");
                    continue;
                }
                long[] out = Arrays.copyOfRange(pages, 0, entries);
                long[] in = Arrays.copyOfRange(pages, entries, 2 * entries);
                SgTable write = table(out, size);
                DataCheck.fill(api.cpu(), write, data);
                if (!request(r, true, write, cardAt)) {
                    continue;
                }
                SgTable read = table(in, size);
                // Poison the read buffer first, as a driver test harness does, so a byte the
                // request fails to deliver reads back as POISON, not as whatever an earlier
                // run left in the page: the damage the data check counts then depends on this
                // request alone.
                DataCheck.fill(api.cpu(), read, poison(size));
                if (request(r, false, read, cardAt)) {
                    DataCheck.Mismatch m = DataCheck.compare(data, DataCheck.read(api.cpu(), read, size));
                    r.dataErrors(m.bad(), m.describe(deviceName() + ": read back of card bytes " + cardAt + "+" + size));
                }
            } finally {
                Scatter.freeAll(allocator, pages);
            }
        }
    }

    /**
     * The fill of a read buffer before the read: Linux's slab "in use" poison byte
     * ({@code POISON_INUSE}, 0x5a, include/linux/poison.h).
     */
    static final byte POISON = 0x5a;

    private static byte[] poison(int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, POISON);
        return b;
    }

    private static SgTable table(long[] pages, int size) {
        SgTable sg = new SgTable(pages.length);
        for (int i = 0; i < pages.length; i++) {
            sg.add(pages[i], Math.min(PAGE, size - i * PAGE));
        }
        return sg;
    }

    /** One request: map, descriptors, DMA, unmap, PIO, finish. */
    private boolean request(WorkloadReport.Builder r, boolean write, SgTable sg, int cardAt) {
        DmaDirection dir = write ? DmaDirection.TO_DEVICE : DmaDirection.FROM_DEVICE;
        int total = (int) sg.totalLength();
        int n = sg.origNents();
        int nents = api.mapSg(sg, n, dir, DmaAttrs.NONE);
        if (nents == 0) {
            r.mapFailure(deviceName() + ": dma_map_sg of " + n + " entries failed");
            return false;
        }
        r.sgList(n, nents);
        // What the descriptors leave to PIO, per DMA segment: where in the segment and in the transfer, how much.
        int[] inSegment = new int[nents];
        long[] transferAt = new long[nents];
        int[] gap = new int[nents];
        int status;
        if (nents > TABLE_ENTRIES) {
            api.unmapSg(sg, n, dir, DmaAttrs.NONE);
            r.error(deviceName() + ": " + nents + " DMA segments do not fit the " + TABLE_ENTRIES + "-entry descriptor table");
            return false;
        }
        MemoryAccess cpu = api.cpu();
        long at = 0;
        for (int s = 0; s < nents; s++) {
            int len = sg.dmaLength(s);
            int dma = Math.min(len, AdmaDescriptor.MAX_LENGTH);
            inSegment[s] = dma;
            transferAt[s] = at + dma;
            gap[s] = len - dma;
            long d = table.cpuAddress() + (long) s * AdmaDescriptor.SIZE;
            cpu.writeLong(d + AdmaDescriptor.ADDR, sg.dmaAddress(s));
            cpu.writeInt(d + AdmaDescriptor.LENGTH, dma);
            cpu.writeInt(d + AdmaDescriptor.CONTROL,
                    AdmaDescriptor.VALID | (s == nents - 1 ? AdmaDescriptor.END : 0) | gap[s]);
            at += len;
        }
        if (!write && !r.hasMergedSgLayout()) {
            r.sgLayout(SgLayout.of(sg, pairs(sg, nents, inSegment, transferAt, gap)));
        }
        status = session.transfer(write, cardAt, total);
        api.unmapSg(sg, n, dir, DmaAttrs.NONE);
        if (status != MmcHost.OK) {
            return failed(r, write, status);
        }
        for (int s = 0; s < nents; s++) {
            if (gap[s] == 0) {
                continue;
            }
            byte[] buf = new byte[gap[s]];
            if (write) {
                placement.locate(sg, s, inSegment[s], transferAt[s], gap[s], (phys, off, len) -> cpu.read(phys, buf, off, len));
                session.writeDataPort(buf, 0, buf.length);
            } else {
                session.readDataPort(buf, 0, buf.length);
                placement.locate(sg, s, inSegment[s], transferAt[s], gap[s], (phys, off, len) -> cpu.write(phys, buf, off, len));
            }
        }
        status = session.finish();
        if (status != MmcHost.OK) {
            return failed(r, write, status);
        }
        r.operation(total);
        return true;
    }

    /**
     * The driver's pairings of DMA segment to CPU entry, for the picture: for each segment, the
     * entry this placement takes it to be and how many of its PIO bytes land elsewhere than
     * where the CPU view puts their transfer offset (what {@link SgMiterPlacement} finds).
     * Empty for a placement that pairs nothing.
     */
    private List<SgLayout.Pair> pairs(SgTable sg, int nents, int[] inSegment, long[] transferAt, int[] gap) {
        List<SgLayout.Pair> pairs = new ArrayList<>();
        PioPlacement reference = new SgMiterPlacement();
        for (int s = 0; s < nents; s++) {
            int entry = placement.pairedEntry(s);
            if (entry < 0) {
                return List.of();
            }
            long misplaced = 0;
            if (gap[s] > 0) {
                long[] mine = new long[gap[s]];
                long[] right = new long[gap[s]];
                placement.locate(sg, s, inSegment[s], transferAt[s], gap[s], (phys, off, len) -> fill(mine, phys, off, len));
                reference.locate(sg, s, inSegment[s], transferAt[s], gap[s], (phys, off, len) -> fill(right, phys, off, len));
                for (int i = 0; i < gap[s]; i++) {
                    if (mine[i] != right[i]) {
                        misplaced++;
                    }
                }
            }
            pairs.add(new SgLayout.Pair(s, entry, gap[s], misplaced));
        }
        return pairs;
    }

    private static void fill(long[] at, long phys, int off, int len) {
        for (int i = 0; i < len; i++) {
            at[off + i] = phys + i;
        }
    }

    private boolean failed(WorkloadReport.Builder r, boolean write, int status) {
        String what = deviceName() + ": " + (write ? "write" : "read") + " request failed: " + session.lastError();
        if ((status & MmcHost.DMA_FAULT) != 0) {
            r.fault(what);
        } else {
            r.error(what);
        }
        return false;
    }
}
