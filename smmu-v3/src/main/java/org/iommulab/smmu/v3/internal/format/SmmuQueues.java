package org.iommulab.smmu.v3.internal.format;

import org.iommulab.modelkit.queue.OverflowFlag;
import org.iommulab.modelkit.queue.QueueGeometry;

/**
 * The SMMUv3 queues in the kit's terms (IHI0070 §3.5, §7.4): PROD and CONS hold an index in
 * {@code [log2size-1:0]} and a wrap flag at bit {@code log2size}
 * ({@link QueueGeometry#wrapBit}), LOG2SIZE at most 19 (IDR1.CMDQS, EVENTQS), 16-byte commands
 * and 32-byte event records, and the event queue's overflow flag, EVENTQ_PROD.OVFLG against
 * EVENTQ_CONS.OVACKFLG. Both halves use it: the model consuming commands and writing events, the
 * driver writing commands and draining events. One immutable geometry per size, made once, so
 * asking for the current size allocates nothing.
 */
public final class SmmuQueues {
    /** PROD.OVFLG / CONS.OVACKFLG, bit 31 of both registers. */
    public static final OverflowFlag OVERFLOW = new OverflowFlag((int) RegFields.Queue.PROD_OVFLG.mask());

    private static final QueueGeometry[] COMMANDS = geometries(CmdFormat.CMD_SIZE);
    private static final QueueGeometry[] EVENTS = geometries(EventFormat.EVT_SIZE);

    private SmmuQueues() {
    }

    /**
     * The command queue of {@code 2^log2} entries.
     *
     * @throws IllegalArgumentException for a size outside 0..19
     */
    public static QueueGeometry commands(int log2) {
        return COMMANDS[checked(log2)];
    }

    /**
     * The event queue of {@code 2^log2} entries.
     *
     * @throws IllegalArgumentException for a size outside 0..19
     */
    public static QueueGeometry events(int log2) {
        return EVENTS[checked(log2)];
    }

    /** A queue base register's address bits aligned as the SMMU reads them: to max(queue size, 32 bytes). */
    public static long base(QueueGeometry g, long baseRegister) {
        return g.alignBase(RegFields.Queue.ADDR.bits(baseRegister), 32);
    }

    private static int checked(int log2) {
        if (log2 < 0 || log2 > RegFields.Queue.MAX_LOG2SIZE) {
            throw new IllegalArgumentException("queue LOG2SIZE must be 0.." + RegFields.Queue.MAX_LOG2SIZE + ", got " + log2);
        }
        return log2;
    }

    private static QueueGeometry[] geometries(int entryBytes) {
        QueueGeometry[] g = new QueueGeometry[RegFields.Queue.MAX_LOG2SIZE + 1];
        for (int log2 = 0; log2 < g.length; log2++) {
            g[log2] = QueueGeometry.wrapBit(log2, entryBytes);
        }
        return g;
    }
}
