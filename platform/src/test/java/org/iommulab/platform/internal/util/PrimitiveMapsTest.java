package org.iommulab.platform.internal.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The primitive-keyed maps behave as a HashMap under random puts and removes, through growth and deletion chains. */
class PrimitiveMapsTest {
    @Test
    void longKeyMapMatchesAHashMap() {
        LongKeyMap<String> m = new LongKeyMap<>(4);
        Map<Long, String> ref = new HashMap<>();
        Random rnd = new Random(11);
        for (int i = 0; i < 50_000; i++) {
            // Few distinct keys with clustered values stress linear probing and backward-shift deletion.
            long k = rnd.nextInt(600) * (rnd.nextBoolean() ? 1L : 0x1_0000_0000L);
            if (rnd.nextInt(3) == 0) {
                assertEquals(ref.remove(k), m.remove(k));
            } else {
                String v = "v" + i;
                assertEquals(ref.put(k, v), m.put(k, v));
            }
            assertEquals(ref.size(), m.size());
        }
        for (Map.Entry<Long, String> e : ref.entrySet()) {
            assertEquals(e.getValue(), m.get(e.getKey()));
        }
        assertNull(m.get(-42));
        assertThrows(IllegalArgumentException.class, () -> m.put(1, null));
    }

    @Test
    void longIntMapMatchesAHashMap() {
        LongIntMap m = new LongIntMap(4);
        Map<Long, Integer> ref = new HashMap<>();
        Random rnd = new Random(12);
        for (int i = 0; i < 50_000; i++) {
            long k = rnd.nextInt(700) - 350;
            if (rnd.nextInt(3) == 0) {
                assertEquals(ref.remove(k) != null, m.remove(k));
            } else {
                ref.put(k, i);
                m.put(k, i);
            }
            assertEquals(ref.size(), m.size());
        }
        for (long k = -400; k < 400; k++) {
            assertEquals(ref.containsKey(k), m.containsKey(k));
            assertEquals(ref.getOrDefault(k, -1), m.get(k, -1));
        }
        assertFalse(m.remove(10_000));
        m.put(10_000, 0);
        assertTrue(m.containsKey(10_000), "0 is a value, not absence");
    }
}
