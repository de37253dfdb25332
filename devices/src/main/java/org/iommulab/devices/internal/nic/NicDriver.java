package org.iommulab.devices.internal.nic;

import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.MemoryAccess;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.core.DeviceDriver;
import org.iommulab.devices.internal.core.Scatter;
import org.iommulab.devices.internal.core.SeqRandom;

/**
 * A NIC driver in the shape of Linux's ring-based Ethernet drivers. Probe allocates the TX and
 * RX descriptor rings in coherent memory and the packet buffers; a run brings the interface up
 * ({@code ndo_open}: a mapped receive buffer posted on every RX descriptor) and down again at
 * its end ({@code ndo_stop}: everything handed to the device unmapped). Every packet gets its
 * own streaming mapping (TO_DEVICE to transmit, FROM_DEVICE to receive), and
 * completions arrive as interrupts ({@link NicInterrupts}): TX completion unmaps the frame, RX
 * completion unmaps the buffer, checks the frame and posts the buffer again with a fresh mapping.
 *
 * <p>Every frame carries a sequence number and a CRC32 over sequence number and payload, computed
 * before transmission and checked after the receive unmap, so a byte changed anywhere between
 * (a bounce, a translation, a sync) is a bad packet; a missing or reordered sequence number is a
 * lost packet. Both count as data errors (packets, not bytes).
 *
 * <p>{@code size}: the largest payload in bytes, {@value #MIN_PAYLOAD}..{@value #MAX_PAYLOAD}
 * (default 1500); payloads are random between the minimum and it.
 */
public final class NicDriver extends DeviceDriver {
    static final int RING = 64;
    /** Receive buffer: the first half of a page, as page_pool fragments are. */
    static final int RX_BUFFER = 2048;
    static final int HEADER = 4;
    static final int TRAILER = 4;
    static final int MIN_PAYLOAD = 46;
    static final int MAX_PAYLOAD = NicModel.MAX_FRAME - HEADER - TRAILER;
    static final int DEFAULT_PAYLOAD = 1500;
    /** Packets per TX doorbell. */
    static final int BURST = 16;

    private final NicModel nic;
    private final Interrupts interrupts = new Interrupts();
    /** The device on this driver's rings, between up() and down(). */
    private NicModel.Port port;
    private CoherentAllocation txRing;
    private CoherentAllocation rxRing;
    private final long[] rxPage = new long[RING];
    private final long[] rxDma = new long[RING];
    private final long[] txPage = new long[RING];
    private final long[] txDma = new long[RING];
    private final int[] txLen = new int[RING];
    private int txTail;
    private int nextSeq;
    private int expectedSeq;
    private int received;
    private WorkloadReport.Builder report;

    public NicDriver(String name, DmaApi api, PageAllocator allocator, NicModel nic) {
        super(name, "loopback NIC: descriptor rings in coherent memory, a streaming mapping per packet, CRC32 end to end",
                api, allocator);
        if (nic == null) {
            throw new IllegalArgumentException("the NIC driver needs its NIC");
        }
        this.nic = nic;
        Arrays.fill(rxPage, PageAllocator.NO_MEMORY);
        Arrays.fill(txPage, PageAllocator.NO_MEMORY);
        Arrays.fill(rxDma, DmaMasks.MAPPING_ERROR);
        Arrays.fill(txDma, DmaMasks.MAPPING_ERROR);
    }

    @Override
    protected void checkParams(WorkloadParams params) {
        long size = params.sizeOr(DEFAULT_PAYLOAD);
        if (size < MIN_PAYLOAD || size > MAX_PAYLOAD) {
            throw new IllegalArgumentException("nic size is the largest payload, " + MIN_PAYLOAD + ".." + MAX_PAYLOAD
                    + " bytes, got " + size);
        }
    }

    @Override
    protected void probe() {
        txRing = api.allocCoherent(RING * NicDescriptor.SIZE);
        rxRing = api.allocCoherent(RING * NicDescriptor.SIZE);
        if (txRing == null || rxRing == null) {
            throw new IllegalStateException(deviceName() + ": no coherent memory for the descriptor rings");
        }
        for (int i = 0; i < RING; i++) {
            rxPage[i] = allocator.allocPages(1, Zone.NORMAL);
            txPage[i] = allocator.allocPages(1, Zone.NORMAL);
            if (rxPage[i] == PageAllocator.NO_MEMORY || txPage[i] == PageAllocator.NO_MEMORY) {
                throw new IllegalStateException(deviceName() + ": out of memory for packet buffers");
            }
        }
    }

    /**
     * Linux {@code ndo_open}: posts a freshly mapped receive buffer on every RX descriptor and
     * starts the device on the rings. False (with what failed in the report) when a receive
     * buffer cannot be mapped; whatever was mapped stays for {@link #down()}.
     */
    private boolean up(WorkloadReport.Builder r) {
        for (int i = 0; i < RING; i++) {
            if (!postRx(i)) {
                r.mapFailure(deviceName() + ": could not map receive buffer " + i + " (see the device's log)");
                return false;
            }
        }
        txTail = 0;
        port = nic.reset(bus, txRing.dmaHandle(), rxRing.dmaHandle(), RING, interrupts);
        return true;
    }

    /** Linux {@code ndo_stop}: quiesces the device, then unmaps every buffer still handed to it. */
    private void down() {
        if (port != null) {
            port.shutdown();
            port = null;
        }
        for (int i = 0; i < RING; i++) {
            quietly(rxDma, i, RX_BUFFER, DmaDirection.FROM_DEVICE);
            quietly(txDma, i, txLen[i], DmaDirection.TO_DEVICE);
        }
    }

    @Override
    protected void release() {
        down();
        Scatter.freeAll(allocator, rxPage);
        Scatter.freeAll(allocator, txPage);
        for (CoherentAllocation ring : new CoherentAllocation[] {txRing, rxRing}) {
            if (ring != null) {
                try {
                    api.freeCoherent(ring);
                } catch (RuntimeException staleAfterSwap) {
                    // The platform reclaimed it as a leak; nothing more to do here.
                }
            }
        }
        txRing = null;
        rxRing = null;
    }

    @Override
    protected void runRounds(WorkloadParams params, WorkloadReport.Builder r) {
        Random rnd = new SeqRandom(params.seed()); // Random's values without its atomics
        int maxPayload = (int) params.sizeOr(DEFAULT_PAYLOAD);
        report = r;
        try {
            if (!up(r)) {
                return;
            }
            for (int round = 0; round < params.rounds(); round++) {
                int sent = 0;
                received = 0;
                expectedSeq = nextSeq;
                for (int p = 0; p < BURST; p++) {
                    int payload = MIN_PAYLOAD + rnd.nextInt(maxPayload - MIN_PAYLOAD + 1);
                    if (transmit(rnd, payload)) {
                        sent++;
                    }
                }
                port.kickTx(txTail);
                for (int i = 0; i < RING; i++) {
                    if (txDma[i] != DmaMasks.MAPPING_ERROR) {
                        r.error(deviceName() + ": TX descriptor " + i + " never completed");
                        quietly(txDma, i, txLen[i], DmaDirection.TO_DEVICE);
                    }
                }
                r.dataErrors(sent - received, deviceName() + ": " + (sent - received) + " of " + sent
                        + " packets lost (device dropped " + nic.rxDropped() + " in total)");
            }
        } finally {
            report = null;
            down();
        }
    }

    /** Builds a frame into the slot at the TX tail, maps it and hands the descriptor to the device. */
    private boolean transmit(Random rnd, int payload) {
        int slot = txTail;
        int len = HEADER + payload + TRAILER;
        byte[] frame = new byte[len];
        int seq = nextSeq;
        putInt(frame, 0, seq);
        for (int i = HEADER; i < HEADER + payload; i++) {
            frame[i] = (byte) rnd.nextInt();
        }
        putInt(frame, HEADER + payload, crc(frame, HEADER + payload));
        MemoryAccess cpu = api.cpu();
        cpu.write(txPage[slot], frame, 0, len);
        long dma = api.mapPhys(txPage[slot], len, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        if (api.mappingError(dma)) {
            report.mapFailure(deviceName() + ": TX mapping of a " + len + "-byte frame failed");
            return false;
        }
        txDma[slot] = dma;
        txLen[slot] = len;
        long desc = txRing.cpuAddress() + (long) slot * NicDescriptor.SIZE;
        cpu.writeLong(desc + NicDescriptor.ADDR, dma);
        cpu.writeInt(desc + NicDescriptor.LENGTH, len);
        cpu.writeInt(desc + NicDescriptor.FLAGS, NicDescriptor.OWN | NicDescriptor.EOP);
        txTail = (txTail + 1) % RING;
        nextSeq++;
        return true;
    }

    /** Maps receive buffer {@code i} afresh and hands its descriptor to the device. */
    private boolean postRx(int i) {
        long dma = api.mapPhys(rxPage[i], RX_BUFFER, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
        if (api.mappingError(dma)) {
            return false;
        }
        rxDma[i] = dma;
        MemoryAccess cpu = api.cpu();
        long desc = rxRing.cpuAddress() + (long) i * NicDescriptor.SIZE;
        cpu.writeLong(desc + NicDescriptor.ADDR, dma);
        cpu.writeInt(desc + NicDescriptor.LENGTH, RX_BUFFER);
        cpu.writeInt(desc + NicDescriptor.FLAGS, NicDescriptor.OWN);
        return true;
    }

    private void quietly(long[] dma, int i, int len, DmaDirection dir) {
        if (dma[i] == DmaMasks.MAPPING_ERROR) {
            return;
        }
        try {
            api.unmapPhys(dma[i], len, dir, DmaAttrs.NONE);
        } catch (RuntimeException staleAfterSwap) {
            // The platform reclaimed it as a leak when the device was swapped away.
        }
        dma[i] = DmaMasks.MAPPING_ERROR;
    }

    static int crc(byte[] b, int len) {
        CRC32 c = new CRC32();
        c.update(b, 0, len);
        return (int) c.getValue();
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    /** The interrupt handlers, kept off the driver's public face. */
    private final class Interrupts implements NicInterrupts {
        @Override
        public void txDone(int index, boolean ok) {
            quietly(txDma, index, txLen[index], DmaDirection.TO_DEVICE);
            if (!ok && report != null) {
                report.fault(deviceName() + ": the device could not read TX frame " + index);
            }
        }

        @Override
        public void rxDone(int index) {
            MemoryAccess cpu = api.cpu();
            long desc = rxRing.cpuAddress() + (long) index * NicDescriptor.SIZE;
            int flags = cpu.readInt(desc + NicDescriptor.FLAGS);
            int len = cpu.readInt(desc + NicDescriptor.LENGTH);
            api.unmapPhys(rxDma[index], RX_BUFFER, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
            rxDma[index] = DmaMasks.MAPPING_ERROR;
            if (report != null) {
                check(cpu, index, flags, len);
            }
            if (!postRx(index) && report != null) {
                report.mapFailure(deviceName() + ": could not map receive buffer " + index + " again");
            }
        }

        @Override
        public void error(String what) {
            if (report != null) {
                report.fault(deviceName() + ": " + what);
            }
        }

        /** The end-to-end check of one received frame, after its unmap. */
        private void check(MemoryAccess cpu, int index, int flags, int len) {
            received++;
            if ((flags & NicDescriptor.ERR) != 0) {
                report.fault(deviceName() + ": the device could not write RX buffer " + index);
                return;
            }
            if (len < HEADER + TRAILER || len > RX_BUFFER) {
                report.dataErrors(1, deviceName() + ": RX descriptor " + index + " reports a " + len + "-byte frame");
                return;
            }
            byte[] frame = new byte[len];
            cpu.read(rxPage[index], frame, 0, len);
            int seq = getInt(frame, 0);
            int want = crc(frame, len - TRAILER);
            int got = getInt(frame, len - TRAILER);
            if (want != got) {
                report.dataErrors(1, String.format("%s: packet %d failed its CRC32 (computed 0x%08x, carried 0x%08x)",
                        deviceName(), seq, want, got));
            } else if (seq != expectedSeq) {
                report.dataErrors(1, deviceName() + ": received packet " + seq + " where " + expectedSeq + " was next");
            } else {
                report.operation(len);
            }
            expectedSeq = seq + 1;
        }
    }
}
