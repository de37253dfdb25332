package org.iommulab.iommu.generic.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;

import org.iommulab.api.platform.AccessType;
import org.junit.jupiter.api.Test;

/** The generic IOMMU's IOTLB on the model kit: block entries, and flush-when-full under churn. */
class DomainTlbTest {

    @Test
    void blockEntriesServeEveryPageInside() {
        DomainTlb t = new DomainTlb(8);
        t.insert(3, 0x4020_0000L, 21, 0x8000_0000L, true, false, 2);
        int slot = t.lookup(3, 0x4021_2345L);
        assertTrue(slot >= 0);
        assertEquals(0x8001_2345L, t.translate(slot, 0x4021_2345L));
        assertTrue(t.allows(slot, AccessType.READ));
        assertFalse(t.allows(slot, AccessType.WRITE));
        assertEquals(2, t.level(slot));
        assertEquals(-1, t.lookup(4, 0x4021_2345L), "another domain misses");
        assertEquals(1, t.invalidateRange(3, 0x403f_f000L, 0x1000), "a range touching the block drops it");
        assertEquals(-1, t.lookup(3, 0x4021_2345L));
    }

    /**
     * Random inserts and invalidations, by probing and by walking the domain, agree with a plain
     * map (and a full table is flushed whole, as QEMU's).
     */
    @Test
    void agreesWithAReferenceUnderChurn() {
        Random rnd = new Random(11);
        DomainTlb t = new DomainTlb(64);
        Map<String, Long> ref = new HashMap<>();
        for (int op = 0; op < 20000; op++) {
            int did = 1 + rnd.nextInt(3);
            long page = rnd.nextInt(200);
            int r = rnd.nextInt(10);
            if (r < 6) {
                if (t.size() >= 64 && t.lookup(did, page << 12) < 0) {
                    ref.clear();
                }
                t.insert(did, page << 12, 12, (page + 1000) << 12, true, true, 3);
                ref.put(did + ":" + page, (page + 1000) << 12);
            } else if (r < 8) {
                long start = (long) rnd.nextInt(200) << 12;
                // Short ranges probe single pages, long ones walk the domain's entries.
                long len = (long) (1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 4 * 64)) << 12;
                t.invalidateRange(did, start, len);
                for (Iterator<String> it = ref.keySet().iterator(); it.hasNext();) {
                    String[] k = it.next().split(":");
                    long p = Long.parseLong(k[1]) << 12;
                    if (Integer.parseInt(k[0]) == did && p >= start && p < start + len) {
                        it.remove();
                    }
                }
            } else if (r < 9) {
                t.invalidateDomain(did);
                ref.keySet().removeIf(k -> k.startsWith(did + ":"));
            }
            assertEquals(ref.size(), t.size());
            for (int q = 0; q < 5; q++) {
                int qd = 1 + rnd.nextInt(3);
                long qp = rnd.nextInt(200);
                Long want = ref.get(qd + ":" + qp);
                int slot = t.lookup(qd, qp << 12);
                if (want == null) {
                    assertEquals(-1, slot);
                } else {
                    assertEquals(want + 0x18, t.translate(slot, (qp << 12) + 0x18));
                }
            }
        }
    }
}
