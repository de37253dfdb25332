package org.iommulab.devices.internal.nic;

import java.util.concurrent.atomic.AtomicLong;

import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFaultException;

/**
 * A NIC in MAC loopback: every frame it transmits comes back on its receive side. The driver
 * resets it onto a TX and an RX descriptor ring (bus addresses), which gives it the device's
 * {@link Port} on those rings; on a TX doorbell the device reads each TX descriptor it owns,
 * reads the frame, marks the descriptor done, interrupts, then takes the next RX descriptor it
 * owns, writes the frame into that buffer, writes the length and flags back and interrupts. A
 * frame that finds no RX descriptor owned by the device is dropped and counted.
 *
 * <p>Every access of a port goes through the bus master of the driver that reset the device
 * onto it, so its DMA carries that driver's generation. A port belongs to one driver, whose
 * runs are serialized, so it takes no lock; the device's own state is the drop counter, an
 * atomic. Nothing here holds a monitor across a bus access.
 */
public final class NicModel {
    /** Largest frame the MAC takes (no jumbo frames). */
    public static final int MAX_FRAME = 2048;

    private final AtomicLong rxDropped = new AtomicLong();

    /**
     * Resets the device onto new rings (the driver's open): heads at 0, through {@code bus}, the
     * driver's bus master. A port of an earlier reset stops: its doorbell does nothing.
     */
    public Port reset(BusMaster bus, long txRingBus, long rxRingBus, int ringEntries, NicInterrupts interrupts) {
        if (bus == null || ringEntries < 2 || interrupts == null) {
            throw new IllegalArgumentException("a NIC needs the driver's bus master, rings of at least 2 entries and an "
                    + "interrupt handler");
        }
        return new Port(bus, txRingBus, rxRingBus, ringEntries, interrupts);
    }

    /** Frames dropped because no RX descriptor was owned by the device, over the device's life. */
    public long rxDropped() {
        return rxDropped.get();
    }

    /** The device running on one driver's rings. */
    public final class Port {
        private final BusMaster bus;
        private final byte[] frame = new byte[MAX_FRAME];
        private final long txRing;
        private final long rxRing;
        private final int entries;
        private int txHead;
        private int rxHead;
        private volatile NicInterrupts irq;

        private Port(BusMaster bus, long txRing, long rxRing, int entries, NicInterrupts irq) {
            this.bus = bus;
            this.txRing = txRing;
            this.rxRing = rxRing;
            this.entries = entries;
            this.irq = irq;
        }

        /** Quiesces the device (the driver's stop): no more fetches or interrupts on this port. */
        public void shutdown() {
            irq = null;
        }

        /** The TX doorbell: the device processes TX descriptors from its head up to {@code tail} (exclusive, mod ring size). */
        public void kickTx(int tail) {
            NicInterrupts irq = this.irq;
            while (irq != null && txHead != tail % entries) {
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
                if (!complete(irq, desc, 0, ok ? NicDescriptor.DONE : NicDescriptor.DONE | NicDescriptor.ERR, "TX", index)) {
                    return;
                }
                irq.txDone(index, ok);
                if (ok) {
                    receive(irq, len);
                }
                irq = this.irq;
            }
        }

        private void receive(NicInterrupts irq, int len) {
            int index = rxHead;
            long desc = rxRing + (long) index * NicDescriptor.SIZE;
            long addr;
            int capacity;
            try {
                if ((bus.readInt(desc + NicDescriptor.FLAGS) & NicDescriptor.OWN) == 0) {
                    rxDropped.incrementAndGet();
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
            if (complete(irq, desc, ok ? len : 0, ok ? NicDescriptor.DONE | NicDescriptor.EOP : NicDescriptor.DONE | NicDescriptor.ERR,
                    "RX", index)) {
                irq.rxDone(index);
            }
        }

        /** Writes a descriptor back (length where given, then flags without OWN); false when that faulted. */
        private boolean complete(NicInterrupts irq, long desc, int length, int flags, String ring, int index) {
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
}
