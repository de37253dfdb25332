package org.iommulab.smmu.v3.internal.model;

import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.format.EventRecord;
import org.iommulab.smmu.v3.internal.format.QueueRing;
import org.iommulab.smmu.v3.internal.format.RegFields.Gerror;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;

/**
 * The producer side of the event queue (IHI0070 §7.1, §7.4). A record is written at PROD and
 * PROD advances, then the EVTQ line is raised. While EVENTQEN == 0 records are dropped without
 * an overflow. A record meeting a full queue is discarded and, unless an overflow is already
 * pending (PROD.OVFLG != CONS.OVACKFLG), PROD.OVFLG toggles: software acknowledges by writing
 * CONS.OVACKFLG equal to it. QEMU raises GERROR.EVENTQ_ABT_ERR instead and gem5 panics; here
 * EVENTQ_ABT_ERR means what §7.2 says, an aborted write of the queue memory. Called under the
 * model's lock.
 */
final class EventWriter {
    private final RegisterState regs;
    private final SmmuMemory memory;
    private final Interrupts irqs;
    private final int maxLog2;
    private final long[] buf = new long[EventFormat.EVT_DWORDS];
    private long written;
    private long discarded;
    private long dropped;
    private String lastLoss = "";

    EventWriter(RegisterState regs, SmmuMemory memory, Interrupts irqs, int maxLog2) {
        this.regs = regs;
        this.memory = memory;
        this.irqs = irqs;
        this.maxLog2 = maxLog2;
    }

    /** The queue's effective size: LOG2SIZE capped at IDR1.EVENTQS. */
    QueueRing ring() {
        return new QueueRing(Math.min(Queue.LOG2SIZE.getInt(regs.evtqBase), maxLog2));
    }

    /** Base address, aligned to the queue size (at least 32 bytes) as the SMMU aligns it. */
    long base(QueueRing ring) {
        long bytes = Math.max(32L, (long) ring.entries() * EventFormat.EVT_SIZE);
        return Queue.ADDR.bits(regs.evtqBase) & -bytes;
    }

    /** Records {@code r}; true when it reached the queue. */
    boolean record(EventRecord r) {
        if (!regs.evtqEnabled()) {
            dropped++;
            lastLoss = "EVENTQEN == 0: record dropped";
            return false;
        }
        QueueRing ring = ring();
        int prod = regs.evtqProd;
        int cons = regs.evtqCons;
        if (ring.full(prod, cons)) {
            discarded++;
            if (!QueueRing.overflowPending(prod, cons)) {
                regs.evtqProd = prod ^ (int) Queue.PROD_OVFLG.mask();
            }
            lastLoss = "event queue full: record discarded (overflow)";
            return false;
        }
        r.encode(buf);
        long slot = base(ring) + (long) ring.index(prod) * EventFormat.EVT_SIZE;
        if (!memory.writeDwords(slot, buf, EventFormat.EVT_DWORDS)) {
            irqs.globalError(Gerror.EVENTQ_ABT_ERR.mask());
            discarded++;
            lastLoss = String.format("event queue write at 0x%x aborted (GERROR.EVENTQ_ABT_ERR)", slot);
            return false;
        }
        regs.evtqProd = ring.advance(prod, 1);
        written++;
        irqs.raise(IrqLine.EVTQ);
        return true;
    }

    /** Why the last record that did not reach the queue was lost. */
    String lastLoss() {
        return lastLoss;
    }

    /** Records written to the queue. */
    long written() {
        return written;
    }

    /** Records lost to a full queue or an aborted queue write. */
    long discarded() {
        return discarded;
    }

    /** Records dropped because EVENTQEN was 0. */
    long dropped() {
        return dropped;
    }
}
