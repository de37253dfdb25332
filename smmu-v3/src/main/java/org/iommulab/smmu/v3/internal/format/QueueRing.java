package org.iommulab.smmu.v3.internal.format;

/**
 * The index arithmetic of an SMMUv3 circular queue (IHI0070 §3.5): a PROD or CONS value holds
 * an index in {@code [log2size-1:0]} and a wrap flag at bit {@code log2size}; the queue is
 * empty when index and wrap are both equal, full when the indexes are equal and the wraps
 * differ. Bits above the wrap flag (CONS.ERR, PROD.OVFLG, CONS.OVACKFLG) are flags, which the
 * index operations keep apart. The one ring utility both queues and both halves use (Linux
 * {@code queue_full}, {@code queue_empty}, {@code queue_inc_prod_n}, {@code Q_IDX},
 * {@code Q_WRP}; QEMU {@code smmuv3_q_full}, {@code smmuv3_q_empty}). Immutable.
 */
public final class QueueRing {
    private final int log2size;
    private final int indexMask;
    private final int wrapBit;
    private final int wrapIndexMask;

    /**
     * @throws IllegalArgumentException for a size outside 0..19 (IDR1.CMDQS/EVENTQS limit)
     */
    public QueueRing(int log2size) {
        if (log2size < 0 || log2size > RegFields.Queue.MAX_LOG2SIZE) {
            throw new IllegalArgumentException("queue LOG2SIZE must be 0.." + RegFields.Queue.MAX_LOG2SIZE + ", got " + log2size);
        }
        this.log2size = log2size;
        this.indexMask = (1 << log2size) - 1;
        this.wrapBit = 1 << log2size;
        this.wrapIndexMask = (1 << (log2size + 1)) - 1;
    }

    public int log2size() {
        return log2size;
    }

    /** Number of entries. */
    public int entries() {
        return 1 << log2size;
    }

    /** The slot a PROD/CONS value points at. */
    public int index(int p) {
        return p & indexMask;
    }

    /** The wrap flag (0 or 1). */
    public int wrap(int p) {
        return (p & wrapBit) >>> log2size;
    }

    /** Index and wrap flag only, without the flags above them. */
    public int position(int p) {
        return p & wrapIndexMask;
    }

    /** Bits above the wrap flag (ERR, OVFLG, OVACKFLG). */
    public int flags(int p) {
        return p & ~wrapIndexMask;
    }

    public boolean empty(int prod, int cons) {
        return ((prod ^ cons) & wrapIndexMask) == 0;
    }

    public boolean full(int prod, int cons) {
        return ((prod ^ cons) & wrapIndexMask) == wrapBit;
    }

    /** Entries between CONS and PROD: written and not yet consumed. */
    public int used(int prod, int cons) {
        int p = position(prod);
        int c = position(cons);
        return (p - c) & wrapIndexMask;
    }

    /** Entries the producer may still write. */
    public int space(int prod, int cons) {
        return entries() - used(prod, cons);
    }

    /** The position {@code n} entries after {@code p}, flags kept. */
    public int advance(int p, int n) {
        return flags(p) | ((p + n) & wrapIndexMask);
    }

    /** {@code p} with its index and wrap replaced by those of {@code position}, flags kept. */
    public int withPosition(int p, int position) {
        return flags(p) | (position & wrapIndexMask);
    }

    /**
     * True when {@code p}'s position is consistent with the other side: a producer may be at
     * most {@link #entries()} ahead of the consumer. A PROD/CONS pair that breaks it is a
     * software error (the queue claims more entries than it has).
     */
    public boolean consistent(int prod, int cons) {
        return used(prod, cons) <= entries();
    }

    /** Event-queue overflow condition (§7.4): PROD.OVFLG differs from CONS.OVACKFLG. */
    public static boolean overflowPending(int prod, int cons) {
        return ((prod ^ cons) & (1 << 31)) != 0;
    }

    @Override
    public String toString() {
        return "queue of " + entries() + " entries";
    }
}
