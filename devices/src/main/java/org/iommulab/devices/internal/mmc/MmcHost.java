package org.iommulab.devices.internal.mmc;

import java.util.ArrayDeque;

import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFaultException;

/**
 * An SD/MMC host controller with a card of {@value #CARD_BYTES} bytes, whose DMA engine moves at
 * most {@value AdmaDescriptor#MAX_LENGTH} bytes per descriptor. A transfer is a stream of bytes
 * between the card and memory; the driver describes it with a descriptor table: each descriptor
 * moves one chunk of the stream by DMA and may leave a gap after it that goes through the data
 * port (PIO) instead.
 *
 * <p>A driver {@linkplain #open opens} the host with its bus master and gets a {@link Session}:
 * the registers it programs (the descriptor table address) and the transfer in progress. A
 * transfer runs in three steps, as the driver drives it:
 * <ol>
 * <li>{@link Session#transfer}: the engine walks the descriptor table through the bus master
 * and moves the DMA chunks (a read stages the card's data first);</li>
 * <li>the data port: {@link Session#readDataPort} hands out the gap bytes of a read in stream
 * order, {@link Session#writeDataPort} takes those of a write;</li>
 * <li>{@link Session#finish}: checks that every gap byte went through the port and, for a
 * write, commits the stream to the card.</li>
 * </ol>
 * The card outlives driver rebinding. Its lock guards only copies to and from the card and is
 * never held across a bus access; a session belongs to one driver, whose runs are serialized,
 * and takes no lock. A session's DMA carries its driver's generation, so a released driver's
 * transfer reaches no memory.
 */
public final class MmcHost {
    public static final int CARD_BYTES = 4 << 20;
    public static final int BLOCK = 512;

    // Status bits of transfer() and finish().
    public static final int OK = 0;
    /** A descriptor was invalid (no VALID bit, zero or too long a chunk). */
    public static final int ADMA_ERROR = 1;
    /** A DMA access was denied. */
    public static final int DMA_FAULT = 1 << 1;
    /** Chunks and gaps did not add up to the transfer length, or the gap bytes were not all moved. */
    public static final int LENGTH_ERROR = 1 << 2;
    /** The card range is out of bounds or not block aligned. */
    public static final int ADDRESS_ERROR = 1 << 3;
    /** A data port call with no transfer waiting for it. */
    public static final int SEQUENCE_ERROR = 1 << 4;

    private final byte[] card = new byte[CARD_BYTES];

    /** A driver takes the host: its bus master carries the driver's DMA. */
    public Session open(BusMaster bus) {
        if (bus == null) {
            throw new IllegalArgumentException("an MMC host needs the bus master of the driver that opens it");
        }
        return new Session(bus);
    }

    /** One driver's view of the host: its registers and its transfer in progress. */
    public final class Session {
        private final BusMaster bus;
        /** The transfer in progress: its data stream, and the gap ranges still to go through the port. */
        private byte[] stream;
        private boolean writing;
        private int cardOffset;
        private final ArrayDeque<int[]> gaps = new ArrayDeque<>();
        private long descriptorTable;
        private String lastError;

        private Session(BusMaster bus) {
            this.bus = bus;
        }

        /** The ADMA system address register: where the descriptor table is, as a bus address. */
        public void setDescriptorTable(long busAddr) {
            descriptorTable = busAddr;
        }

        /**
         * Starts a transfer of {@code length} bytes at card offset {@code cardAt} and runs its
         * DMA part. Returns {@link #OK} or status bits; on error the transfer is abandoned.
         */
        public int transfer(boolean write, int cardAt, int length) {
            stream = null;
            gaps.clear();
            if (length <= 0 || cardAt < 0 || cardAt % BLOCK != 0 || length % BLOCK != 0 || cardAt + length > CARD_BYTES) {
                return fail(ADDRESS_ERROR, "card range " + cardAt + "+" + length + " is not whole blocks of the card");
            }
            byte[] s = new byte[length];
            if (!write) {
                synchronized (card) {
                    System.arraycopy(card, cardAt, s, 0, length);
                }
            }
            int at = 0;
            for (long desc = descriptorTable;; desc += AdmaDescriptor.SIZE) {
                long addr;
                int len;
                int control;
                try {
                    addr = bus.readLong(desc + AdmaDescriptor.ADDR);
                    len = bus.readInt(desc + AdmaDescriptor.LENGTH);
                    control = bus.readInt(desc + AdmaDescriptor.CONTROL);
                } catch (DmaFaultException e) {
                    return fail(ADMA_ERROR | DMA_FAULT, "descriptor fetch faulted: " + e.fault());
                }
                if ((control & AdmaDescriptor.VALID) == 0 || len <= 0 || len > AdmaDescriptor.MAX_LENGTH) {
                    return fail(ADMA_ERROR, "invalid descriptor at 0x" + Long.toHexString(desc) + ": length " + len
                            + " (the engine takes 1.." + AdmaDescriptor.MAX_LENGTH + ")");
                }
                int gap = control & AdmaDescriptor.GAP_MASK;
                if (at + len + gap > length) {
                    return fail(LENGTH_ERROR, "descriptors describe more than the " + length + "-byte transfer");
                }
                try {
                    if (write) {
                        bus.read(addr, s, at, len);
                    } else {
                        bus.write(addr, s, at, len);
                    }
                } catch (DmaFaultException e) {
                    return fail(DMA_FAULT, "DMA of stream bytes " + at + "+" + len + " faulted: " + e.fault());
                }
                at += len;
                if (gap > 0) {
                    gaps.add(new int[] {at, gap});
                    at += gap;
                }
                if ((control & AdmaDescriptor.END) != 0) {
                    break;
                }
            }
            if (at != length) {
                return fail(LENGTH_ERROR, "descriptors describe " + at + " of the " + length + "-byte transfer");
            }
            stream = s;
            writing = write;
            cardOffset = cardAt;
            return OK;
        }

        /** Bytes still to go through the data port for the transfer in progress. */
        public int dataPortRemaining() {
            int n = 0;
            for (int[] g : gaps) {
                n += g[1];
            }
            return n;
        }

        /** Reads the next {@code len} gap bytes of a read transfer from the data port; false (nothing read) when out of sequence. */
        public boolean readDataPort(byte[] dst, int off, int len) {
            return port(false, dst, off, len);
        }

        /** Writes the next {@code len} gap bytes of a write transfer into the data port; false when out of sequence. */
        public boolean writeDataPort(byte[] src, int off, int len) {
            return port(true, src, off, len);
        }

        /** Ends the transfer: every gap byte must have gone through the port; a write then reaches the card. */
        public int finish() {
            if (stream == null) {
                return fail(SEQUENCE_ERROR, "no transfer to finish");
            }
            int status = OK;
            if (!gaps.isEmpty()) {
                status = fail(LENGTH_ERROR, dataPortRemaining() + " bytes never went through the data port");
            } else if (writing) {
                synchronized (card) {
                    System.arraycopy(stream, 0, card, cardOffset, stream.length);
                }
            }
            stream = null;
            gaps.clear();
            return status;
        }

        /** What the last error was, for the driver's message. */
        public String lastError() {
            return lastError;
        }

        private boolean port(boolean write, byte[] buf, int off, int len) {
            if (stream == null || writing != write || len > dataPortRemaining()) {
                fail(SEQUENCE_ERROR, "data port " + (write ? "write" : "read") + " of " + len + " bytes out of sequence");
                return false;
            }
            int done = 0;
            while (done < len) {
                int[] g = gaps.peekFirst();
                int n = Math.min(g[1], len - done);
                if (write) {
                    System.arraycopy(buf, off + done, stream, g[0], n);
                } else {
                    System.arraycopy(stream, g[0], buf, off + done, n);
                }
                g[0] += n;
                g[1] -= n;
                done += n;
                if (g[1] == 0) {
                    gaps.removeFirst();
                }
            }
            return true;
        }

        private int fail(int status, String why) {
            lastError = why;
            if (status != SEQUENCE_ERROR) {
                stream = null;
                gaps.clear();
            }
            return status;
        }
    }
}
