package org.iommulab.modelkit.regs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RegisterBlockTest {
    private static final Register CR0 = Register.r32("CR0", 0x00, Access.RW, "s");
    private static final Register BASE = Register.r64("BASE", 0x08, Access.RW, "s");
    private static final Register SMR = Register.array32("SMR", 0x20, 4, Access.RW, "s");

    /** CR0 at 0x00, nothing at 0x04, BASE at 0x08..0x0f, nothing at 0x10..0x1f, SMR(0..2) at 0x20..0x2b. */
    private static final RegisterBlock BLOCK = RegisterBlock.of("GR0", 0x40, List.of(CR0, BASE, SMR), r -> 3);

    @Test
    void lookupByOffset() {
        assertSame(CR0, BLOCK.lookup(0x00).register());
        assertNull(BLOCK.lookup(0x04));
        RegisterBlock.Slot lo = BLOCK.lookup(0x08);
        RegisterBlock.Slot hi = BLOCK.lookup(0x0c);
        assertSame(BASE, lo.register());
        assertFalse(lo.high());
        assertSame(BASE, hi.register());
        assertTrue(hi.high()); // bits [63:32] of BASE
        RegisterBlock.Slot smr2 = BLOCK.lookup(0x28); // 0x20 + 4 * 2
        assertSame(SMR, smr2.register());
        assertEquals(2, smr2.index());
        assertEquals("SMR(2)", smr2.toString());
        assertEquals("BASE [63:32]", hi.toString());
    }

    @Test
    void lookupIsTotalAndAllocatesNothing() {
        assertNull(BLOCK.lookup(0x2c)); // SMR(3): room for it, but this instance has 3
        assertNull(BLOCK.lookup(0x01)); // unaligned
        assertNull(BLOCK.lookup(-4));
        assertNull(BLOCK.lookup(0x40)); // just past the end
        assertSame(BLOCK.lookup(0x28), BLOCK.lookup(0x28)); // the same slot, built once
        assertEquals(0x40, BLOCK.size());
        assertEquals(List.of(CR0, BASE, SMR), BLOCK.registers());
    }

    @Test
    void missingSaysWhy() {
        assertEquals("SMR(3) is out of range: GR0 has SMR(0..2)", BLOCK.missing(0x2c));
        assertEquals("no register at GR0+0x10", BLOCK.missing(0x10));
        assertEquals("no register at GR0+0x30", BLOCK.missing(0x30)); // beyond SMR's room of 4
    }

    @Test
    void sharedByThreads() throws Exception {
        // Declarations are immutable: threads decoding at once all see the same registers.
        Thread[] threads = new Thread[4];
        boolean[] ok = new boolean[threads.length];
        for (int t = 0; t < threads.length; t++) {
            int me = t;
            threads[t] = new Thread(() -> {
                boolean good = true;
                for (int i = 0; i < 10_000; i++) {
                    int n = i % 3;
                    RegisterBlock.Slot s = BLOCK.lookup(0x20 + 4 * n);
                    good &= s.register() == SMR && s.index() == n;
                    good &= Field.range("F", 7, 4).get(Field.range("F", 7, 4).of(n + me)) == n + me;
                }
                ok[me] = good;
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        for (boolean b : ok) {
            assertTrue(b);
        }
    }

    @Test
    void badBlocksAreRefused() {
        Register overlapping = Register.r32("OVER", 0x0c, Access.RW, "s"); // BASE's upper half
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RegisterBlock.of("B", 0x40, List.of(BASE, overlapping)));
        assertTrue(e.getMessage().contains("OVER overlaps BASE [63:32]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RegisterBlock.of("B", 0x0c, List.of(BASE))); // half outside
        assertThrows(IllegalArgumentException.class, () -> RegisterBlock.of("B", 0x40, List.of(SMR), r -> 5)); // room 4
        assertThrows(IllegalArgumentException.class, () -> RegisterBlock.of("B", 0x40, List.of(SMR))); // no count
        assertThrows(IllegalArgumentException.class, () -> RegisterBlock.of("B", 6, List.of()));
    }
}
