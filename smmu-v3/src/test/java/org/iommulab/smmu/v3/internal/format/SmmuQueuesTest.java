package org.iommulab.smmu.v3.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.modelkit.queue.QueueGeometry;
import org.junit.jupiter.api.Test;

/** The ring arithmetic shared by both queues and both halves (IHI0070 §3.5, §7.4), on the kit's geometry. */
class SmmuQueuesTest {
    private final QueueGeometry r = SmmuQueues.commands(3); // 8 entries, wrap bit 3

    @Test
    void emptyAndFullDependOnIndexAndWrap() {
        assertTrue(r.empty(0, 0));
        assertTrue(r.empty(0b1101, 0b1101));
        assertFalse(r.full(0b0101, 0b0101));
        assertTrue(r.full(0b1000, 0b0000), "same index, wraps differ");
        assertTrue(r.full(0b0011, 0b1011));
        assertFalse(r.empty(0b1000, 0));
    }

    @Test
    void advanceWrapsAndKeepsFlags() {
        int p = 0;
        for (int i = 0; i < 8; i++) {
            p = r.advance(p, 1);
        }
        assertEquals(0b1000, p, "a full lap flips the wrap bit");
        assertEquals(0, r.advance(0b1111, 1), "index 7 of lap 1 wraps to index 0 of lap 0");
        int withErr = (2 << 24) | 0b0110;
        assertEquals((2 << 24) | 0b0111, r.advance(withErr, 1), "CONS.ERR is kept");
        int withOvf = (1 << 31) | 0b1111;
        assertEquals(1 << 31, r.advance(withOvf, 1), "OVFLG is kept");
        assertEquals(0b0110, r.position(withErr));
        assertEquals(2 << 24, r.flags(withErr));
    }

    @Test
    void usedAndSpaceAcrossTheWrap() {
        assertEquals(0, r.used(0, 0));
        assertEquals(8, r.used(0b1000, 0));
        assertEquals(3, r.used(0b1001, 0b0110));
        assertEquals(5, r.space(0b1001, 0b0110));
        assertEquals(0, r.space(0b0010, 0b1010));
        assertTrue(r.consistent(0b1000, 0));
        assertFalse(r.consistent(0b1001, 0), "9 entries in an 8-entry queue");
    }

    @Test
    void overflowConditionIsOvflgDifferingFromOvackflg() {
        assertFalse(SmmuQueues.OVERFLOW.pending(0, 0));
        assertTrue(SmmuQueues.OVERFLOW.pending(1 << 31, 0));
        assertFalse(SmmuQueues.OVERFLOW.pending(1 << 31 | 3, 1 << 31 | 1));
    }

    @Test
    void sizesOutsideTheArchitectureAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SmmuQueues.commands(20));
        assertThrows(IllegalArgumentException.class, () -> SmmuQueues.events(-1));
        QueueGeometry one = SmmuQueues.commands(0);
        assertTrue(one.full(1, 0));
        assertEquals(0, one.advance(1, 1));
    }

    @Test
    void entrySizesAndBaseAlignment() {
        assertEquals(16, r.entryBytes());
        assertEquals(32, SmmuQueues.events(3).entryBytes());
        // 8 commands of 16 bytes: 128-byte alignment; 2 commands: the 32-byte minimum.
        assertEquals(0x1_0080L, SmmuQueues.base(r, 0x1_00a0L | 3));
        assertEquals(0x1_00a0L, SmmuQueues.base(SmmuQueues.commands(1), 0x1_00b0L | 1));
    }
}
