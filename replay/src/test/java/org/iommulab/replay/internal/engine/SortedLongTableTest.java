package org.iommulab.replay.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * The table answers as {@code TreeMap<Long, V>} (the JDK's sorted map, whose get, put, remove
 * and floorEntry it replaces in the live table) under any sequence of operations: across chunk
 * splits and emptied chunks, with negative keys ordered as signed longs.
 */
class SortedLongTableTest {
    @Test
    void answersAsATreeMap() {
        for (int keySpace : new int[] {8, 300, 5000}) {
            Random r = new Random(keySpace);
            SortedLongTable<String> t = new SortedLongTable<>();
            TreeMap<Long, String> ref = new TreeMap<>();
            for (int op = 0; op < 60_000; op++) {
                long key = (r.nextInt(keySpace) - keySpace / 4) * 4096L;
                int what = r.nextInt(10);
                if (what < 4) {
                    String v = "v" + op;
                    t.put(key, v);
                    ref.put(key, v);
                } else if (what < 7) {
                    t.remove(key);
                    ref.remove(key);
                } else {
                    long probe = key + r.nextInt(8192) - 4096;
                    assertEquals(ref.get(probe), t.get(probe));
                    Map.Entry<Long, String> f = ref.floorEntry(probe);
                    assertEquals(f == null ? null : f.getValue(), t.floor(probe));
                    if (f != null) {
                        assertEquals(f.getKey(), t.floorKey(probe));
                    }
                }
                assertEquals(ref.size(), t.size());
                if (op % 5000 == 0) {
                    List<String> all = new ArrayList<>();
                    t.forEach(all::add);
                    assertEquals(new ArrayList<>(ref.values()), all);
                }
            }
            t.clear();
            assertEquals(0, t.size());
            assertNull(t.floor(Long.MAX_VALUE));
            t.put(-1, "a");
            t.put(Long.MIN_VALUE, "b");
            assertEquals("a", t.floor(Long.MAX_VALUE));
            assertEquals("b", t.floor(-2));
            assertNull(t.get(0));
        }
    }

    @Test
    void emptiesAndRefillsWithoutLosingOrder() {
        // a descending run (the IOVA allocator's top-down order) fills many chunks, then empties
        SortedLongTable<Long> t = new SortedLongTable<>();
        int n = 10 * SortedLongTable.CHUNK + 3;
        for (long k = n; k > 0; k--) {
            t.put(k, k);
        }
        for (long k = 1; k <= n; k += 2) {
            t.remove(k);
        }
        assertEquals((long) (n / 2), t.size());
        assertEquals(Long.valueOf(4), t.floor(5));
        for (long k = 2; k <= n; k += 2) {
            t.remove(k);
        }
        assertEquals(0, t.size());
        assertNull(t.floor(n));
        t.put(7, 7L);
        assertEquals(Long.valueOf(7), t.floor(100));
    }
}
