package org.iommulab.iopgtable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.iommu.PageTableCensus;
import org.junit.jupiter.api.Test;

/**
 * Two threads map and unmap disjoint IOVA ranges of one table at once, as Linux's
 * {@code io-pgtable-arm} lets them (no lock: leaves are plain stores, a new table is linked once,
 * the second writer finds the first's). Each round starts from an empty table, so both threads
 * race to link the same level-1, level-2 and level-3 tables; their pages interleave, so they
 * share every table. Afterwards every translation is checked, the table count is the one the
 * geometry demands, and freeing the table returns every page: no table was lost or leaked.
 *
 * <p>The geometry (ARM LPAE, 4 KiB granule, 48-bit IAS: levels 0 to 3, 512 entries each, a
 * level-3 table spanning 2 MiB, a level-2 table 1 GiB, a level-1 table 512 GiB): 1024 pages
 * from a 512 GiB-aligned base span two level-3 tables under one level-2 and one level-1 table,
 * so with the start-level table 5 tables. A third region of thread 1's own, 1 GiB away,
 * adds a level-2 table (its level-1 table is shared) and level-3 tables there.
 */
class IoPgtableDisjointParallelTest {
    private static final long BASE = 0x40_0000_0000L; // 512 GiB aligned: a fresh level-1 table
    private static final long PA = 0x8000_0000L;
    private static final int PAGES = 1024;
    private static final int ROUNDS = 60;
    private static final int RW = IommuProt.READ | IommuProt.WRITE;

    @Test
    void disjointRangesMapAndUnmapInParallel() throws Exception {
        TestMemory mem = TestMemory.defaultLayout();
        TestPageAllocator alloc = new TestPageAllocator(mem);
        long none = alloc.allocatedBytes();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                IoPgtableOps t = IoPgtableFormats.ARM_64_LPAE_S1.allocate(
                        IoPgtableConfig.of((1L << 12) | (1L << 21) | (1L << 30), 48, 48), mem, alloc, new NoFlushOps());
                CyclicBarrier start = new CyclicBarrier(2);
                Future<?> a = pool.submit(() -> work(t, 0, start));
                Future<?> b = pool.submit(() -> work(t, 1, start));
                a.get();
                b.get();
                // Pages i % 4 == 0 or 1 were unmapped by their thread, 2 and 3 stay mapped.
                for (int i = 0; i < PAGES; i++) {
                    long want = i % 4 >= 2 ? pa(i) + 0x18 : 0;
                    assertEquals(want, t.iovaToPhys(iova(i) + 0x18), "round " + round + " page " + i);
                }
                // Thread 1's own region: one page at the second 2 MiB span's start stays mapped.
                assertEquals(PA + 0x1000_0000L, t.iovaToPhys(BASE + (1L << 30) + (1L << 21)));
                assertEquals(0, t.iovaToPhys(BASE + (1L << 30) + (1L << 21) - 0x2000));
                PageTableCensus c = t.census();
                assertEquals(c.tables(), t.tableCount(), "the count is the tables linked");
                // 5 in the shared region; thread 1's region adds a level-2 table and one level-3
                // table per span it used, of which the failed map's own may have been unlinked.
                long tables = t.tableCount();
                assertTrue(tables == 5 + 2 || tables == 5 + 3, "tables " + tables);
                assertEquals(none + tables * 4096, alloc.allocatedBytes(), "every table page is linked");
                assertEquals(PAGES / 2 + 1, c.pages());
                t.free();
                assertEquals(none, alloc.allocatedBytes(), "freeing returns every table");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static long iova(int i) {
        return BASE + (long) i * 0x1000;
    }

    private static long pa(int i) {
        return PA + (long) i * 0x1000;
    }

    /** Thread {@code me} maps its pages (every second one), then unmaps half of them. */
    private static Void work(IoPgtableOps t, int me, CyclicBarrier start) throws Exception {
        start.await();
        if (me == 1) {
            // A failed map of its own, concurrent with the other thread's maps: pages across a
            // 2 MiB boundary, the one after it already mapped. __iommu_map's unroll removes the
            // two pages it mapped (EEXIST, nothing of it stays).
            long own = BASE + (1L << 30) + (1L << 21);
            assertEquals(0, t.map(own, PA + 0x1000_0000L, 0x1000, RW));
            assertEquals(IommuErrno.EEXIST, t.map(own - 0x2000, PA, 0x3000, RW));
            assertEquals(0, t.iovaToPhys(own - 0x2000));
            assertEquals(0, t.iovaToPhys(own - 0x1000));
        }
        for (int i = me; i < PAGES; i += 2) {
            assertEquals(0, t.map(iova(i), pa(i), 0x1000, RW));
            assertEquals(pa(i) + 0x18, t.iovaToPhys(iova(i) + 0x18));
        }
        IotlbGather g = new IotlbGather();
        for (int i = me; i < PAGES; i += 4) {
            assertEquals(0x1000, t.unmap(iova(i), 0x1000, g.reset()));
            assertEquals(0, t.iovaToPhys(iova(i)));
        }
        return null;
    }
}
