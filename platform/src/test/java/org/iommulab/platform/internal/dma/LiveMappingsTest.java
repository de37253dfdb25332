package org.iommulab.platform.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.junit.jupiter.api.Test;

/** The live-mapping table: exact and containing lookups, best fit, growth, pooling, packed fields. */
class LiveMappingsTest {
    private static final DmaDirection TO = DmaDirection.TO_DEVICE;

    @Test
    void manyEntriesSurviveCollisionsRemovalsAndGrowth() {
        LiveMappings t = new LiveMappings(4);
        Random rnd = new Random(3);
        List<Integer> live = new ArrayList<>();
        List<Long> addrs = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            // Page-aligned addresses in a small window, so buckets collide and chains form.
            long a = (rnd.nextInt(2000) << 12) + (rnd.nextInt(4) << 8);
            live.add(t.add(MappingType.SINGLE, a, 256, TO, a, 0));
            addrs.add(a);
            if (i % 3 == 2) {
                int k = rnd.nextInt(live.size());
                t.remove((int) live.remove(k));
                addrs.remove(k);
            }
        }
        assertEquals(live.size(), t.size());
        for (int i = 0; i < live.size(); i++) {
            int e = t.bestAt(addrs.get(i), MappingType.SINGLE, 256, TO);
            assertEquals((long) addrs.get(i), t.dmaAddr(e));
            assertEquals(t.dmaAddr(e), t.dmaAddr(t.containing(addrs.get(i) + 255)));
        }
        for (int e : new ArrayList<>(live)) {
            t.remove(e);
        }
        assertEquals(0, t.size());
        assertEquals(LiveMappings.NONE, t.bestAt(addrs.get(0), MappingType.SINGLE, 256, TO));
    }

    @Test
    void removedEntriesAreReusedWithoutGrowingThePool() {
        LiveMappings t = new LiveMappings(8);
        for (int round = 0; round < 1000; round++) {
            int e = t.add(MappingType.SINGLE, 0x1000L * round, 64, TO, 0, 0);
            t.remove(e);
        }
        assertEquals(8, t.pooled());
        int e = t.add(MappingType.SINGLE, 0x5000, 1, TO, 0, 0);
        t.add(MappingType.SINGLE, 0x5000, 2, TO, 0, 0);
        t.remove(e);
        assertThrows(IllegalStateException.class, () -> t.remove(e), "a removed entry is not live");
        assertEquals(1, t.size());
    }

    @Test
    void bestFitPrefersTypeThenSizeThenDirection() {
        LiveMappings t = new LiveMappings(4);
        int small = t.add(MappingType.SINGLE, 0x1000, 64, TO, 0, 0);
        int big = t.add(MappingType.SINGLE, 0x1000, 4096, DmaDirection.FROM_DEVICE, 0, 0);
        int res = t.add(MappingType.PHYS, 0x1000, 64, TO, 0, 0);
        assertEquals(small, t.bestAt(0x1000, MappingType.SINGLE, 64, TO));
        assertEquals(big, t.bestAt(0x1000, MappingType.SINGLE, 4096, TO));
        assertEquals(res, t.bestAt(0x1000, MappingType.PHYS, 4096, DmaDirection.FROM_DEVICE));
    }

    @Test
    void containingLooksBackAsFarAsTheLargestEntryAndPrefersStreamingEntries() {
        LiveMappings t = new LiveMappings(4);
        int big = t.add(MappingType.SINGLE, 0x10_0000, 64 * 4096, TO, 0, 0);
        assertEquals(big, t.containing(0x10_0000 + 63 * 4096 + 4095));
        assertEquals(LiveMappings.NONE, t.containing(0x10_0000 + 64 * 4096));
        assertEquals(LiveMappings.NONE, t.containing(0x0f_ffff));
        int coherent = t.add(MappingType.COHERENT, 0x20_0000, 4096, DmaDirection.BIDIRECTIONAL, 0, 0);
        assertEquals(coherent, t.containing(0x20_0010));
        int huge = t.add(MappingType.SINGLE, 0x1_0000_0000L, 1L << 40, TO, 0, 0);
        assertEquals(huge, t.containing(0x1_0000_0000L + (1L << 39)), "a whole-table scan when walking back is longer");
        assertEquals(big, t.containing(0x10_0010));
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
        int ea = t.add(MappingType.SCATTER_GATHER, 0x9000, 64, TO, 0x4000, 0);
        t.setSg(ea, a, 1, 1);
        int eb = t.add(MappingType.SCATTER_GATHER, 0x9000, 64, TO, 0x4000, 0);
        t.setSg(eb, b, 1, 1);
        assertEquals(ea, t.sgEntry(a));
        assertEquals(eb, t.sgEntry(b));
        b.setDmaSegment(0, 0x123000, 64);
        assertEquals(eb, t.sgEntry(b), "found by a full scan when the DMA view was rewritten");
        assertEquals(LiveMappings.NONE, t.containing(0x9000), "sg entries are not single mappings");
        t.remove(ea);
        assertEquals(LiveMappings.NONE, t.sgEntry(a));
    }

    @Test
    void packedFieldsReadBackAsAddedAndFlagsStayApart() {
        LiveMappings t = new LiveMappings(2);
        int attrs = org.iommulab.api.dma.DmaAttrs.KNOWN;
        int a = t.add(MappingType.PHYS, 0xFFFF_F000L, 1L << 33, DmaDirection.NONE, 0x8000_0000_0000L, attrs);
        int b = t.add(MappingType.COHERENT, 0x2000, 4096, DmaDirection.BIDIRECTIONAL, 0x7000, 0);
        int c = t.add(MappingType.SINGLE, 0x3000, 8, DmaDirection.FROM_DEVICE, 0x9008, 0); // the pool grows here
        assertEquals(MappingType.PHYS, t.type(a));
        assertEquals(DmaDirection.NONE, t.dir(a));
        assertEquals(attrs, t.attrs(a));
        assertEquals(1L << 33, t.size(a));
        assertEquals(0x8000_0000_0000L, t.cpuAddr(a));
        assertEquals(MappingType.COHERENT, t.type(b));
        assertEquals(DmaDirection.BIDIRECTIONAL, t.dir(b));
        assertEquals(DmaDirection.FROM_DEVICE, t.dir(c));
        t.errorChecked(a, true);
        t.ownedReported(b, true);
        t.cpuOwnsAll(c, true);
        assertEquals(true, t.errorChecked(a));
        assertEquals(false, t.ownedReported(a));
        assertEquals(true, t.ownedReported(b));
        assertEquals(false, t.cpuOwnsAll(b));
        assertEquals(true, t.cpuOwnsAll(c));
        assertEquals(attrs, t.attrs(a), "flags do not touch the attributes");
        assertEquals(a, t.uncheckedAt(0xFFFF_F000L) == LiveMappings.NONE ? a : -2, "a checked entry is not unchecked");
        assertEquals(c, t.uncheckedAt(0x3000));
        t.remove(a);
        int d = t.add(MappingType.SINGLE, 0x4000, 16, DmaDirection.TO_DEVICE, 0, 0);
        assertEquals(a, d, "the freed handle is reused");
        assertEquals(false, t.errorChecked(d), "a reused handle starts clean");
        assertEquals(3, t.size());
    }

    @Test
    void arraysGrowToAPowerOfTwoBytesLessTheHeader() {
        // An int or long array of 2^k - 4 elements is 2^k * 4 or 2^k * 8 bytes with its 16-byte header.
        assertEquals(12, LiveMappings.wholeBytes(1));
        assertEquals(12, LiveMappings.wholeBytes(12));
        assertEquals(28, LiveMappings.wholeBytes(13));
        assertEquals(2044, LiveMappings.wholeBytes(2044));
        assertEquals(4092, LiveMappings.wholeBytes(2045));
        assertEquals((1 << 20) - 4, LiveMappings.wholeBytes(1_000_000));
        LiveMappings t = new LiveMappings(1024);
        for (int i = 0; i < 1025; i++) {
            t.add(MappingType.SINGLE, 0x1000L * i, 64, TO, 0, 0);
        }
        assertEquals(2044, t.pooled(), "1024 entries grow to 2^11 - 4");
    }

    @Test
    void hashGrowsByAboutOneAndAHalfInWholeByteSteps() {
        // 2^k - 4 ints are 2^(k+2) bytes with the header; 3 * 2^(k-1) - 4 ints are 3 * 2^(k+1) bytes.
        assertEquals(20, LiveMappings.grownSlots(12)); // 16 -> 24 ints with the header
        assertEquals(28, LiveMappings.grownSlots(20)); // 24 -> 32
        assertEquals(3 * (1 << 19) - 4, LiveMappings.grownSlots((1 << 20) - 4)); // 4 MiB -> 6 MiB
        assertEquals((1 << 21) - 4, LiveMappings.grownSlots(3 * (1 << 19) - 4)); // 6 MiB -> 8 MiB
    }

    @Test
    void sizesOfFourGibAndMoreKeepEveryBit() {
        LiveMappings t = new LiveMappings(4);
        // 2^32 - 2 still fits the unsigned int; 2^32 - 1 and up go to the side record.
        int a = t.add(MappingType.SINGLE, 0x1000, 0xFFFF_FFFEL, TO, 0, 0);
        int b = t.add(MappingType.SINGLE, 0x2_0000_0000L, 0xFFFF_FFFFL, TO, 0, 0);
        int c = t.add(MappingType.SINGLE, 0x4_0000_0000L, (1L << 40) + 5, TO, 0, 0);
        assertEquals(0xFFFF_FFFEL, t.size(a));
        assertEquals(0xFFFF_FFFFL, t.size(b));
        assertEquals((1L << 40) + 5, t.size(c));
        assertEquals(c, t.containing(0x4_0000_0000L + (1L << 40) + 4), "the last byte of the 1 TiB mapping");
        assertEquals(b, t.bestAt(0x2_0000_0000L, MappingType.SINGLE, 0xFFFF_FFFFL, TO));
        t.remove(c);
        int d = t.add(MappingType.SINGLE, 0x5000, 4096, TO, 0, 0);
        assertEquals(c, d, "the handle is reused");
        assertEquals(4096, t.size(d), "and its size is its own");
    }
}
