package org.iommulab.platform.internal.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.iommulab.api.platform.MemoryRegion;
import org.junit.jupiter.api.Test;

class SparsePhysicalMemoryTest {
    private static final long LOW = 0x4000_0000L;
    private static final long HIGH = 0x1_0000_0000L;
    private final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();

    @Test
    void defaultLayoutHasRamBelowAndAbove4G() {
        assertEquals(2, mem.regions().size());
        assertTrue(mem.isRam(LOW, 4096));
        assertTrue(mem.isRam(0xFFFF_F000L, 4096));
        assertTrue(mem.isRam(HIGH, 4096));
        assertFalse(mem.isRam(0, 1));
        assertFalse(mem.isRam(0x2_0000_0000L, 1));
        assertFalse(mem.isRam(0x1_FFFF_FFFFL, 2));
    }

    @Test
    void untouchedMemoryReadsZeroAndStaysUnbacked() {
        assertEquals(0, mem.readLong(LOW + 0x1234_5678L));
        byte[] b = new byte[100_000];
        b[5] = 9;
        mem.read(HIGH + 17, b, 0, b.length);
        assertEquals(0, b[5]);
        mem.fill(LOW, 1 << 20, (byte) 0);
        assertEquals(0, mem.backedBytes());
    }

    /**
     * Zeros come from a shared block by array copy (reads of unbacked memory, zero fills, copies
     * from unbacked memory): every byte of each range, across chunk boundaries and at odd
     * offsets, is zero, every byte around it is untouched, and the shared block stays zero
     * after a backed chunk was zero-filled and written again.
     */
    @Test
    void zerosLandExactlyInTheirRangeAcrossChunks() {
        int chunk = SparsePhysicalMemory.CHUNK_SIZE;
        // A read of 2.5 chunks of unbacked memory from 3 bytes before a chunk boundary.
        byte[] dst = new byte[5 * chunk / 2 + 20];
        java.util.Arrays.fill(dst, (byte) 0x77);
        mem.read(HIGH + 7 * chunk - 3, dst, 9, 5 * chunk / 2);
        for (int i = 0; i < dst.length; i++) {
            boolean inRange = i >= 9 && i < 9 + 5 * chunk / 2;
            assertEquals(inRange ? 0 : 0x77, dst[i], "read byte " + i);
        }
        // A zero fill of backed memory over a chunk boundary, inside a 0x5A block.
        long base = LOW + 0x40_0000 - chunk;
        mem.fill(base, 3L * chunk, (byte) 0x5A);
        mem.fill(base + chunk - 5, chunk + 11, (byte) 0);
        byte[] got = new byte[3 * chunk];
        mem.read(base, got, 0, got.length);
        for (int i = 0; i < got.length; i++) {
            boolean zeroed = i >= chunk - 5 && i < 2 * chunk + 6;
            assertEquals(zeroed ? 0 : 0x5A, got[i], "filled byte " + i);
        }
        // A copy of 1.5 chunks from unbacked memory into the backed block.
        mem.fill(base, 3L * chunk, (byte) 0x5A);
        mem.copy(HIGH + 40L * chunk + 1, base + 2, 3 * chunk / 2);
        mem.read(base, got, 0, got.length);
        for (int i = 0; i < got.length; i++) {
            boolean zeroed = i >= 2 && i < 2 + 3 * chunk / 2;
            assertEquals(zeroed ? 0 : 0x5A, got[i], "copied byte " + i);
        }
        // The zeros are still zeros: another unbacked read after all of that.
        java.util.Arrays.fill(dst, (byte) 0x77);
        mem.read(HIGH + 90L * chunk, dst, 0, dst.length);
        for (int i = 0; i < dst.length; i++) {
            assertEquals(0, dst[i], "second read byte " + i);
        }
    }

    @Test
    void wordsAreLittleEndianIncludingAcrossChunks() {
        long a = LOW + SparsePhysicalMemory.CHUNK_SIZE - 3;
        mem.writeLong(a, 0x0102030405060708L);
        assertEquals(0x08, mem.readByte(a));
        assertEquals(0x01, mem.readByte(a + 7));
        assertEquals(0x0102030405060708L, mem.readLong(a));
        mem.writeInt(a + 1, 0xAABBCCDD);
        assertEquals(0xAABBCCDD, mem.readInt(a + 1));
        assertEquals((byte) 0xDD, mem.readByte(a + 1));
        assertEquals(2 * SparsePhysicalMemory.CHUNK_SIZE, mem.backedBytes());
    }

    @Test
    void bulkWriteReadRoundTripsAcrossChunks() {
        byte[] src = new byte[300_000];
        new Random(1).nextBytes(src);
        mem.write(HIGH + 12345, src, 0, src.length);
        byte[] dst = new byte[src.length];
        mem.read(HIGH + 12345, dst, 0, dst.length);
        assertArrayEquals(src, dst);
    }

    @Test
    void copyBehavesAsMemmoveInBothDirections() {
        byte[] src = new byte[200_000];
        new Random(2).nextBytes(src);
        long base = LOW + 0x10_0000;
        mem.write(base, src, 0, src.length);
        // Forward overlap: destination below the source.
        mem.copy(base + 1000, base, 150_000);
        byte[] got = new byte[150_000];
        mem.read(base, got, 0, got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(src[i + 1000], got[i], "forward byte " + i);
        }
        // Backward overlap: destination above the source.
        mem.write(base, src, 0, src.length);
        mem.copy(base, base + 70_001, 100_000);
        byte[] got2 = new byte[100_000];
        mem.read(base + 70_001, got2, 0, got2.length);
        for (int i = 0; i < got2.length; i++) {
            assertEquals(src[i], got2[i], "backward byte " + i);
        }
    }

    @Test
    void copyFromUntouchedMemoryZeroesTheDestination() {
        long dst = HIGH + 0x20_0000;
        mem.fill(dst, 8192, (byte) 0x5A);
        mem.copy(LOW + 0x3000_0000L, dst + 100, 4000);
        assertEquals(0x5A, mem.readByte(dst + 99));
        assertEquals(0, mem.readByte(dst + 100));
        assertEquals(0, mem.readByte(dst + 4099));
        assertEquals(0x5A, mem.readByte(dst + 4100));
    }

    @Test
    void copyBetweenRegions() {
        byte[] src = new byte[70_000];
        new Random(3).nextBytes(src);
        mem.write(HIGH + 5, src, 0, src.length);
        mem.copy(HIGH + 5, LOW + 77, src.length);
        byte[] dst = new byte[src.length];
        mem.read(LOW + 77, dst, 0, dst.length);
        assertArrayEquals(src, dst);
    }

    @Test
    void accessOutsideRamIsRejectedAndChangesNothing() {
        long backed = mem.backedBytes();
        assertThrows(IllegalArgumentException.class, () -> mem.readByte(0));
        assertThrows(IllegalArgumentException.class, () -> mem.writeLong(0x2_0000_0000L - 4, 1));
        assertThrows(IllegalArgumentException.class, () -> mem.write(0x1_FFFF_FFF0L, new byte[32], 0, 32));
        assertThrows(IllegalArgumentException.class, () -> mem.copy(LOW, 0x3000_0000L, 16));
        assertThrows(IllegalArgumentException.class, () -> mem.fill(LOW, -1, (byte) 1));
        assertThrows(IllegalArgumentException.class, () -> mem.write(LOW, null, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> mem.read(LOW, new byte[4], 2, 3));
        assertEquals(backed, mem.backedBytes());
        assertEquals(0, mem.readLong(0x2_0000_0000L - 8));
    }

    @Test
    void regionsMustBeAlignedAndDisjoint() {
        assertThrows(IllegalArgumentException.class, () -> new SparsePhysicalMemory(List.of(new MemoryRegion(0x1000, 0x10000))));
        assertThrows(IllegalArgumentException.class, () -> new SparsePhysicalMemory(
                List.of(new MemoryRegion(0, 0x20000), new MemoryRegion(0x10000, 0x20000))));
        assertThrows(IllegalArgumentException.class, () -> new SparsePhysicalMemory(List.of()));
    }

    /**
     * The chunk index of the single accesses and the region path agree: words written either
     * way read back either way, in the default layout (indexed) and in one whose RAM ends above
     * the index's limit (region path only); a word in a hole still throws, a word of untouched
     * RAM still reads zero without backing its chunk.
     */
    @Test
    void singleAccessesAgreeWithBulkWithAndWithoutTheChunkIndex() {
        SparsePhysicalMemory high = new SparsePhysicalMemory(List.of(new MemoryRegion(LOW, 0x4000_0000L),
                new MemoryRegion(SparsePhysicalMemory.FLAT_LIMIT, 0x4000_0000L)));
        for (SparsePhysicalMemory m : List.of(mem, high)) {
            long b = m == mem ? HIGH : SparsePhysicalMemory.FLAT_LIMIT;
            for (long base : new long[] {LOW, b}) {
                assertEquals(0, m.readLong(base + 0x8000));
                assertEquals(0, m.readInt(base + 0x9000));
                m.writeLong(base + 0x10, 0x1122334455667788L);
                m.writeInt(base + 0x20, 0xCAFEBABE);
                byte[] got = new byte[8];
                m.read(base + 0x10, got, 0, 8);
                assertEquals((byte) 0x88, got[0]);
                assertEquals((byte) 0x11, got[7]);
                m.write(base + 0x30, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, 8);
                assertEquals(0x0807060504030201L, m.readLong(base + 0x30));
                assertEquals(0xCAFEBABE, m.readInt(base + 0x20));
                assertEquals(0x1122334455667788L, m.readLong(base + 0x10));
            }
            assertEquals(2 * SparsePhysicalMemory.CHUNK_SIZE, m.backedBytes());
            assertThrows(IllegalArgumentException.class, () -> m.readLong(0x1000));
            assertThrows(IllegalArgumentException.class, () -> m.writeLong(0x1000, 1));
            assertThrows(IllegalArgumentException.class, () -> m.readInt(-8));
        }
    }
}
