package org.iommulab.devices.internal.nic;

import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFaultException;

/**
 * A NIC in MAC loopback: every frame it transmits comes back on its receive side. The driver
 * gives it the bus addresses of a TX and an RX descriptor ring; on a TX doorbell the device
 * reads each TX descriptor it owns, reads the frame, marks the descriptor done, interrupts,
 * then takes the next RX descriptor it owns, writes the frame into that buffer, writes the
 * length and flags back and interrupts. Everything goes through the device's bus master. A
 * frame that finds no RX descriptor owned by the device is dropped and counted.
 */
public final class NicModel {
    /** Largest frame the MAC takes (no jumbo frames). */
    public static final int MAX_FRAME = 2048;

    private final BusMaster bus;
    private final byte[] frame = new byte[MAX_FRAME];
    private long txRing;
    private long rxRing;
    private int entries;
    private int txHead;
    private int rxHead;
    private NicInterrupts irq;
    private long rxDropped;

    public NicModel(BusMaster bus) {
        if (bus == null) {
            throw new IllegalArgumentException("a NIC needs its bus master");
        }
        this.bus = bus;
    }

    /** Resets the device onto new rings (the driver's probe): heads at 0, counters cleared. */
    public synchronized void reset(long txRingBus, long rxRingBus, int ringEntries, NicInterrupts interrupts) {
        if (ringEntries < 2 || interrupts == null) {
            throw new IllegalArgumentException("a NIC needs rings of at least 2 entries and an interrupt handler");
        }
        txRing = txRingBus;
        rxRing = rxRingBus;
        entries = ringEntries;
        txHead = 0;
        rxHead = 0;
        irq = interrupts;
        rxDropped = 0;
    }

    /** Quiesces the device (the driver's remove): no more interrupts. */
    public synchronized void shutdown() {
        irq = null;
        entries = 0;
    }

    /** The TX doorbell: the device processes TX descriptors from its head up to {@code tail} (exclusive, mod ring size). */
    public synchronized void kickTx(int tail) {
        if (irq == null) {
            return;
        }
        while (txHead != tail % entries && irq != null) {
            int index = txHead;
            long desc = txRing + (long) index * NicDescriptor.SIZE;
            int flags;
            long addr;
            int len;
            try {
                flags = bus.readInt(desc + NicDescriptor.FLAGS);
                if ((flags & NicDescriptor.OWN) == 0) {
                    return;
                }
                addr = bus.readLong(desc + NicDescriptor.ADDR);
                len = bus.readInt(desc + NicDescriptor.LENGTH);
            } catch (DmaFaultException e) {
                irq.error("TX descriptor " + index + " fetch faulted: " + e.fault());
                return;
            }
            txHead = (txHead + 1) % entries;
            boolean ok = len > 0 && len <= MAX_FRAME;
            if (ok) {
                try {
                    bus.read(addr, frame, 0, len);
                } catch (DmaFaultException e) {
                    ok = false;
                }
            }
            if (!complete(desc, 0, ok ? NicDescriptor.DONE : NicDescriptor.DONE | NicDescriptor.ERR, "TX", index)) {
                return;
            }
            irq.txDone(index, ok);
            if (ok) {
                receive(len);
            }
        }
    }

    /** Frames dropped because no RX descriptor was owned by the device. */
    public synchronized long rxDropped() {
        return rxDropped;
    }

    private void receive(int len) {
        if (irq == null) {
            return;
        }
        int index = rxHead;
        long desc = rxRing + (long) index * NicDescriptor.SIZE;
        long addr;
        int capacity;
        try {
            if ((bus.readInt(desc + NicDescriptor.FLAGS) & NicDescriptor.OWN) == 0) {
                rxDropped++;
                return;
            }
            addr = bus.readLong(desc + NicDescriptor.ADDR);
            capacity = bus.readInt(desc + NicDescriptor.LENGTH);
        } catch (DmaFaultException e) {
            irq.error("RX descriptor " + index + " fetch faulted: " + e.fault());
            return;
        }
        rxHead = (rxHead + 1) % entries;
        boolean ok = len <= capacity;
        if (ok) {
            try {
                bus.write(addr, frame, 0, len);
            } catch (DmaFaultException e) {
                ok = false;
            }
        }
        if (complete(desc, ok ? len : 0, ok ? NicDescriptor.DONE | NicDescriptor.EOP : NicDescriptor.DONE | NicDescriptor.ERR,
                "RX", index)) {
            irq.rxDone(index);
        }
    }

    /** Writes a descriptor back (length where given, then flags without OWN); false when that faulted. */
    private boolean complete(long desc, int length, int flags, String ring, int index) {
        try {
            if (length > 0) {
                bus.writeInt(desc + NicDescriptor.LENGTH, length);
            }
            bus.writeInt(desc + NicDescriptor.FLAGS, flags);
            return true;
        } catch (DmaFaultException e) {
            irq.error(ring + " descriptor " + index + " write-back faulted: " + e.fault());
            return false;
        }
    }
}
