package org.iommulab.platform.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.junit.jupiter.api.Test;

/** The live-mapping table: exact and containing lookups, best fit, growth, pooling. */
class LiveMappingsTest {
    private static final DmaDirection TO = DmaDirection.TO_DEVICE;

    @Test
    void manyEntriesSurviveCollisionsRemovalsAndGrowth() {
        LiveMappings t = new LiveMappings(4);
        Random rnd = new Random(3);
        List<LiveMapping> live = new ArrayList<>();
        List<Long> addrs = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            // Page-aligned addresses in a small window, so buckets collide and chains form.
            long a = (rnd.nextInt(2000) << 12) + (rnd.nextInt(4) << 8);
            live.add(t.add(MappingType.SINGLE, a, 256, TO, a, 0));
            addrs.add(a);
            if (i % 3 == 2) {
                int k = rnd.nextInt(live.size());
                t.remove(live.remove(k));
                addrs.remove(k);
            }
        }
        assertEquals(live.size(), t.size());
        for (int i = 0; i < live.size(); i++) {
            LiveMapping e = t.bestAt(addrs.get(i), MappingType.SINGLE, 256, TO);
            assertEquals((long) addrs.get(i), e.dmaAddr());
            assertEquals(e.dmaAddr(), t.containing(addrs.get(i) + 255).dmaAddr());
        }
        for (LiveMapping e : new ArrayList<>(live)) {
            t.remove(e);
        }
        assertEquals(0, t.size());
        assertNull(t.bestAt(addrs.get(0), MappingType.SINGLE, 256, TO));
    }

    @Test
    void removedEntriesAreReusedWithoutGrowingThePool() {
        LiveMappings t = new LiveMappings(8);
        for (int round = 0; round < 1000; round++) {
            LiveMapping e = t.add(MappingType.SINGLE, 0x1000L * round, 64, TO, 0, 0);
            t.remove(e);
        }
        assertEquals(8, t.pooled());
        LiveMapping e = t.add(MappingType.SINGLE, 0x5000, 1, TO, 0, 0);
        t.add(MappingType.SINGLE, 0x5000, 2, TO, 0, 0);
        t.remove(e);
        assertThrows(IllegalStateException.class, () -> t.remove(e), "a removed entry is not live");
        assertEquals(1, t.size());
    }

    @Test
    void bestFitPrefersTypeThenSizeThenDirection() {
        LiveMappings t = new LiveMappings(4);
        LiveMapping small = t.add(MappingType.SINGLE, 0x1000, 64, TO, 0, 0);
        LiveMapping big = t.add(MappingType.SINGLE, 0x1000, 4096, DmaDirection.FROM_DEVICE, 0, 0);
        LiveMapping res = t.add(MappingType.PHYS, 0x1000, 64, TO, 0, 0);
        assertSame(small, t.bestAt(0x1000, MappingType.SINGLE, 64, TO));
        assertSame(big, t.bestAt(0x1000, MappingType.SINGLE, 4096, TO));
        assertSame(res, t.bestAt(0x1000, MappingType.PHYS, 4096, DmaDirection.FROM_DEVICE));
    }

    @Test
    void containingLooksBackAsFarAsTheLargestEntryAndPrefersStreamingEntries() {
        LiveMappings t = new LiveMappings(4);
        LiveMapping big = t.add(MappingType.SINGLE, 0x10_0000, 64 * 4096, TO, 0, 0);
        assertSame(big, t.containing(0x10_0000 + 63 * 4096 + 4095));
        assertNull(t.containing(0x10_0000 + 64 * 4096));
        assertNull(t.containing(0x0f_ffff));
        LiveMapping coherent = t.add(MappingType.COHERENT, 0x20_0000, 4096, DmaDirection.BIDIRECTIONAL, 0, 0);
        assertSame(coherent, t.containing(0x20_0010));
        LiveMapping huge = t.add(MappingType.SINGLE, 0x1_0000_0000L, 1L << 40, TO, 0, 0);
        assertSame(huge, t.containing(0x1_0000_0000L + (1L << 39)), "a whole-table scan when walking back is longer");
        assertSame(big, t.containing(0x10_0010));
    }

    @Test
    void sgEntriesAreFoundByTheirTable() {
        LiveMappings t = new LiveMappings(4);
        SgTable a = SgTable.of(new long[] {0x4000}, new int[] {64});
        SgTable b = SgTable.of(new long[] {0x4000}, new int[] {64});
        a.setDmaSegment(0, 0x9000, 64);
        a.setNents(1);
        b.setDmaSegment(0, 0x9000, 64);
        b.setNents(1);
        LiveMapping ea = t.add(MappingType.SCATTER_GATHER, 0x9000, 64, TO, 0x4000, 0);
        ea.setSg(a, 1, 1);
        LiveMapping eb = t.add(MappingType.SCATTER_GATHER, 0x9000, 64, TO, 0x4000, 0);
        eb.setSg(b, 1, 1);
        assertSame(ea, t.sgEntry(a));
        assertSame(eb, t.sgEntry(b));
        b.setDmaSegment(0, 0x123000, 64);
        assertSame(eb, t.sgEntry(b), "found by a full scan when the DMA view was rewritten");
        assertNull(t.containing(0x9000), "sg entries are not single mappings");
        t.remove(ea);
        assertNull(t.sgEntry(a));
    }
}
