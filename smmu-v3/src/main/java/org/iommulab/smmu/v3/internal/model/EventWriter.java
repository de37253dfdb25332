package org.iommulab.smmu.v3.internal.model;

import org.iommulab.modelkit.queue.QueueGeometry;
import org.iommulab.modelkit.queue.RecordWriter;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.format.EventRecord;
import org.iommulab.smmu.v3.internal.format.RegFields.Gerror;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.SmmuQueues;

/**
 * The producer side of the event queue (IHI0070 §7.1, §7.4), on the kit's
 * {@link RecordWriter}: a record is written at PROD and PROD advances, then the EVTQ line is
 * raised. While EVENTQEN == 0 records are dropped without an overflow. A record meeting a full
 * queue is discarded and, unless an overflow is already pending (PROD.OVFLG != CONS.OVACKFLG),
 * PROD.OVFLG toggles ({@link SmmuQueues#OVERFLOW}): software acknowledges by writing
 * CONS.OVACKFLG equal to it. QEMU raises GERROR.EVENTQ_ABT_ERR instead and gem5 panics; here
 * EVENTQ_ABT_ERR means what §7.2 says, an aborted write of the queue memory. Called under the
 * model's lock.
 */
final class EventWriter implements RecordWriter.Port {
    private final RegisterState regs;
    private final SmmuMemory memory;
    private final Interrupts irqs;
    private final int maxLog2;
    private final long[] buf = new long[EventFormat.EVT_DWORDS];
    private final RecordWriter writer = new RecordWriter(this, SmmuQueues.OVERFLOW);
    private String lastLoss = "";

    EventWriter(RegisterState regs, SmmuMemory memory, Interrupts irqs, int maxLog2) {
        this.regs = regs;
        this.memory = memory;
        this.irqs = irqs;
        this.maxLog2 = maxLog2;
    }

    /** The queue's effective size: LOG2SIZE capped at IDR1.EVENTQS. */
    QueueGeometry ring() {
        return SmmuQueues.events(Math.min(Queue.LOG2SIZE.getInt(regs.evtqBase), maxLog2));
    }

    /** Records {@code r}; true when it reached the queue. */
    boolean record(EventRecord r) {
        r.encode(buf);
        switch (writer.write(buf)) {
            case WRITTEN:
                irqs.raise(IrqLine.EVTQ);
                return true;
            case DROPPED:
                lastLoss = "EVENTQEN == 0: record dropped";
                return false;
            case DISCARDED:
                lastLoss = "event queue full: record discarded (overflow)";
                return false;
            default:
                irqs.globalError(Gerror.EVENTQ_ABT_ERR.mask());
                lastLoss = String.format("event queue write at 0x%x aborted (GERROR.EVENTQ_ABT_ERR)",
                        ring().slotAddress(base(), regs.evtqProd));
                return false;
        }
    }

    /** Why the last record that did not reach the queue was lost. */
    String lastLoss() {
        return lastLoss;
    }

    /** Records written to the queue. */
    long written() {
        return writer.written();
    }

    /** Records lost to a full queue or an aborted queue write. */
    long discarded() {
        return writer.discarded() + writer.aborted();
    }

    /** Records dropped because EVENTQEN was 0. */
    long dropped() {
        return writer.dropped();
    }

    // ---- the queue as the RecordWriter sees it ------------------------------------------------

    @Override
    public boolean enabled() {
        return regs.evtqEnabled();
    }

    @Override
    public QueueGeometry geometry() {
        return ring();
    }

    @Override
    public long base() {
        return SmmuQueues.base(ring(), regs.evtqBase);
    }

    @Override
    public int producer() {
        return regs.evtqProd;
    }

    @Override
    public void producer(int value) {
        regs.evtqProd = value;
    }

    @Override
    public int consumer() {
        return regs.evtqCons;
    }

    @Override
    public boolean write(long address, long[] record, int dwords) {
        return memory.writeDwords(address, record, dwords);
    }
}
