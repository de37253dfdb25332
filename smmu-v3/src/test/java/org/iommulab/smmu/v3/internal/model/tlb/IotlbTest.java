package org.iommulab.smmu.v3.internal.model.tlb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

/** The IOTLB: lookups across block sizes, single-entry eviction at the bound, selective invalidation. */
class IotlbTest {
    private static final long T1 = Iotlb.tag(Iotlb.KIND_S1, 1, 0);
    private static final long T2 = Iotlb.tag(Iotlb.KIND_S1, 2, 0);
    private static final long TS2 = Iotlb.tag(Iotlb.KIND_S2, -1, 5);
    private static final int RW = Iotlb.S1_READ | Iotlb.S1_WRITE;

    @Test
    void lookupProbesEveryBlockSize() {
        Iotlb t = new Iotlb(16);
        t.insert(T1, 0x4000_1234L, 12, 0x8000_1000L, 0, RW, 3, 0, 12);
        t.insert(T1, 0x4020_0000L, 21, 0x9000_0000L, 0, RW, 2, 0, 12);
        int e = t.lookup(T1, 0x4000_1ff8L);
        assertEquals(0x8000_1ff8L, t.translate(e, 0x4000_1ff8L));
        e = t.lookup(T1, 0x403f_fff0L);
        assertEquals(0x901f_fff0L, t.translate(e, 0x403f_fff0L));
        assertEquals(2, t.level(e));
        assertEquals(-1, t.lookup(T1, 0x4000_2000L));
        assertEquals(-1, t.lookup(T2, 0x4000_1000L), "another ASID misses");
    }

    @Test
    void insertingTheSameKeyReplaces() {
        Iotlb t = new Iotlb(4);
        t.insert(T1, 0x1000, 12, 0xa000, 0, RW, 3, 0, 12);
        t.insert(T1, 0x1000, 12, 0xb000, 0, Iotlb.S1_READ, 3, 0, 12);
        assertEquals(1, t.size());
        int e = t.lookup(T1, 0x1008);
        assertEquals(0xb008, t.translate(e, 0x1008));
        assertEquals(Iotlb.S1_READ, t.perms(e));
    }

    @Test
    void aFullTableEvictsOneEntryNotAll() {
        Iotlb t = new Iotlb(4);
        for (int i = 0; i < 4; i++) {
            t.insert(T1, i << 12, 12, 0x10_0000L + (i << 12), 0, RW, 3, 0, 12);
        }
        t.insert(T1, 4 << 12, 12, 0x20_0000L, 0, RW, 3, 0, 12);
        assertEquals(4, t.size(), "bounded");
        assertEquals(1, t.evictions(), "one entry went, not the whole table (QEMU flushes all 256)");
        assertEquals(-1, t.lookup(T1, 0), "CLOCK took the oldest");
        assertTrue(t.lookup(T1, 1 << 12) >= 0, "1 was used just now, so it survives the next eviction");
        t.insert(T1, 5 << 12, 12, 0x30_0000L, 0, RW, 3, 0, 12);
        assertEquals(2, t.evictions());
        assertTrue(t.lookup(T1, 1 << 12) >= 0);
        assertEquals(-1, t.lookup(T1, 2 << 12));
        for (int i : new int[] {3, 4, 5}) {
            assertTrue(t.lookup(T1, (long) i << 12) >= 0, "entry " + i);
        }
    }

    @Test
    void invalidationSelectsByKindAsidVmidRangeAndLevel() {
        Iotlb t = new Iotlb(32);
        for (int i = 0; i < 8; i++) {
            t.insert(T1, (long) i << 12, 12, 0, 0, RW, 3, 0, 12);
            t.insert(T2, (long) i << 12, 12, 0, 0, RW, 3, 0, 12);
        }
        t.insert(T1, 0x20_0000L, 21, 0, 0, RW, 2, 0, 12);
        t.insert(TS2, 0x1000, 12, 0, 0, Iotlb.S2_READ, 3, 3, 12);
        int s1 = 1 << Iotlb.KIND_S1;
        assertEquals(3, t.invalidate(s1, 1, -1, 0x2000, 0x4fff, 0));
        assertEquals(-1, t.lookup(T1, 0x3000));
        assertTrue(t.lookup(T1, 0x5000) >= 0);
        assertTrue(t.lookup(T2, 0x3000) >= 0, "ASID 2 untouched");
        assertEquals(0, t.invalidate(s1, 1, -1, 0x20_0000L, 0x3f_ffffL, 3), "TTL 3 spares the level-2 block");
        assertEquals(1, t.invalidate(s1, 1, -1, 0x20_0000L, 0x3f_ffffL, 2));
        assertEquals(8, t.invalidate(s1, 2, -1, 0, -1L, 0));
        assertEquals(1, t.invalidate(1 << Iotlb.KIND_S2, -1, 5, 0, -1L, 0));
        assertEquals(5, t.size());
        assertEquals(5, t.invalidateAll());
        assertEquals(-1, t.lookup(T1, 0x5000));
    }

    @Test
    void hitsAllocateNothing() {
        Iotlb t = new Iotlb(64);
        for (int i = 0; i < 32; i++) {
            t.insert(T1, (long) i << 12, 12, 0x100_0000L + ((long) i << 12), 0, RW, 3, 0, 12);
        }
        t.insert(T1, 0x4000_0000L, 30, 0x8000_0000L, 0, RW, 1, 0, 12);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (int round = 0; round < 3; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                int e = t.lookup(T1, ((long) (i & 31) << 12) | 8);
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
