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
}
