package org.iommulab.devices.internal.nvme;

import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFaultException;

/**
 * An NVMe controller with one namespace of {@value #NAMESPACE_BYTES} bytes. The driver creates an
 * I/O queue pair in coherent memory ({@link #createQueues}, with its bus master) and rings the
 * pair's submission doorbell; the controller then fetches each new command through that bus
 * master, walks its PRPs ({@link PrpWalker}), moves the data between the namespace and memory,
 * posts a completion entry with the phase tag and raises its interrupt. The namespace outlives
 * driver rebinding, as a disk does.
 *
 * <p>No monitor is held across a bus access. The namespace's lock guards only copies between
 * the namespace and a queue pair's staging buffer; a queue pair belongs to one driver, whose
 * runs are serialized, and takes no lock. Every access of a pair carries its driver's
 * generation, so the DMA of a driver that was released since reaches no memory, and a new
 * driver's pair never waits for an old one.
 */
public final class NvmeController {
    public static final int NAMESPACE_BYTES = 8 << 20;
    public static final int NSID = 1;

    private final byte[] namespace = new byte[NAMESPACE_BYTES];

    /**
     * Creates an I/O queue pair at these bus addresses (Create I/O SQ/CQ in one step), whose
     * DMA goes through {@code bus}, the driver's bus master; the phase tag starts at 1.
     */
    public Queues createQueues(BusMaster bus, long sqBus, long cqBus, int entries, Runnable completionInterrupt) {
        if (bus == null || entries < 2 || completionInterrupt == null) {
            throw new IllegalArgumentException("NVMe queues need the driver's bus master, at least 2 entries and an "
                    + "interrupt handler");
        }
        return new Queues(bus, sqBus, cqBus, entries, completionInterrupt);
    }

    /** One I/O submission/completion queue pair. */
    public final class Queues {
        private final BusMaster bus;
        private final byte[] sqe = new byte[NvmeFormat.SQE_SIZE];
        /** Where data stops between memory and the namespace, one PRP range (at most a page) at a time. */
        private final byte[] staging = new byte[NvmeFormat.PAGE];
        private final long sq;
        private final long cq;
        private final int depth;
        private int sqHead;
        private int cqTail;
        private int phase = 1;
        private volatile Runnable interrupt;

        private Queues(BusMaster bus, long sq, long cq, int depth, Runnable interrupt) {
            this.bus = bus;
            this.sq = sq;
            this.cq = cq;
            this.depth = depth;
            this.interrupt = interrupt;
        }

        /** Deletes the queues (the driver's remove): no more fetches or interrupts. */
        public void delete() {
            interrupt = null;
        }

        /** The submission queue tail doorbell: executes every command from the head up to {@code tail}. */
        public void ringSubmission(int tail) {
            Runnable irq = interrupt;
            while (irq != null && sqHead != tail % depth) {
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
                irq.run();
                irq = interrupt;
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
                    move(opcode == NvmeFormat.OPC_WRITE, w.addr[i], at, w.len[i]);
                    at += w.len[i];
                }
                return NvmeFormat.SC_SUCCESS;
            } catch (DmaFaultException e) {
                return NvmeFormat.SC_DATA_TRANSFER_ERROR;
            }
        }

        /** One PRP range between memory and the namespace, through the staging buffer in page-sized pieces. */
        private void move(boolean write, long busAddr, int at, int len) {
            for (int done = 0; done < len;) {
                int n = Math.min(staging.length, len - done);
                if (write) {
                    bus.read(busAddr + done, staging, 0, n);
                    synchronized (namespace) {
                        System.arraycopy(staging, 0, namespace, at + done, n);
                    }
                } else {
                    synchronized (namespace) {
                        System.arraycopy(namespace, at + done, staging, 0, n);
                    }
                    bus.write(busAddr + done, staging, 0, n);
                }
                done += n;
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
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static long getLong(byte[] b, int at) {
        return (getInt(b, at) & 0xffffffffL) | (long) getInt(b, at + 4) << 32;
    }
}
