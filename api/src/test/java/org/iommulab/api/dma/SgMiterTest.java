package org.iommulab.api.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SgMiterTest {

    @Test
    void chunksStopAtPageAndEntryEnds() {
        // Entry 0 starts mid-page and spans into the next page; entry 1 is short.
        SgTable t = new SgTable(2).add(0x4000_0f00L, 0x300).add(0x4100_0000L, 0x10);
        SgMiter m = new SgMiter(t);
        assertTrue(m.next());
        assertEquals(0x4000_0f00L, m.phys());
        assertEquals(0x100, m.length());
        assertEquals(0, m.transferOffset());
        assertTrue(m.next());
        assertEquals(0x4000_1000L, m.phys());
        assertEquals(0x200, m.length());
        assertEquals(0x100, m.transferOffset());
        assertTrue(m.next());
        assertEquals(0x4100_0000L, m.phys());
        assertEquals(0x10, m.length());
        assertEquals(1, m.entry());
        assertFalse(m.next());
        assertEquals(0, m.length());
    }

    @Test
    void skipLandsOnTheCpuLocationOfAByteOffset() {
        // Four scattered 4 KiB entries: byte 4096+4096+100 is in the third entry.
        SgTable t = SgTable.of(new long[] {0x4000_0000L, 0x4000_5000L, 0x4009_0000L, 0x4000_2000L},
                new int[] {4096, 4096, 4096, 4096});
        SgMiter m = new SgMiter(t);
        assertTrue(m.skip(8192 + 100));
        assertTrue(m.next());
        assertEquals(0x4009_0000L + 100, m.phys());
        assertEquals(4096 - 100, m.length());
        assertEquals(t.cpuPhysAt(8192 + 100), m.phys());
        assertFalse(m.skip(1_000_000));
    }

    @Test
    void walkingAllChunksCoversTheTransferOnce() {
        SgTable t = SgTable.of(new long[] {0x4000_0010L, 0x4002_0000L, 0x4003_0ff0L},
                new int[] {10_000, 1, 20});
        SgMiter m = new SgMiter(t);
        long total = 0;
        long expectedOffset = 0;
        while (m.next()) {
            assertEquals(expectedOffset, m.transferOffset());
            assertEquals(t.cpuPhysAt(m.transferOffset()), m.phys());
            assertTrue((m.phys() & 4095) + m.length() <= 4096, "chunk crosses a page");
            total += m.length();
            expectedOffset += m.length();
        }
        assertEquals(t.totalLength(), total);
    }

    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> new SgMiter(null));
        SgMiter m = new SgMiter(new SgTable(1).add(0x4000_0000L, 10));
        assertThrows(IllegalArgumentException.class, () -> m.skip(-1));
        assertTrue(m.next());
        assertEquals(0x4000_0000L, m.phys());
    }
}
