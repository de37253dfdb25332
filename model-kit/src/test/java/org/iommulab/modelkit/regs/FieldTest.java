package org.iommulab.modelkit.regs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FieldTest {
    @Test
    void bitZero() {
        Field f = Field.bit("V", 0);
        assertEquals(1L, f.mask());
        assertEquals(0, f.lsb());
        assertEquals(0, f.msb());
        assertEquals(1, f.width());
        assertEquals(1L, f.get(0b11)); // only bit 0 counts
        assertEquals(0L, f.get(0b10));
        assertEquals(1L, f.of(1));
        assertEquals(0xffL, f.set(0xfeL, 1));
        assertEquals(0xfeL, f.set(0xffL, false));
        assertEquals("V[0]", f.toString());
    }

    @Test
    void bitSixtyThree() {
        Field f = Field.bit("TOP", 63);
        assertEquals(Long.MIN_VALUE, f.mask()); // 0x8000_0000_0000_0000
        assertEquals(1L, f.get(-1L)); // shifted down unsigned, not sign-extended
        assertEquals(Long.MIN_VALUE, f.of(1));
        assertEquals(Long.MIN_VALUE | 5, f.set(5, 1));
        assertTrue(f.isSet(Long.MIN_VALUE));
        assertThrows(IllegalArgumentException.class, () -> f.of(2));
    }

    @Test
    void fullWidth() {
        Field f = Field.range("MAIR", 63, 0);
        assertEquals(64, f.width());
        assertEquals(-1L, f.mask());
        assertEquals(-1L, f.max());
        assertEquals(0x1234_5678_9abc_def0L, f.get(0x1234_5678_9abc_def0L));
        assertEquals(-1L, f.of(-1L)); // every 64-bit value fits
        assertEquals(7L, f.set(-1L, 7));
    }

    @Test
    void upperWord() {
        // StreamID[63:32] of a command: 32 bits starting at bit 32.
        Field f = Field.range("StreamID", 63, 32);
        assertEquals(0xffff_ffff_0000_0000L, f.mask());
        assertEquals(0x1234_5678L, f.get(0x1234_5678_0000_0abcL));
        assertEquals(0x1234_5678, f.getInt(0x1234_5678_0000_0abcL));
        assertEquals(0xffff_ffff_0000_0000L, f.of(0xffff_ffffL));
        assertThrows(IllegalArgumentException.class, () -> f.of(0x1_0000_0000L));
    }

    @Test
    void valueTooWideIsRefusedClearly() {
        // S2CR.TYPE[17:16] holds 0..3; 4 needs a third bit.
        Field type = Field.range("TYPE", 17, 16);
        assertEquals(3L, type.max());
        assertEquals(0x2_0000L, type.of(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> type.of(4));
        assertEquals("0x4 does not fit TYPE[17:16] (2 bits)", e.getMessage());
        // A negative value has every high bit set: it never fits a narrow field.
        assertThrows(IllegalArgumentException.class, () -> type.of(-1));
        assertThrows(IllegalArgumentException.class, () -> type.set(0, 4));
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> Field.bit("V", 0).of(2));
        assertEquals("0x2 does not fit V[0] (1 bit)", one.getMessage());
    }

    @Test
    void setReplacesOnlyTheField() {
        Field type = Field.range("TYPE", 17, 16);
        // 0xffff_ffff with bits 17:16 cleared is 0xfffc_ffff; then TYPE=1 sets bit 16: 0xfffd_ffff.
        assertEquals(0xfffc_ffffL, type.set(0xffff_ffffL, 0));
        assertEquals(0xfffd_ffffL, type.set(0xffff_ffffL, 1));
        assertEquals(0xfffc_ffffL, type.set(0xffff_ffffL, false));
        assertEquals(0x3_0000L, type.set(0, true));
    }

    @Test
    void thirtyTwoBitWordsPassedAsInt() {
        // An int word widens with its sign; fields inside [31:0] read the same as zero-extended.
        int fsr = 0x8000_0002; // MULTI (bit 31) and TF (bit 1)
        assertEquals(1L, Field.bit("MULTI", 31).get(fsr));
        assertTrue(Field.bit("TF", 1).isSet(fsr));
        assertEquals(0x8000, Field.range("HI", 31, 16).getInt(fsr));
        assertEquals(0x8000_0000L, Field.bit("MULTI", 31).bits(fsr & 0xffff_ffffL));
    }

    @Test
    void bitsKeepsAnAddressInPlace() {
        Field ttb = Field.range("TTB0", 55, 4);
        // Bits 55..4 of all-ones: 0x00ff_ffff_ffff_fff0.
        assertEquals(0x00ff_ffff_ffff_fff0L, ttb.bits(-1L));
        assertEquals(0x1000L, ttb.bits(0x1000L | 0xfL));
    }

    @Test
    void maskOfIsTheUnion() {
        assertEquals(0x8000_0006L, Field.maskOf(Field.bit("A", 1), Field.bit("B", 2), Field.bit("C", 31)));
        assertEquals(0L, Field.maskOf());
    }

    @Test
    void badDeclarationsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Field.range("X", 64, 0));
        assertThrows(IllegalArgumentException.class, () -> Field.range("X", 3, 4));
        assertThrows(IllegalArgumentException.class, () -> Field.bit("X", -1));
        assertThrows(IllegalArgumentException.class, () -> Field.bit("", 0));
        assertFalse(Field.bit("X", 5).isSet(0x1f & ~0x20));
    }
}
