package org.iommulab.modelkit.queue;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The hardware side of a queue the IOMMU writes: fault and event records (SMMUv3 event queue,
 * RISC-V fault queue, VT-d page request queue). One record at a time: dropped while the queue
 * is disabled (no overflow is signalled: IHI0070 §7.4, "while EVENTQEN == 0"), discarded at a
 * full queue with the {@link OverflowSignal}, or written at the producer position, which then
 * advances. A write that aborts (the queue is not memory) leaves the producer where it was;
 * what that means (SMMUv3 GERROR.EVENTQ_ABT_ERR) is the model's to say from the
 * {@link Outcome}. Stalling records, which wait for space rather than being discarded, are not
 * this writer's: a model that stalls checks {@link QueueGeometry#full} first.
 *
 * <p>Allocates nothing. Not thread-safe: the model calls it under its lock.
 */
public final class RecordWriter {
    /** What became of a record. */
    public enum Outcome {
        /** In the queue; the producer moved on. */
        WRITTEN,
        /** The queue is disabled: lost without an overflow. */
        DROPPED,
        /** The queue was full: lost, and the overflow signalled. */
        DISCARDED,
        /** The write to the queue's memory aborted: lost. */
        ABORTED
    }

    /**
     * One queue's registers and memory as the model holds them.
     *
     * <p>Thread safety: called by the writer under the model's lock only.
     */
    @ConsumerType
    public interface Port {
        boolean enabled();

        /** The queue's current shape (its size register may change while it is disabled). */
        QueueGeometry geometry();

        /** Address of slot 0. */
        long base();

        int producer();

        void producer(int value);

        int consumer();

        /** Writes {@code dwords} doublewords of {@code record} at {@code address}; false when it aborts. */
        boolean write(long address, long[] record, int dwords);
    }

    private final Port port;
    private final OverflowSignal overflow;
    private long written;
    private long dropped;
    private long discarded;
    private long aborted;

    public RecordWriter(Port port, OverflowSignal overflow) {
        this.port = port;
        this.overflow = overflow;
    }

    /** Writes one record of {@link QueueGeometry#entryDwords()} doublewords from {@code record}. */
    public Outcome write(long[] record) {
        if (!port.enabled()) {
            dropped++;
            return Outcome.DROPPED;
        }
        QueueGeometry g = port.geometry();
        int prod = port.producer();
        int cons = port.consumer();
        if (g.full(prod, cons)) {
            port.producer(overflow.overflow(prod, cons));
            discarded++;
            return Outcome.DISCARDED;
        }
        if (!port.write(g.slotAddress(port.base(), prod), record, g.entryDwords())) {
            aborted++;
            return Outcome.ABORTED;
        }
        port.producer(g.advance(prod, 1));
        written++;
        return Outcome.WRITTEN;
    }

    public long written() {
        return written;
    }

    /** Records lost while the queue was disabled. */
    public long dropped() {
        return dropped;
    }

    /** Records lost to a full queue. */
    public long discarded() {
        return discarded;
    }

    /** Records lost to an aborted write. */
    public long aborted() {
        return aborted;
    }
}
