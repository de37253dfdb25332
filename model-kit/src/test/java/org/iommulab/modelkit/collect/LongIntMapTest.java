package org.iommulab.modelkit.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The open-addressing map: every key allowed, deletion without tombstones, no allocation at its size. */
class LongIntMapTest {
    @Test
    void putGetRemove() {
        LongIntMap m = new LongIntMap(4);
        assertEquals(-1, m.put(0L, 7, -1), "key 0 is an ordinary key (no reserved empty value)");
        assertEquals(-1, m.put(Long.MIN_VALUE, 8, -1));
        assertEquals(-1, m.put(-1L, 9, -1));
        assertEquals(7, m.put(0L, 70, -1), "the previous value comes back");
        assertEquals(3, m.size());
        assertEquals(70, m.get(0L, -1));
        assertEquals(8, m.get(Long.MIN_VALUE, -1));
        assertEquals(-5, m.get(42L, -5), "absent keys give the caller's marker");
        assertEquals(9, m.remove(-1L, -1));
        assertEquals(-1, m.remove(-1L, -1));
        assertFalse(m.containsKey(-1L));
        assertEquals(2, m.size());
        m.clear();
        assertTrue(m.isEmpty());
        assertEquals(-1, m.get(0L, -1));
    }

    @Test
    void growsBeyondItsExpectedSize() {
        LongIntMap m = new LongIntMap(2);
        for (int i = 0; i < 1000; i++) {
            m.put(i * 4096L, i, -1);
        }
        assertEquals(1000, m.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, m.get(i * 4096L, -1));
        }
    }

    /**
     * Keys that all hash near each other, removed in every order, against HashMap: backward
     * shifting keeps every remaining key reachable (a tombstone-free table that broke a probe
     * run would lose keys here).
     */
    @Test
    void agreesWithHashMapUnderChurn() {
        SplittableRandom rnd = new SplittableRandom(5);
        LongIntMap m = new LongIntMap(64);
        Map<Long, Integer> ref = new HashMap<>();
        for (int op = 0; op < 200_000; op++) {
            // 96 distinct keys for a map sized for 64: it runs near and past its load bound.
            long key = (rnd.nextInt(96) - 48) * 0x1000L;
            int r = rnd.nextInt(3);
            if (r == 0) {
                assertEquals(ref.getOrDefault(key, -1), m.remove(key, -1));
                ref.remove(key);
            } else {
                int v = rnd.nextInt(1000);
                Integer old = ref.put(key, v);
                assertEquals(old == null ? -1 : old, m.put(key, v, -1));
            }
            assertEquals(ref.size(), m.size());
        }
        for (long k = -48; k < 48; k++) {
            assertEquals(ref.getOrDefault(k * 0x1000L, -1), m.get(k * 0x1000L, -1), "key " + k);
        }
    }

    @Test
    void removeIfOffersEveryMappingAndKeepsTheRest() {
        LongIntMap m = new LongIntMap(128);
        for (int i = 0; i < 100; i++) {
            m.put(i, i * 2, -1);
        }
        // Even keys go: 0, 2, ..., 98 is 50 keys.
        assertEquals(50, m.removeIf((k, v) -> (k & 1) == 0));
        assertEquals(50, m.size());
        for (int i = 0; i < 100; i++) {
            assertEquals((i & 1) == 0 ? -1 : i * 2, m.get(i, -1));
        }
        long[] sum = {0};
        m.forEach((k, v) -> sum[0] += v);
        // The odd keys' values: 2 * (1 + 3 + ... + 99) = 2 * 2500.
        assertEquals(5000, sum[0]);
    }

    @Test
    void steadyChurnAtItsSizeAllocatesNothing() {
        LongIntMap m = new LongIntMap(256);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long check = 0;
        for (int round = 0; round < 3; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                long key = (i & 255) * 0x1000L;
                m.put(key, i, -1);
                check += m.get(key ^ 0x1000L, 0);
                if ((i & 3) == 0) {
                    m.remove(key, -1);
                }
            }
            long after = mx.getCurrentThreadAllocatedBytes();
            if (round == 2) {
                // One object per operation would be >= 16 bytes x 300000; JIT and JMX noise is far below 4 KiB.
                assertTrue(after - before < 4096, "bytes allocated by 300000 map operations: " + (after - before));
            }
        }
        assertTrue(check != 0);
    }

    @Test
    void negativeSizeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LongIntMap(-1));
    }
}
