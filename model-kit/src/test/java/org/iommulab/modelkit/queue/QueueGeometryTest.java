package org.iommulab.modelkit.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Register arithmetic of both encodings, each value worked out from the spec's rule. */
class QueueGeometryTest {
    /** SMMUv3 command queue of 8 entries: index [2:0], wrap flag bit 3 (IHI0070 §3.5). */
    private final QueueGeometry smmu = QueueGeometry.wrapBit(3, 16);

    @Test
    void wrapBitEmptyAndFull() {
        assertTrue(smmu.empty(0, 0));
        // PROD index 0 wrap 1 against CONS index 0 wrap 0: same index, wraps differ: full.
        assertTrue(smmu.full(0x8, 0));
        assertEquals(8, smmu.used(0x8, 0));
        assertEquals(0, smmu.space(0x8, 0));
        assertEquals(8, smmu.capacity(), "a wrap flag makes every slot usable");
        // Both wrapped once: index and wrap equal: empty again.
        assertTrue(smmu.empty(0xD, 0xD));
        assertFalse(smmu.full(0xD, 0xD));
    }

    @Test
    void wrapBitUsedAcrossTheWrap() {
        // CONS 0xD = index 5, wrap 1 (13 entries consumed, mod 16); PROD 0x3 = index 3, wrap 0
        // (3 + 16 = 19 produced): 19 - 13 = 6 outstanding, 2 free.
        assertEquals(6, smmu.used(0x3, 0xD));
        assertEquals(2, smmu.space(0x3, 0xD));
        assertTrue(smmu.consistent(0x3, 0xD));
        // PROD index 1 wrap 1 = 9 ahead of CONS 0: more than 8 entries claimed.
        assertFalse(smmu.consistent(0x9, 0));
    }

    @Test
    void wrapBitAdvanceKeepsFlags() {
        assertEquals(0x8, smmu.advance(7, 1), "index 7 + 1 = index 0 with the wrap flag toggled");
        assertEquals(0x0, smmu.advance(0xF, 1), "and back");
        assertEquals(0x8000_0008, smmu.advance(0x8000_0007, 1), "OVFLG (bit 31) rides along");
        assertEquals(0x8000_0003, smmu.advance(0x8000_000E, 5), "index 6 + 5 = 11 = index 3 of the next lap, wrap 0");
        assertEquals(0x7f00_0002, smmu.withPosition(0x7f00_000F, 0x2), "CONS.ERR [30:24] kept, position replaced");
    }

    @Test
    void wrapBitFields() {
        int cons = 0x8000_000D;
        assertEquals(5, smmu.index(cons));
        assertEquals(1, smmu.wrap(cons));
        assertEquals(0xD, smmu.position(cons));
        assertEquals(0x8000_0000, smmu.flags(cons));
        // Slot 5 of 16-byte commands.
        assertEquals(0x1050, smmu.slotAddress(0x1000, cons));
        // 8 x 16 = 128 bytes: the base is aligned to 128.
        assertEquals(0x12300, smmu.alignBase(0x12345, 32));
        // One 16-byte entry: aligned to the 32-byte minimum instead.
        assertEquals(0x12340, QueueGeometry.wrapBit(0, 16).alignBase(0x12345, 32));
    }

    @Test
    void aSingleEntryWrapQueue() {
        QueueGeometry one = QueueGeometry.wrapBit(0, 32);
        assertEquals(1, one.entries());
        // The wrap flag is bit 0: PROD 1 against CONS 0 is full, PROD 1 against CONS 1 empty.
        assertTrue(one.full(1, 0));
        assertTrue(one.empty(1, 1));
        assertEquals(0, one.index(1));
        assertEquals(1, one.advance(0, 1));
    }

    @Test
    void vtdInvalidationQueueHoldsByteOffsetsAndKeepsOneSlotFree() {
        // 4 descriptors of 128 bits: IQH/IQT hold index << 4; full when the tail is one behind.
        QueueGeometry iq = QueueGeometry.byteOffsets(2, 16);
        assertEquals(3, iq.capacity());
        assertTrue(iq.empty(0x20, 0x20));
        assertTrue(iq.full(0x30, 0x00), "tail 3, head 0");
        assertTrue(iq.full(0x20, 0x30), "tail 2, head 3");
        assertTrue(iq.full(0x00, 0x10), "tail 0, head 1");
        assertEquals(2, iq.used(0x10, 0x30), "tail 1, head 3: entries 3 and 0");
        assertEquals(0x00, iq.advance(0x30, 1), "no wrap flag: slot 3 + 1 is slot 0");
        assertEquals(0x01, iq.advance(0x31, 1), "reserved low bits are flags");
        assertEquals(2, iq.index(0x20));
        assertEquals(0, iq.wrap(0x20));
        assertEquals(0x8020, iq.slotAddress(0x8000, 0x20));
        // 256-bit descriptors: index << 5.
        QueueGeometry wide = QueueGeometry.byteOffsets(3, 32);
        assertEquals(2, wide.index(0x40));
        assertEquals(0x60, wide.advance(0x40, 1));
    }

    @Test
    void riscvQueuesHoldIndexes() {
        // A 16-entry fault queue of 32-byte records: head and tail are indexes.
        QueueGeometry fq = QueueGeometry.oneSlotFree(4, 32, 0);
        assertEquals(15, fq.capacity());
        assertTrue(fq.full(4, 5));
        assertEquals(15, fq.used(4, 5));
        assertEquals(4, fq.entryDwords());
        assertEquals(512, fq.bytes());
    }

    @Test
    void shapesThatCannotBeEncodedAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> QueueGeometry.wrapBit(31, 16), "32 position bits");
        QueueGeometry.wrapBit(30, 16);
        assertThrows(IllegalArgumentException.class, () -> QueueGeometry.wrapBit(3, 12), "not whole doublewords");
        assertThrows(IllegalArgumentException.class, () -> QueueGeometry.oneSlotFree(0, 16, 0), "no usable slot");
        assertThrows(IllegalArgumentException.class, () -> QueueGeometry.byteOffsets(3, 24), "offsets of 24 bytes");
    }
}
