package org.iommulab.api.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DmaMasksTest {

    @Test
    void bitMaskMatchesLinuxDmaBitMask() {
        assertEquals(0xffff_ffffL, DmaMasks.bits(32));
        assertEquals(1L, DmaMasks.bits(1));
        assertEquals(~0L, DmaMasks.bits(64));
        assertEquals((1L << 48) - 1, DmaMasks.bits(48));
        assertThrows(IllegalArgumentException.class, () -> DmaMasks.bits(0));
        assertThrows(IllegalArgumentException.class, () -> DmaMasks.bits(65));
    }

    @Test
    void minNotZeroIsUnsigned() {
        assertEquals(5, DmaMasks.minNotZero(0, 5));
        assertEquals(5, DmaMasks.minNotZero(5, 0));
        assertEquals(0xffff_ffffL, DmaMasks.minNotZero(~0L, 0xffff_ffffL));
        assertEquals(0, DmaMasks.minNotZero(0, 0));
    }

    @Test
    void maskValidity() {
        assertTrue(DmaMasks.isValidMask(0xfff));
        assertTrue(DmaMasks.isValidMask(~0L));
        assertFalse(DmaMasks.isValidMask(0));
        assertFalse(DmaMasks.isValidMask(0x1000));
        assertFalse(DmaMasks.isValidMask(0xff0));
        assertEquals(32, DmaMasks.width(0xffff_ffffL));
        assertEquals(64, DmaMasks.width(~0L));
    }

    @Test
    void errnoAndAttrs() {
        assertTrue(DmaErrno.isMappingStatus(DmaErrno.EIO));
        assertTrue(DmaErrno.isMappingStatus(DmaErrno.EREMOTEIO));
        assertFalse(DmaErrno.isMappingStatus(-17));
        assertFalse(DmaErrno.isMappingStatus(0));
        assertEquals("-ENOMEM", DmaErrno.name(DmaErrno.ENOMEM));
        assertTrue(DmaAttrs.isKnown(DmaAttrs.SKIP_CPU_SYNC | DmaAttrs.NO_WARN));
        assertFalse(DmaAttrs.isKnown(1 << 20));
        assertTrue(DmaAttrs.has(DmaAttrs.SKIP_CPU_SYNC | DmaAttrs.PRIVILEGED, DmaAttrs.PRIVILEGED));
        assertEquals(2, DmaDirection.FROM_DEVICE.linuxValue());
        assertTrue(DmaDirection.BIDIRECTIONAL.deviceReads() && DmaDirection.BIDIRECTIONAL.deviceWrites());
        assertFalse(DmaDirection.TO_DEVICE.deviceWrites());
        assertFalse(DmaDirection.NONE.isValidForMapping());
    }
}
