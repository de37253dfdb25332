package org.iommulab.modelkit.regs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RegisterTest {
    private static final Field TF = Field.bit("TF", 1);
    private static final Field AFF = Field.bit("AFF", 2);
    private static final Field MULTI = Field.bit("MULTI", 31);

    @Test
    void defaults() {
        Register r = Register.r32("CTRL", 0x10, Access.RW, "TRM §1");
        assertEquals("CTRL", r.name());
        assertEquals(0x10, r.offset());
        assertEquals(32, r.width());
        assertEquals(Access.RW, r.access());
        assertEquals("TRM §1", r.spec());
        assertEquals(0xffff_ffffL, r.implemented()); // every bit of a 32-bit register
        assertEquals(0L, r.reset());
        assertEquals(List.of(), r.fields());
        assertFalse(r.isArray());
        assertEquals(0x10, r.offset(0));
        assertEquals(-1L, Register.r64("BASE", 0x18, Access.RW, "TRM §2").implemented());
    }

    @Test
    void fieldsGiveTheImplementedBitsUnlessDeclared() {
        Register fsr = Register.r32("FSR", 0x58, Access.W1C, "IHI0062 CB_FSR").fields(TF, AFF, MULTI);
        assertEquals(List.of(TF, AFF, MULTI), fsr.fields());
        assertEquals(0x8000_0006L, fsr.implemented()); // bits 31, 2 and 1
        // Declared implemented bits win, in either order.
        assertEquals(0x6L, fsr.implemented(0x6).implemented());
        assertEquals(0x6L, Register.r32("FSR", 0x58, Access.W1C, "s").implemented(0x6).fields(TF, AFF, MULTI)
                .implemented());
    }

    @Test
    void resetValues() {
        Register gbpa = Register.r32("GBPA", 0x44, Access.RW, "IHI0070 6.3 SMMU_GBPA").implemented(0x001f_3f1fL)
                .reset(0x1000);
        assertEquals(0x1000L, gbpa.reset());
        // A reset value must be storable.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gbpa.reset(0x8000_0000L));
        assertTrue(e.getMessage().contains("GBPA"), e.getMessage());
    }

    @Test
    void badDeclarationsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Register.r32("X", 0, Access.RW, "s").fields(Field.bit("HI", 32))); // outside 32 bits
        assertThrows(IllegalArgumentException.class, () -> Register.r64("X", 0x4, Access.RW, "s")); // not 8-aligned
        assertThrows(IllegalArgumentException.class, () -> Register.r32("X", 0x2, Access.RW, "s"));
        assertThrows(IllegalArgumentException.class, () -> Register.r32("X", 0, Access.RW, "s").implemented(1L << 32));
        assertThrows(IllegalArgumentException.class, () -> Register.array32("X", 0, 0, Access.RW, "s"));
    }

    @Test
    void readWriteWriteAndReadWriteOnly() {
        Register rw = Register.r32("CTRL", 0, Access.RW, "s").implemented(0xff);
        // A write stores the value without its RES0 bits: 0x1234 & 0xff = 0x34.
        assertEquals(0x34L, rw.write(0xaa, 0x1234));
        assertEquals(0x34L, rw.read(0x1234)); // RES0 bits read as zero
        Register wo = Register.r32("CMD", 4, Access.WO, "s");
        assertEquals(0x1234L, wo.write(0, 0x1234));
        assertEquals(0L, wo.read(0x1234)); // write-only reads as zero
        assertFalse(Access.WO.readable());
        assertTrue(Access.WO.writable());
    }

    @Test
    void writeOneToClear() {
        Register fsr = Register.r32("FSR", 0x58, Access.W1C, "IHI0062 CB_FSR").fields(TF, AFF, MULTI);
        // Holding MULTI|AFF|TF (0x8000_0006); writing 1s to TF and bit 0 clears TF only: 0x8000_0004.
        assertEquals(0x8000_0004L, fsr.write(0x8000_0006L, 0x3));
        assertEquals(0L, fsr.write(0x8000_0006L, -1L)); // all ones clears everything
        assertEquals(0x8000_0006L, fsr.write(0x8000_0006L, 0)); // zeros change nothing
    }

    @Test
    void readOnlyIgnoresWrites() {
        Register id = Register.r32("ID0", 0x20, Access.RO, "IHI0062 ID0");
        assertEquals(0x1234L, id.write(0x1234, 0xffff_ffffL)); // unchanged
        assertFalse(Access.RO.writable());
        assertTrue(Access.RO.readable());
        assertTrue(Access.RW.writable() && Access.W1C.writable() && Access.W1C.readable());
    }

    @Test
    void arrays() {
        Register smr = Register.array32("SMR", 0x800, 256, Access.RW, "IHI0062 SMRn");
        assertTrue(smr.isArray());
        assertEquals(4, smr.stride());
        assertEquals(256, smr.maxCount());
        assertEquals(0x800 + 4 * 47, smr.offset(47)); // 0x8bc
        assertThrows(IllegalArgumentException.class, () -> smr.offset(256));
        assertThrows(IllegalArgumentException.class, () -> Register.r32("X", 0, Access.RW, "s").offset(1));
    }
}
