package org.iommulab.modelkit.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.iommulab.modelkit.queue.RecordWriter.Outcome;
import org.junit.jupiter.api.Test;

/** The record writer and the overflow signals against IHI0070 §7.4 and the sticky-bit form. */
class RecordWriterTest {
    private static final int OVFLG = 1 << 31;

    /** A two-entry SMMUv3-style event queue of 32-byte records at 0x1000, over a map of doublewords. */
    private static final class Port implements RecordWriter.Port {
        final QueueGeometry g = QueueGeometry.wrapBit(1, 32);
        final Map<Long, Long> mem = new HashMap<>();
        boolean enabled = true;
        boolean abort;
        int prod;
        int cons;

        @Override
        public boolean enabled() {
            return enabled;
        }

        @Override
        public QueueGeometry geometry() {
            return g;
        }

        @Override
        public long base() {
            return 0x1000;
        }

        @Override
        public int producer() {
            return prod;
        }

        @Override
        public void producer(int value) {
            prod = value;
        }

        @Override
        public int consumer() {
            return cons;
        }

        @Override
        public boolean write(long address, long[] record, int dwords) {
            if (abort) {
                return false;
            }
            for (int i = 0; i < dwords; i++) {
                mem.put(address + 8L * i, record[i]);
            }
            return true;
        }

        long[] slot(int index) {
            long[] r = new long[4];
            for (int i = 0; i < 4; i++) {
                r[i] = mem.getOrDefault(0x1000 + 32L * index + 8L * i, 0L);
            }
            return r;
        }
    }

    private static long[] rec(long id) {
        return new long[] {id, 0x10 + id, 0x20 + id, 0x30 + id};
    }

    @Test
    void overflowTogglesOnceUntilAcknowledged() {
        Port q = new Port();
        OverflowFlag flag = new OverflowFlag(OVFLG);
        RecordWriter w = new RecordWriter(q, flag);
        assertEquals(Outcome.WRITTEN, w.write(rec(1)));
        assertEquals(Outcome.WRITTEN, w.write(rec(2)));
        assertArrayEquals(rec(1), q.slot(0));
        assertArrayEquals(rec(2), q.slot(1));
        // Two entries written from PROD 0: index 0, wrap 1 = 0x2. CONS 0: full.
        assertEquals(0x2, q.prod);
        assertEquals(Outcome.DISCARDED, w.write(rec(3)));
        assertEquals(OVFLG | 0x2, q.prod, "OVFLG toggled: an overflow is now pending");
        assertTrue(flag.pending(q.prod, q.cons));
        assertEquals(Outcome.DISCARDED, w.write(rec(4)));
        assertEquals(OVFLG | 0x2, q.prod, "already pending: no second toggle");
        // Software drains both records and acknowledges: CONS = OVACKFLG from PROD | position.
        q.cons = flag.acknowledge(q.prod, q.prod);
        assertEquals(OVFLG | 0x2, q.cons);
        assertFalse(flag.pending(q.prod, q.cons));
        assertEquals(Outcome.WRITTEN, w.write(rec(5)));
        assertArrayEquals(rec(5), q.slot(0), "PROD 0x2 is slot 0 of the second lap");
        assertEquals(OVFLG | 0x3, q.prod, "advancing keeps the flag");
        assertEquals(Outcome.WRITTEN, w.write(rec(6)));
        assertEquals(Outcome.DISCARDED, w.write(rec(7)));
        assertEquals(0x0, q.prod, "a new overflow toggles the flag back: pending again against OVACKFLG = 1");
        assertTrue(flag.pending(q.prod, q.cons));
        assertEquals(4, w.written());
        assertEquals(3, w.discarded());
    }

    @Test
    void aDisabledQueueDropsWithoutOverflow() {
        Port q = new Port();
        RecordWriter w = new RecordWriter(q, new OverflowFlag(OVFLG));
        q.enabled = false;
        assertEquals(Outcome.DROPPED, w.write(rec(1)));
        assertEquals(0, q.prod);
        assertTrue(q.mem.isEmpty());
        assertEquals(1, w.dropped());
    }

    @Test
    void anAbortedWriteLeavesTheProducer() {
        Port q = new Port();
        RecordWriter w = new RecordWriter(q, new OverflowFlag(OVFLG));
        q.abort = true;
        assertEquals(Outcome.ABORTED, w.write(rec(1)));
        assertEquals(0, q.prod);
        assertEquals(1, w.aborted());
    }

    @Test
    void aStickyStatusBitIsTheModelsLambda() {
        // RISC-V style: the overflow sets fqcsr.fqof and leaves the tail alone.
        Port q = new Port();
        int[] fqcsr = {0};
        RecordWriter w = new RecordWriter(q, (prod, cons) -> {
            fqcsr[0] |= 1 << 9;
            return prod;
        });
        w.write(rec(1));
        w.write(rec(2));
        assertEquals(Outcome.DISCARDED, w.write(rec(3)));
        assertEquals(1 << 9, fqcsr[0]);
        assertEquals(0x2, q.prod);
        assertEquals(0x2, OverflowSignal.none().overflow(0x2, 0));
    }
}
