package org.iommulab.replay.internal.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Hex as %llx and 0x%llx print it, read in place; the values worked out by hand. */
class NumbersTest {
    @Test
    void hexWithAndWithoutPrefix() {
        assertEquals(0x1a2bL, Numbers.hex("0x1a2b"));
        assertEquals(0x1a2bL, Numbers.hex("1A2B"));
        assertEquals(0L, Numbers.hex("0x0000000000000000"));
        // 16 f's: 2^64 - 1, which as a signed long is -1
        assertEquals(-1L, Numbers.hex("0xffffffffffffffff"));
        // 0xfff0_0000 + 63 pages of 4 KiB = 0xfff0_0000 + 0x3f000
        assertEquals(0xfff3_f000L, Numbers.hex("0x00000000fff3f000"));
    }

    @Test
    void badHexIsRefusedWithTheNumberNamed() {
        for (String bad : new String[] {"", "0x", "0xg1", "12-4", "0x1ffffffffffffffff", "-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Numbers.hex(bad), bad);
            assertEquals("bad hex number '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void aPlusSignIsReadAsLongParseUnsignedLongReadsIt() {
        assertEquals(0x1fL, Numbers.hex("+1f"));
    }
}
