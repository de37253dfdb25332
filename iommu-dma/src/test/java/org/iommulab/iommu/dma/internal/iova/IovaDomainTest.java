package org.iommulab.iommu.dma.internal.iova;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class IovaDomainTest {
    private static final long G4K = 4096;
    /** Last pfn below 4 GiB with a 4 KiB granule. */
    private static final long LIMIT32 = (1L << 20) - 1;
    private static final long LIMIT48 = (1L << 36) - 1;

    @Test
    void allocatesTopDownFromTheLimit() {
        IovaDomain d = new IovaDomain(G4K, 1);
        assertEquals(LIMIT32, d.alloc(1, LIMIT32, true));
        assertEquals(LIMIT32 - 1, d.alloc(1, LIMIT32, true));
        // Two granules, aligned to 2: below LIMIT32-1 the next even pfn with room is LIMIT32-3.
        assertEquals(LIMIT32 - 3, d.alloc(2, LIMIT32, true));
        // 3 granules aligned to 4.
        assertEquals((LIMIT32 - 3 - 3) & ~3L, d.alloc(3, LIMIT32, true));
    }

    @Test
    void sizeAlignedRangesAreNaturallyAligned() {
        IovaDomain d = new IovaDomain(G4K, 1);
        d.alloc(1, LIMIT48, true);
        for (long size : new long[] {3, 5, 17, 100, 1000, 65537}) {
            long pfn = d.alloc(size, LIMIT48, true);
            long align = IovaCaches.roundupPowOfTwo(size);
            assertEquals(0, pfn % align, "size " + size + " at 0x" + Long.toHexString(pfn));
        }
        // Unaligned requests pack right under the previous range.
        long a = d.alloc(3, LIMIT48, false);
        long b = d.alloc(3, LIMIT48, false);
        assertEquals(a - 3, b);
    }

    @Test
    void iovaZeroIsNeverHandedOut() {
        IovaDomain d = new IovaDomain(G4K, 1);
        List<Long> got = new ArrayList<>();
        long pfn;
        while ((pfn = d.alloc(1, 15, true)) != 0) {
            got.add(pfn);
        }
        assertEquals(15, got.size());
        assertFalse(got.contains(0L));
        assertThrows(IllegalArgumentException.class, () -> new IovaDomain(G4K, 0));
    }

    @Test
    void rejectsBadGranuleAndSize() {
        assertThrows(IllegalArgumentException.class, () -> new IovaDomain(3000, 1));
        IovaDomain d = new IovaDomain(G4K, 1);
        assertThrows(IllegalArgumentException.class, () -> d.alloc(0, LIMIT32, true));
        assertEquals(0, d.rangeCount());
    }

    @Test
    void freeReturnsTheSpace() {
        IovaDomain d = new IovaDomain(G4K, 1);
        long a = d.alloc(8, 63, true);
        long b = d.alloc(8, 63, true);
        assertEquals(56, a);
        assertEquals(48, b);
        assertTrue(d.free(a + 3));
        assertFalse(d.free(a), "already free");
        assertEquals(56, d.alloc(8, 63, true), "the freed space is found again");
        assertEquals(16, d.allocatedGranules());
    }

    @Test
    void thirtyTwoBitLimitIsRespectedAndFailsFast() {
        IovaDomain d = new IovaDomain(G4K, 1);
        long hi = d.alloc(1, LIMIT48, true);
        assertTrue(hi > LIMIT32);
        long lo = d.alloc(1, LIMIT32, true);
        assertTrue(lo <= LIMIT32);
        // With the top pfn taken, a naturally aligned 2^19-granule block has no room below 4 GiB
        // (its only candidates are pfn 0, never used, and the half holding the top pfn).
        assertEquals(0x80000L, d.alloc(1L << 18, LIMIT32, true));
        assertEquals(0, d.alloc(1L << 19, LIMIT32, true));
        assertEquals(1L << 19, d.max32AllocSize(), "max32_alloc_size remembers the failed size");
        // A bigger 32-bit request fails at once; a smaller one is still tried.
        assertEquals(0, d.alloc(1L << 19 | 1, LIMIT32, false));
        assertNotEquals(0, d.alloc(16, LIMIT32, true));
        // Freeing below 4 GiB resets it.
        assertTrue(d.free(lo));
        assertEquals(d.dma32BitPfn(), d.max32AllocSize());
    }

    @Test
    void reservedRangesAreNeverHandedOut() {
        IovaDomain d = new IovaDomain(G4K, 1);
        long used = d.alloc(4, 255, true);
        assertEquals(252, used);
        d.reserve(100, 254);
        assertFalse(d.free(120), "reserved ranges cannot be freed");
        long pfn;
        while ((pfn = d.alloc(1, 255, true)) != 0) {
            assertTrue(pfn < 100 || pfn == 255, "got reserved pfn " + pfn);
        }
        assertThrows(IllegalArgumentException.class, () -> d.reserve(10, 5));
        assertNull(d.find(0));
    }

    @Test
    void cachedNodeSearchMatchesLinuxWalk() {
        // Free a range above the cached node: Linux moves the cache up so the hole is reused.
        IovaDomain d = new IovaDomain(G4K, 1);
        long a = d.alloc(1, LIMIT48, true);
        long b = d.alloc(1, LIMIT48, true);
        long c = d.alloc(1, LIMIT48, true);
        assertTrue(d.free(a));
        assertEquals(a, d.alloc(1, LIMIT48, true));
        assertTrue(d.free(b));
        assertEquals(b, d.alloc(1, LIMIT48, true));
        assertEquals(c - 1, d.alloc(1, LIMIT48, true));
    }

    /** Random allocations, frees and limits agree with a literal transcription of Linux. */
    @Test
    void agreesWithLinuxWalkOnRandomWorkloads() {
        for (long seed = 1; seed <= 20; seed++) {
            Random rnd = new Random(seed);
            int shift = 12;
            IovaDomain d = new IovaDomain(1L << shift, 1);
            LinuxIovaReference ref = new LinuxIovaReference(shift, 1);
            List<Long> live = new ArrayList<>();
            long[] limits = {0x3ff, 0xfff, LIMIT32, (1L << 24) - 1, 0x1fffff};
            for (int op = 0; op < 3000; op++) {
                if (live.isEmpty() || rnd.nextInt(100) < 60) {
                    long size = 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(300) : rnd.nextInt(8));
                    long limit = limits[rnd.nextInt(limits.length)];
                    boolean aligned = rnd.nextInt(5) != 0;
                    long want = ref.alloc(size, limit, aligned);
                    long got = d.alloc(size, limit, aligned);
                    assertEquals(want, got, "seed " + seed + " op " + op + " size " + size + " limit 0x"
                            + Long.toHexString(limit) + " aligned " + aligned);
                    if (got != 0) {
                        live.add(got);
                        assertTrue(got + size - 1 <= limit);
                    }
                } else {
                    long pfn = live.remove(rnd.nextInt(live.size()));
                    assertEquals(ref.free(pfn), d.free(pfn));
                }
            }
            checkNoOverlap(d);
        }
    }

    /** Seeded property test: no overlap, alignment, limits, and frees give all space back. */
    @Test
    void propertiesHoldUnderChurn() {
        for (long seed = 100; seed < 110; seed++) {
            Random rnd = new Random(seed);
            IovaDomain d = new IovaDomain(G4K, 1);
            d.reserve(0x800, 0x8ff);
            List<long[]> live = new ArrayList<>();
            for (int op = 0; op < 5000; op++) {
                if (live.isEmpty() || rnd.nextBoolean()) {
                    long size = 1 + rnd.nextInt(64);
                    long limit = rnd.nextBoolean() ? 0xffff : LIMIT32;
                    long pfn = d.alloc(size, limit, true);
                    if (pfn != 0) {
                        assertEquals(0, pfn % IovaCaches.roundupPowOfTwo(size));
                        assertTrue(pfn >= 1 && pfn + size - 1 <= limit);
                        assertTrue(pfn + size - 1 < 0x800 || pfn > 0x8ff, "inside the reserved range");
                        live.add(new long[] {pfn, size});
                    }
                } else {
                    long[] r = live.remove(rnd.nextInt(live.size()));
                    assertTrue(d.free(r[0]));
                }
            }
            checkNoOverlap(d);
            for (long[] r : live) {
                assertTrue(d.free(r[0] + r[1] - 1));
            }
            assertEquals(0, d.allocatedGranules());
            assertEquals(1, d.rangeCount(), "only the reserved range is left");
            assertArrayEquals(new long[] {0x800, 0x8ff, 1}, d.ranges().get(0));
        }
    }

    @Test
    void aMillionLiveRanges() {
        IovaDomain d = new IovaDomain(G4K, 1);
        int n = 1_000_000;
        long[] pfns = new long[n];
        Random rnd = new Random(7);
        for (int i = 0; i < n; i++) {
            long size = 1L << rnd.nextInt(3);
            pfns[i] = d.alloc(size, LIMIT48, true);
            assertNotEquals(0, pfns[i]);
        }
        assertEquals(n, d.rangeCount());
        // Free every other range, then refill the holes: the search must find them.
        for (int i = 0; i < n; i += 2) {
            assertTrue(d.free(pfns[i]));
        }
        for (int i = 0; i < n; i += 2) {
            pfns[i] = d.alloc(1, LIMIT48, true);
            assertNotEquals(0, pfns[i]);
        }
        checkNoOverlap(d);
        // Free in random order.
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            long t = pfns[i];
            pfns[i] = pfns[j];
            pfns[j] = t;
        }
        for (long pfn : pfns) {
            assertTrue(d.free(pfn));
        }
        assertEquals(0, d.rangeCount());
        assertEquals(LIMIT48, d.alloc(1, LIMIT48, true), "an empty domain allocates at the limit again");
    }

    static void checkNoOverlap(IovaDomain d) {
        long prevHi = 0;
        for (long[] r : d.ranges()) {
            assertTrue(r[0] > prevHi || prevHi == 0 && r[0] >= 0, "overlap at 0x" + Long.toHexString(r[0]));
            assertTrue(r[1] >= r[0]);
            prevHi = r[1];
        }
    }
}
