package org.iommulab.swiotlb.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Pool sizing rounded as Linux rounds swiotlb=&lt;nslabs&gt;,&lt;nareas&gt;. */
class PoolGeometryTest {
    @Test
    void defaultIs64MiBOf2KiBSlots() {
        PoolGeometry g = PoolGeometry.of(PoolGeometry.DEFAULT_SIZE, 4);
        assertEquals(32768, g.nslabs());
        assertEquals(4, g.nareas());
        assertEquals(64L << 20, g.bytes());
    }

    @Test
    void sizesRoundToSegmentsThenAPowerOfTwo() {
        assertEquals(2048, PoolGeometry.of(3L << 20, 1).nslabs(), "3 MiB becomes 4 MiB");
        assertEquals(1024, PoolGeometry.of((2L << 20) - 1, 1).nslabs());
        assertEquals(1024, PoolGeometry.of(1L << 20, 8).nslabs(), "one segment per area at least");
    }

    @Test
    void areasRoundToAPowerOfTwoAndZeroMeansPerCpu() {
        assertEquals(4, PoolGeometry.of(8L << 20, 3).nareas());
        int cpus = PoolGeometry.of(64L << 20, 0).nareas();
        assertTrue(cpus >= Runtime.getRuntime().availableProcessors() && Integer.bitCount(cpus) == 1);
    }

    @Test
    void outOfRangeRequestsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PoolGeometry.of((1L << 20) - 1, 1));
        assertThrows(IllegalArgumentException.class, () -> PoolGeometry.of((1L << 30) + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> PoolGeometry.of(1L << 20, -1));
        assertThrows(IllegalArgumentException.class, () -> PoolGeometry.of(1L << 20, 2048));
        assertEquals(1L << 30, PoolGeometry.of(1L << 30, 1024).bytes(), "the largest pool");
    }
}
