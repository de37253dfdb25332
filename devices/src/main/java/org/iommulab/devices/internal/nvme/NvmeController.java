package org.iommulab.devices.internal.nvme;

import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFaultException;

/**
 * An NVMe controller with one I/O queue pair and one namespace of {@value #NAMESPACE_BYTES}
 * bytes. The driver places the submission and completion queues in coherent memory and rings
 * the submission doorbell; the controller then fetches each new command through its bus
 * master, walks its PRPs ({@link PrpWalker}), moves the data between the namespace and memory,
 * posts a completion entry with the phase tag and raises its interrupt. The namespace outlives
 * driver rebinding, as a disk does.
 */
public final class NvmeController {
    public static final int NAMESPACE_BYTES = 8 << 20;
    public static final int NSID = 1;

    private final BusMaster bus;
    private final byte[] namespace = new byte[NAMESPACE_BYTES];
    private final byte[] sqe = new byte[NvmeFormat.SQE_SIZE];
    private long sq;
    private long cq;
    private int depth;
    private int sqHead;
    private int cqTail;
    private int phase;
    private Runnable interrupt;

    public NvmeController(BusMaster bus) {
        if (bus == null) {
            throw new IllegalArgumentException("an NVMe controller needs its bus master");
        }
        this.bus = bus;
    }

    /** Creates the I/O queue pair at these bus addresses (Create I/O SQ/CQ in one step); the phase tag starts at 1. */
    public synchronized void createQueues(long sqBus, long cqBus, int entries, Runnable completionInterrupt) {
        if (entries < 2 || completionInterrupt == null) {
            throw new IllegalArgumentException("NVMe queues need at least 2 entries and an interrupt handler");
        }
        sq = sqBus;
        cq = cqBus;
        depth = entries;
        sqHead = 0;
        cqTail = 0;
        phase = 1;
        interrupt = completionInterrupt;
    }

    /**
     * Deletes the queues created with {@code completionInterrupt} (the driver's remove): no more
     * fetches or interrupts. Queues another driver created since are left alone: a swap creates
     * the new driver while the old one may still be finishing a run, whose release must not
     * tear down the queues its successor set up (in Linux the old remove ends before the new
     * probe; here the old run's release comes late).
     */
    public synchronized void deleteQueues(Runnable completionInterrupt) {
        if (interrupt == completionInterrupt) {
            interrupt = null;
            depth = 0;
        }
    }

    /**
     * The submission queue tail doorbell of the driver whose completion interrupt is
     * {@code completionInterrupt}: executes every command from the head up to {@code tail}. A
     * doorbell of a driver whose queues were deleted or replaced since does nothing.
     */
    public synchronized void ringSubmission(Runnable completionInterrupt, int tail) {
        if (interrupt != completionInterrupt) {
            return;
        }
        while (interrupt != null && sqHead != tail % depth) {
            int slot = sqHead;
            sqHead = (sqHead + 1) % depth;
            int cid;
            int status;
            try {
                bus.read(sq + (long) slot * NvmeFormat.SQE_SIZE, sqe, 0, NvmeFormat.SQE_SIZE);
                cid = (getInt(sqe, NvmeFormat.SQE_CDW0) >>> 16) & 0xffff;
                status = execute();
            } catch (DmaFaultException e) {
                // The command itself could not be fetched: nothing to complete it against.
                cid = 0xffff;
                status = NvmeFormat.SC_DATA_TRANSFER_ERROR;
            }
            if (!postCompletion(cid, status)) {
                return;
            }
            interrupt.run();
        }
    }

    private int execute() {
        int opcode = getInt(sqe, NvmeFormat.SQE_CDW0) & 0xff;
        int psdt = (getInt(sqe, NvmeFormat.SQE_CDW0) >>> 14) & 3;
        if (opcode != NvmeFormat.OPC_READ && opcode != NvmeFormat.OPC_WRITE) {
            return NvmeFormat.SC_INVALID_OPCODE;
        }
        if (psdt != 0 || getInt(sqe, NvmeFormat.SQE_NSID) != NSID) {
            return NvmeFormat.SC_INVALID_FIELD;
        }
        long slba = getLong(sqe, NvmeFormat.SQE_SLBA);
        int blocks = (getInt(sqe, NvmeFormat.SQE_NLB) & 0xffff) + 1;
        int length = blocks * NvmeFormat.LBA;
        if (slba < 0 || (slba + blocks) * NvmeFormat.LBA > NAMESPACE_BYTES) {
            return NvmeFormat.SC_LBA_OUT_OF_RANGE;
        }
        try {
            PrpWalker.Walk w = PrpWalker.walk(bus, getLong(sqe, NvmeFormat.SQE_PRP1), getLong(sqe, NvmeFormat.SQE_PRP2), length);
            if (w.status != NvmeFormat.SC_SUCCESS) {
                return w.status;
            }
            int at = (int) (slba * NvmeFormat.LBA);
            for (int i = 0; i < w.count; i++) {
                if (opcode == NvmeFormat.OPC_WRITE) {
                    bus.read(w.addr[i], namespace, at, w.len[i]);
                } else {
                    bus.write(w.addr[i], namespace, at, w.len[i]);
                }
                at += w.len[i];
            }
            return NvmeFormat.SC_SUCCESS;
        } catch (DmaFaultException e) {
            return NvmeFormat.SC_DATA_TRANSFER_ERROR;
        }
    }

    private boolean postCompletion(int cid, int status) {
        long entry = cq + (long) cqTail * NvmeFormat.CQE_SIZE;
        try {
            bus.writeLong(entry, 0);
            bus.writeInt(entry + NvmeFormat.CQE_DW2, sqHead);
            bus.writeInt(entry + NvmeFormat.CQE_DW3, cid | phase << 16 | status << 17);
        } catch (DmaFaultException e) {
            return false;
        }
        cqTail++;
        if (cqTail == depth) {
            cqTail = 0;
            phase ^= 1;
        }
        return true;
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static long getLong(byte[] b, int at) {
        return (getInt(b, at) & 0xffffffffL) | (long) getInt(b, at + 4) << 32;
    }
}
