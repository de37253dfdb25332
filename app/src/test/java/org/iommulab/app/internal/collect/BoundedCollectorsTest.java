package org.iommulab.app.internal.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The collectors keep bounded memory whatever the run's length, and lose no peak doing so. */
class BoundedCollectorsTest {

    /**
     * 100 000 samples 1 ns apart, value i % 1000 but 5000 once at t = 77 777: the width must
     * double from 100 ns until 256 buckets cover 100 000 ns, i.e. to 400 ns (100 * 2^2: 256 * 400 =
     * 102 400 >= 100 000 > 256 * 200), and the peak must survive the merges in its bucket
     * (77 777 / 400 = bucket 194).
     */
    @Test
    void aLongSeriesKeepsItsBucketsAndItsPeak() {
        BucketSeries s = new BucketSeries();
        for (int i = 0; i < 100_000; i++) {
            s.add(i, i == 77_777 ? 5000 : i % 1000);
        }
        assertEquals(400, s.width());
        assertEquals(250, s.used(), "99 999 / 400 = 249: buckets 0..249");
        assertEquals(5000, s.peak());
        assertEquals(5000, s.max(194));
        assertEquals(399, s.max(0), "bucket 0 holds t = 0..399, whose values are 0..399");
        assertEquals(999, s.max(2), "bucket 2 holds t = 800..1199, 999 among them");
        assertEquals(199, s.last(2), "its last sample: t = 1199, 1199 % 1000");
    }

    @Test
    void rangesMergePairwisePastTheBoundAndStillCoverEveryMapping() {
        IovaDomain d = new IovaDomain("dev", "b");
        int n = IovaDomain.MAX_RANGES * 3;
        for (int i = 0; i < n; i++) {
            long iova = 0x100000L + (i % 64) * 0x1000L;
            d.mapped(iova, 0x1000, 10L * i);
            d.unmapped(iova, 0x1000, 10L * i + 5);
        }
        List<IovaDomain.Range> ranges = d.ranges(10L * n);
        assertTrue(ranges.size() <= IovaDomain.MAX_RANGES, "bounded: " + ranges.size());
        assertTrue(d.downsamplings() > 0);
        assertEquals(n, d.mappings());
        assertEquals(0x100000L, d.lowest());
        assertEquals(0x100000L + 64 * 0x1000L, d.highest());
        // Every mapping's time lies inside some range that covers its address.
        for (int i = 0; i < n; i += 97) {
            long iova = 0x100000L + (i % 64) * 0x1000L;
            long t = 10L * i + 2;
            assertTrue(ranges.stream().anyMatch(r -> r.from() <= t && t <= r.to() && r.address() <= iova
                    && iova + 0x1000 <= r.address() + r.size()), "mapping " + i + " is covered");
        }
        assertEquals(0, d.liveBytes().last(d.liveBytes().used() - 1), "nothing live at the end");
        assertEquals(0x1000, d.liveBytes().peak());
    }

    @Test
    void theEndOfAMappingNeverSeenBeginningIsIgnored() {
        RunCollector c = new RunCollector(null);
        c.mappingChanged("dev", "b", false, 0x1000, 0x1000, 5);
        assertTrue(c.domains().isEmpty());
        c.mappingChanged("dev", "b", true, 0x2000, 0x1000, 6);
        c.mappingChanged("dev", null, true, 0x3000, 0x1000, 7);
        assertEquals(2, c.domains().size());
        assertEquals("(unbound)", c.domains().get(1).backend());
        assertFalse(c.poolUsed().isEmpty() && c.poolNow() != null, "no pool: nothing sampled");
    }
}
