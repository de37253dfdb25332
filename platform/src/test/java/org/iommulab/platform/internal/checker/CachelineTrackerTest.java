package org.iommulab.platform.internal.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** dma-debug's active-cacheline semantics, quirks included. */
class CachelineTrackerTest {
    private final CachelineTracker t = new CachelineTracker();

    @Test
    void linesAre64BytesAndOverlapsCount() {
        assertEquals(CachelineTracker.INSERTED, t.insert(0x1000));
        assertEquals(CachelineTracker.EEXIST, t.insert(0x103f), "same 64-byte line");
        assertEquals(CachelineTracker.INSERTED, t.insert(0x1040), "next line");
        assertEquals(1, t.overlap(0x1000));
        t.remove(0x1000);
        assertEquals(0, t.overlap(0x1000));
        t.remove(0x1000);
        assertEquals(-1, t.overlap(0x1000), "the last mapping frees the line");
        assertEquals(1, t.size());
    }

    @Test
    void theOverlapCountStopsAtSevenAndWarnsOnce() {
        t.insert(0x2000);
        for (int i = 1; i <= CachelineTracker.MAX_OVERLAP; i++) {
            assertEquals(CachelineTracker.EEXIST, t.insert(0x2000));
        }
        assertEquals(CachelineTracker.EEXIST_OVERFLOW, t.insert(0x2000));
        assertEquals(CachelineTracker.EEXIST, t.insert(0x2000), "WARN_ONCE");
        assertEquals(7, t.overlap(0x2000), "not stored past the tags' capacity");
        // Linux's quirk: 10 mappings, the line is dropped after 8 removals.
        for (int i = 0; i < 8; i++) {
            t.remove(0x2000);
        }
        assertEquals(-1, t.overlap(0x2000));
        t.remove(0x2000);
        t.remove(0x2000);
        assertEquals(0, t.size(), "removing an untracked line is harmless");
        // WARN_ONCE is once per platform: another line that overflows is only EEXIST.
        assertEquals(CachelineTracker.INSERTED, t.insert(0x9000));
        for (int i = 0; i <= CachelineTracker.MAX_OVERLAP; i++) {
            assertEquals(CachelineTracker.EEXIST, t.insert(0x9000));
        }
    }

    @Test
    void manyLinesSharingHashesKeepTheirOwnCounts() {
        // 20,000 distinct lines: more than the tracker's words, so lines share them and some wait in
        // its map; each is Linux's radix-tree entry all the same: INSERTED, then EEXIST with
        // overlap 1, then freed by its second removal (active_cacheline_remove per mapping).
        int lines = 20_000;
        for (int i = 0; i < lines; i++) {
            assertEquals(CachelineTracker.INSERTED, t.insert(0x4000_0000L + i * 64L));
        }
        for (int i = 0; i < lines; i++) {
            assertEquals(CachelineTracker.EEXIST, t.insert(0x4000_0000L + i * 64L + 8));
        }
        assertEquals(lines, t.size());
        for (int i = 0; i < lines; i += 2) {
            t.remove(0x4000_0000L + i * 64L);
            t.remove(0x4000_0000L + i * 64L);
        }
        for (int i = 0; i < lines; i++) {
            assertEquals(i % 2 == 0 ? -1 : 1, t.overlap(0x4000_0000L + i * 64L), "line " + i);
        }
        // Freed lines come back as new ones, wherever they now go.
        for (int i = 0; i < lines; i += 2) {
            assertEquals(CachelineTracker.INSERTED, t.insert(0x4000_0000L + i * 64L));
        }
        assertEquals(lines, t.size());
    }

    @Test
    void twoThreadsOnDisjointLinesLoseNoCount() throws Exception {
        // Each thread maps and unmaps its own lines, twice each, 200 rounds: every insert of a free
        // line is INSERTED and every second one EEXIST whatever the other thread does, and nothing
        // is left at the end.
        int lines = 6000;
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread[] threads = new Thread[2];
        for (int k = 0; k < 2; k++) {
            long base = 0x1_0000_0000L * (k + 1);
            threads[k] = new Thread(() -> {
                try {
                    for (int round = 0; round < 200; round++) {
                        for (int i = 0; i < lines; i++) {
                            assertEquals(CachelineTracker.INSERTED, t.insert(base + i * 64L));
                            assertEquals(CachelineTracker.EEXIST, t.insert(base + i * 64L));
                        }
                        for (int i = 0; i < lines; i++) {
                            t.remove(base + i * 64L);
                            t.remove(base + i * 64L);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads[k].start();
        }
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(0, t.size());
    }
}
