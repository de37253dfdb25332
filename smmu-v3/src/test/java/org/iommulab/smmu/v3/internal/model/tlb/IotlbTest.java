package org.iommulab.smmu.v3.internal.model.tlb;

import static org.iommulab.smmu.v3.internal.model.tlb.TlbEntries.KIND_S1;
import static org.iommulab.smmu.v3.internal.model.tlb.TlbEntries.KIND_S2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.iommulab.modelkit.tlb.Iotlb;
import org.junit.jupiter.api.Test;

/**
 * The SMMU's IOTLB (the kit's, as {@link TlbEntries} sets it up): lookups across block sizes,
 * single-entry eviction at the bound, selective invalidation.
 */
class IotlbTest {
    private static final int ANY = Iotlb.ANY;
    private static final int RW = TlbEntries.S1_READ | TlbEntries.S1_WRITE;

    /** An S1 entry of ASID {@code asid}, VMID 0. */
    private static void s1(Iotlb t, int asid, long addr, int shift, long out, int perms, int level) {
        TlbEntries.fill(t, KIND_S1, 0, asid, addr, shift, out, 0, perms, level, 0);
    }

    private static int lookup(Iotlb t, int asid, long addr) {
        return t.lookup(KIND_S1, 0, asid, addr);
    }

    @Test
    void lookupProbesEveryBlockSize() {
        Iotlb t = TlbEntries.create(16);
        s1(t, 1, 0x4000_1234L, 12, 0x8000_1000L, RW, 3);
        s1(t, 1, 0x4020_0000L, 21, 0x9000_0000L, RW, 2);
        int e = lookup(t, 1, 0x4000_1ff8L);
        assertEquals(0x8000_1ff8L, t.translate(e, 0x4000_1ff8L));
        e = lookup(t, 1, 0x403f_fff0L);
        assertEquals(0x901f_fff0L, t.translate(e, 0x403f_fff0L));
        assertEquals(2, t.level(e));
        assertEquals(-1, lookup(t, 1, 0x4000_2000L));
        assertEquals(-1, lookup(t, 2, 0x4000_1000L), "another ASID misses");
    }

    @Test
    void insertingTheSameKeyReplaces() {
        Iotlb t = TlbEntries.create(4);
        s1(t, 1, 0x1000, 12, 0xa000, RW, 3);
        s1(t, 1, 0x1000, 12, 0xb000, TlbEntries.S1_READ, 3);
        assertEquals(1, t.size());
        int e = lookup(t, 1, 0x1008);
        assertEquals(0xb008, t.translate(e, 0x1008));
        assertEquals(TlbEntries.S1_READ, t.perms(e));
    }

    @Test
    void aFullTableEvictsOneEntryNotAll() {
        Iotlb t = TlbEntries.create(4);
        for (int i = 0; i < 4; i++) {
            s1(t, 1, i << 12, 12, 0x10_0000L + (i << 12), RW, 3);
        }
        s1(t, 1, 4 << 12, 12, 0x20_0000L, RW, 3);
        assertEquals(4, t.size(), "bounded");
        assertEquals(1, t.evictions(), "one entry went, not the whole table (QEMU flushes all 256)");
        assertEquals(-1, lookup(t, 1, 0), "CLOCK took the oldest");
        assertTrue(lookup(t, 1, 1 << 12) >= 0, "1 was used just now, so it survives the next eviction");
        s1(t, 1, 5 << 12, 12, 0x30_0000L, RW, 3);
        assertEquals(2, t.evictions());
        assertTrue(lookup(t, 1, 1 << 12) >= 0);
        assertEquals(-1, lookup(t, 1, 2 << 12));
        for (int i : new int[] {3, 4, 5}) {
            assertTrue(lookup(t, 1, (long) i << 12) >= 0, "entry " + i);
        }
    }

    @Test
    void invalidationSelectsByKindAsidVmidRangeAndLevel() {
        Iotlb t = TlbEntries.create(32);
        for (int i = 0; i < 8; i++) {
            s1(t, 1, (long) i << 12, 12, 0, RW, 3);
            s1(t, 2, (long) i << 12, 12, 0, RW, 3);
        }
        s1(t, 1, 0x20_0000L, 21, 0, RW, 2);
        TlbEntries.fill(t, KIND_S2, 5, -1, 0x1000, 12, 0, 0x1000, TlbEntries.S2_READ, 3, 3);
        int s1 = 1 << KIND_S1;
        assertEquals(3, t.invalidateRange(s1, ANY, 1, 0x2000, 0x4fff, ANY));
        assertEquals(-1, lookup(t, 1, 0x3000));
        assertTrue(lookup(t, 1, 0x5000) >= 0);
        assertTrue(lookup(t, 2, 0x3000) >= 0, "ASID 2 untouched");
        assertEquals(0, t.invalidateRange(s1, ANY, 1, 0x20_0000L, 0x3f_ffffL, 3), "TTL 3 spares the level-2 block");
        assertEquals(1, t.invalidateRange(s1, ANY, 1, 0x20_0000L, 0x3f_ffffL, 2));
        assertEquals(8, t.invalidate(s1, ANY, 2));
        assertEquals(1, t.invalidate(1 << KIND_S2, 5, ANY));
        assertEquals(5, t.size());
        assertEquals(5, t.invalidateAll());
        assertEquals(-1, lookup(t, 1, 0x5000));
    }

    @Test
    void stage2EntriesKeepTheirIpaAndLevel() {
        Iotlb t = TlbEntries.create(4);
        int e = TlbEntries.fill(t, TlbEntries.KIND_NESTED, 5, 1, 0x4000_0123L, 12, 0x8000_0000L, 0x7000_0fffL,
                TlbEntries.S1_READ | TlbEntries.S2_READ, 3, 2);
        assertEquals(0x7000_0123L, TlbEntries.ipaOf(t, e, 0x4000_0123L), "IPA block 0x7000_0000 plus the offset");
        assertEquals(2, TlbEntries.s2Level(t, e));
    }

    @Test
    void hitsAllocateNothing() {
        Iotlb t = TlbEntries.create(64);
        for (int i = 0; i < 32; i++) {
            s1(t, 1, (long) i << 12, 12, 0x100_0000L + ((long) i << 12), RW, 3);
        }
        s1(t, 1, 0x4000_0000L, 30, 0x8000_0000L, RW, 1);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (int round = 0; round < 3; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                int e = lookup(t, 1, ((long) (i & 31) << 12) | 8);
                sum += t.translate(e, 8);
            }
            long after = mx.getCurrentThreadAllocatedBytes();
            if (round == 2) {
                // A single object per call would be >= 16 bytes each; stray JIT or JMX bookkeeping is far less.
                assertTrue(after - before < 4096, "bytes allocated by 100000 IOTLB hits: " + (after - before));
            }
        }
        assertTrue(sum != 0);
    }
}
