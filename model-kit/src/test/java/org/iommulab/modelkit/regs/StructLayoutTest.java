package org.iommulab.modelkit.regs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StructLayoutTest {
    // A few STE fields (IHI0070 §5.2) as a model declares them.
    private static final StructLayout STE = StructLayout.of("STE", 64, "IHI0070 §5.2");
    private static final StructField V = STE.bit(0, "V", 0);
    private static final StructField CONFIG = STE.range(0, "Config", 3, 1);
    private static final StructField S1CONTEXTPTR = STE.range(0, "S1ContextPtr", 55, 6);
    private static final StructField S2VMID = STE.range(2, "S2VMID", 15, 0);
    private static final StructField S2R = STE.bit(2, "S2R", 58);
    private static final StructField S2TTB = STE.range(3, "S2TTB", 55, 4);

    @Test
    void layout() {
        assertEquals("STE", STE.name());
        assertEquals(64, STE.bytes());
        assertEquals(8, STE.words());
        assertEquals("IHI0070 §5.2", STE.spec());
        assertEquals(0x1000L + 8 * 3, STE.wordAddress(0x1000, 3));
        assertEquals(0x1000L + 8 * 3, S2TTB.address(0x1000));
        assertSame(STE, S2VMID.layout());
        assertEquals(2, S2VMID.word());
        assertEquals("STE.Config[3:1] in word 0", CONFIG.toString());
    }

    @Test
    void absoluteBitPositions() {
        // S2VMID is STE[143:128]: word 2 (bits 128..191), bits 15..0 of it.
        StructField abs = STE.at("S2VMID", 143, 128);
        assertEquals(2, abs.word());
        assertEquals(S2VMID.mask(), abs.mask());
        // Bit 511 is the top bit of word 7.
        StructField last = STE.at("TOP", 511, 511);
        assertEquals(7, last.word());
        assertEquals(63, last.lsb());
        assertThrows(IllegalArgumentException.class, () -> STE.at("X", 64, 63)); // crosses words 0 and 1
        assertThrows(IllegalArgumentException.class, () -> STE.at("X", 512, 512)); // past the end
    }

    @Test
    void roundTripThroughAStructure() {
        long[] ste = new long[STE.words()];
        V.set(ste, 1);
        CONFIG.set(ste, 0b101); // stage 1 only
        S1CONTEXTPTR.set(ste, 0x8_0000L >>> 6); // the CD table at 0x8_0000, stored as address[55:6]
        S2VMID.set(ste, 0xbeef);
        S2R.set(ste, 1);
        S2TTB.set(ste, 0x4_0000L >>> 4);
        // word 0: V (bit 0) | Config 0b101 << 1 = 0xa | 0x8_0000 in place = 0x8_000b
        // word 2: S2VMID 0xbeef | S2R (bit 58) = 0x0400_0000_0000_beef
        // word 3: 0x4_0000 in place
        assertArrayEquals(new long[] {0x8_000bL, 0, 0x0400_0000_0000_beefL, 0x4_0000L, 0, 0, 0, 0}, ste);
        assertTrue(V.isSet(ste));
        assertEquals(0b101, CONFIG.getInt(ste));
        assertEquals(0x8_0000L, S1CONTEXTPTR.bits(ste));
        assertEquals(0xbeefL, S2VMID.get(ste));
        assertEquals(0x4_0000L, S2TTB.bits(ste));
        // The same fields work on one word read from memory.
        assertEquals(0b101, CONFIG.getInt(ste[0]));
        assertEquals(0xbeef, S2VMID.getInt(ste[2]));
        assertEquals(V.of(1) | CONFIG.of(0b101), ste[0] & 0xf);
    }

    @Test
    void badValuesAndArraysAreRefused() {
        long[] ste = new long[8];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CONFIG.set(ste, 8));
        assertEquals("0x8 does not fit STE.Config[3:1] in word 0 (3 bits)", e.getMessage());
        assertArrayEquals(new long[8], ste); // nothing written
        IllegalArgumentException shortArray = assertThrows(IllegalArgumentException.class,
                () -> V.get(new long[2]));
        assertEquals("STE has 8 words; got an array of 2", shortArray.getMessage());
        assertFalse(V.isSet(ste));
    }

    @Test
    void badLayoutsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> StructLayout.of("X", 12, "s")); // not whole words
        assertThrows(IllegalArgumentException.class, () -> StructLayout.of("X", 0, "s"));
        assertThrows(IllegalArgumentException.class, () -> STE.range(8, "X", 0, 0)); // word 8 of 0..7
        assertThrows(IllegalArgumentException.class, () -> STE.wordAddress(0, -1));
    }
}
