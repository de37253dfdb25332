package org.iommulab.iopgtable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;


import org.junit.jupiter.api.Test;

/**
 * {@link IoPgtableOps} is thread-safe: threads mapping and unmapping in their own 2 MiB regions
 * share the upper tables and each own a level-3 table that every cycle fills and empties (it
 * stays linked, as in Linux), yet every lookup sees its own mapping, no table is unlinked (so no
 * walk is flushed), and freeing the table returns every page.
 */
class IoPgtableOpsConcurrencyTest {
    private static final int THREADS = 4;
    private static final int CYCLES = 300;

    @Test
    void concurrentMapsAndUnmapsKeepTheTableConsistent() throws Exception {
        TestMemory mem = TestMemory.defaultLayout();
        TestPageAllocator alloc = new TestPageAllocator(mem);
        AtomicLong walkFlushes = new AtomicLong();
        IoPgtableFlushOps ops = new IoPgtableFlushOps() {
            @Override
            public void tlbFlushAll() {
            }

            @Override
            public void tlbFlushWalk(long iova, long size, long granule) {
                walkFlushes.incrementAndGet();
            }

            @Override
            public void tlbAddPage(IotlbGather gather, long iova, long granule) {
                gather.add(iova, granule, granule);
            }
        };
        IoPgtableOps t = IoPgtableFormats.ARM_64_LPAE_S1.allocate(
                IoPgtableConfig.of((1L << 12) | (1L << 21) | (1L << 30), 48, 48), mem, alloc, ops);
        long none = 0;
        long empty = alloc.allocatedBytes();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int n = 0; n < THREADS; n++) {
                long region = 0x40_0000_0000L + ((long) n << 21);
                long pa = 0x8000_0000L + ((long) n << 21);
                done.add(pool.submit((Callable<Void>) () -> {
                    IotlbGather g = new IotlbGather();
                    for (int i = 0; i < CYCLES; i++) {
                        long off = (i % 8) << 12;
                        assertEquals(0, t.map(region + off, pa + off, 0x1000, IommuProt.READ | IommuProt.WRITE));
                        assertEquals(pa + off + 0x18, t.iovaToPhys(region + off + 0x18));
                        assertEquals(0x1000, t.unmap(region + off, 0x1000, g.reset()));
                        assertEquals(0, t.iovaToPhys(region + off));
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // The pgd, one level-1 and one level-2 table shared, one level-3 table per thread.
        assertEquals(3 + THREADS, t.tableCount());
        assertEquals(empty + (2L + THREADS) * 4096, alloc.allocatedBytes());
        assertEquals(0, walkFlushes.get(), "no table was unlinked");
        t.free();
        assertEquals(none, alloc.allocatedBytes());
    }
}
