package org.iommulab.iopgtable.lpae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.iopgtable.TestMemory;
import org.iommulab.iopgtable.TestPageAllocator;
import org.junit.jupiter.api.Test;

/**
 * The writer's fast paths (the walk cache {@link LeafTableCache} and the bulk clearing of a run
 * of leaves in {@link LpaeUnmapWalk}) must be invisible: the same operations on a table with
 * them and on one without (every walk from the start level, as Linux's
 * {@code __arm_lpae_map} and {@code __arm_lpae_unmap} do) give the same return values, the same
 * flush callbacks, the same gathered ranges and byte-identical tables. The expected side is the
 * uncached walk, which the other LPAE tests check against Linux and the Arm ARM.
 */
class LpaeFastPathTest {
    private static final long SZ_4K = 1L << 12;
    private static final long SZ_2M = 1L << 21;
    private static final long PG4K = SZ_4K | SZ_2M | (1L << 30);
    /** Four 2 MiB spans, so walks share, leave and come back to last-level tables. */
    private static final long WINDOW = 0x7fe0_0000L;
    private static final long PHYS = 0x8000_0000L;

    /** One side: its own memory and allocator (deterministic, so both sides get the same table addresses). */
    private static final class Side {
        final TestMemory mem = TestMemory.defaultLayout();
        final RecordingTlb tlb = new RecordingTlb();
        final LpaePageTable t;
        final IotlbGather gather = new IotlbGather();

        Side(boolean cached, int ias) {
            t = LpaePageTable.allocate(LpaeConfig.of(LpaeStage.STAGE1, PG4K, ias, 48), mem, new TestPageAllocator(mem), tlb);
            t.setFastPaths(cached);
        }

        /** Every non-zero descriptor reachable from the start level, as "level:table:index=value". */
        List<String> dump() {
            List<String> out = new ArrayList<>();
            dump(t.ttb(), t.config().startLevel(), out);
            return out;
        }

        private void dump(long table, int lvl, List<String> out) {
            int entries = 1 << t.config().indexBits(lvl);
            for (int i = 0; i < entries; i++) {
                long pte = mem.readLong(table + 8L * i);
                if (pte != 0) {
                    out.add(lvl + ":" + Long.toHexString(table) + ":" + i + "=" + Long.toHexString(pte));
                    if (LpaeFormat.isTable(pte, lvl)) {
                        dump(LpaeFormat.pteToPaddr(pte, t.config().granule()), lvl + 1, out);
                    }
                }
            }
        }
    }

    @Test
    void randomMapsAndUnmapsGiveByteIdenticalTables() {
        for (int ias : new int[] {48, 39, 32}) {
            for (long seed = 1; seed <= 4; seed++) {
                compare(ias, seed, 6000);
            }
        }
    }

    /**
     * The case the cache must notice: a 2 MiB block mapped where the remembered last-level table
     * was (arm_lpae_init_pte frees the table) and a page mapped there again after the block goes.
     */
    @Test
    void aBlockReplacingTheRememberedTableIsSeen() {
        Side a = new Side(true, 48);
        Side b = new Side(false, 48);
        int rw = IommuProt.READ | IommuProt.WRITE;
        for (Side s : new Side[] {a, b}) {
            assertEquals(0, s.t.map(WINDOW, PHYS, SZ_4K, rw));
            assertEquals(SZ_4K, s.t.unmap(WINDOW, SZ_4K, s.gather.reset()));
            assertEquals(0, s.t.map(WINDOW, PHYS, SZ_2M, rw), "the empty table gives way to the block");
            assertEquals(SZ_2M, s.t.unmap(WINDOW, SZ_2M, s.gather.reset()));
            assertEquals(0, s.t.map(WINDOW + SZ_4K, PHYS, SZ_4K, rw), "a new last-level table is installed");
            assertEquals(PHYS, s.t.iovaToPhys(WINDOW + SZ_4K));
            assertEquals(0, s.t.iovaToPhys(WINDOW));
        }
        assertEquals(b.dump(), a.dump());
        assertEquals(b.tlb.calls, a.tlb.calls);
        assertEquals(b.t.tableCount(), a.t.tableCount());
    }

    /**
     * mapRuns is iommu_map_sg's loop: on the fast side one call, on the reference side one
     * {@link LpaePageTable#map} per run, as Linux's {@code __iommu_map} per run; the same tables.
     * When a run fails (here EEXIST: its page is mapped already), iommu_map_sg unmaps what it
     * mapped ({@code iommu_unmap(domain, iova, mapped)}): the tables are as before the call and
     * the one flush covers [iova, iova + mapped).
     */
    @Test
    void mapRunsIsOneMapPerRunAndUnrollsAFailure() {
        Side a = new Side(true, 48);
        Side b = new Side(false, 48);
        int prot = IommuProt.READ | IommuProt.CACHE;
        // 70 discontiguous pages crossing a 2 MiB boundary, then a 3-page run and a 16 KiB run.
        int n = 72;
        long[] phys = new long[n];
        long[] len = new long[n];
        for (int i = 0; i < 70; i++) {
            phys[i] = PHYS + 2L * i * SZ_4K;
            len[i] = SZ_4K;
        }
        phys[70] = PHYS + 0x100_0000L;
        len[70] = 3 * SZ_4K;
        phys[71] = PHYS + 0x200_0000L;
        len[71] = 4 * SZ_4K;
        long iova = WINDOW + SZ_2M - 40 * SZ_4K;
        assertEquals(0, a.t.mapRuns(iova, phys, len, n, prot));
        long at = iova;
        for (int i = 0; i < n; i++) {
            assertEquals(0, b.t.map(at, phys[i], len[i], prot));
            at += len[i];
        }
        assertEquals(b.dump(), a.dump());
        assertEquals(b.t.tableCount(), a.t.tableCount());
        assertEquals(b.tlb.calls, a.tlb.calls);

        // A second list whose 5th run lands on a page mapped by the first: EEXIST, nothing stays.
        long iova2 = WINDOW + 3 * SZ_2M - 4 * SZ_4K; // runs 0..3 in a new span, run 4 at iova2 + 16K
        assertEquals(0, b.t.map(iova2 + 4 * SZ_4K, PHYS, SZ_4K, prot)); // something else's page
        assertEquals(0, a.t.map(iova2 + 4 * SZ_4K, PHYS, SZ_4K, prot));
        List<String> before = a.dump();
        int tables = a.t.tableCount();
        a.tlb.calls.clear();
        assertEquals(IommuErrno.EEXIST, a.t.mapRuns(iova2, phys, len, 8, prot));
        assertEquals(before, a.dump(), "a failed mapRuns leaves the tables as they were");
        assertEquals(tables, a.t.tableCount());
        assertEquals(List.of(String.format("walk 0x%x+0x%x", iova2, 4 * SZ_4K)), a.tlb.calls,
                "one flush of the four pages it had mapped");
        assertEquals(PHYS, a.t.iovaToPhys(iova2 + 4 * SZ_4K), "the other page is untouched");
        assertEquals(0, a.t.iovaToPhys(iova2));
    }

    /**
     * The one-pass map of a run of single pages ({@code LpaeLastLevel.mapPageRuns}: every
     * entry empty and every run one valid page, checked without a branch per entry, then every
     * leaf written) and the one-pass clear of a run of leaves ({@code LpaeUnmapWalk}) against the
     * plain walks, for a 64-page list in one last-level table, clean and with one bad run or
     * one occupied entry at the first, second, middle or last place: a run misaligned, two
     * pages long, beyond the 48-bit OAS or negative, an entry mapped already. Each gives the
     * plain walk's result (0, or EINVAL / EEXIST with nothing left mapped), flushes and tables;
     * a fast path that mapped the run anyway, or stopped in the wrong place, shows here.
     */
    @Test
    void pageRunsMapAndClearAsThePlainWalksDo() {
        int prot = IommuProt.READ | IommuProt.WRITE;
        for (int at : new int[] {0, 1, 31, 63}) {
            for (int variant = 0; variant < 6; variant++) {
                Side a = new Side(true, 48);
                Side b = new Side(false, 48);
                int n = 64;
                long[] phys = new long[n];
                long[] len = new long[n];
                for (int i = 0; i < n; i++) {
                    phys[i] = PHYS + 2L * i * SZ_4K;
                    len[i] = SZ_4K;
                }
                long iova = WINDOW + 128 * SZ_4K; // 64 entries inside one last-level table
                switch (variant) {
                    case 1 -> phys[at] += 0x800; // not page aligned
                    case 2 -> len[at] = 2 * SZ_4K; // a run of two pages: the full walk maps it
                    case 3 -> phys[at] = 1L << 48; // one page past the 48-bit OAS
                    case 4 -> phys[at] = -SZ_4K; // negative
                    default -> { }
                }
                String what = "variant " + variant + " at " + at;
                for (Side s : new Side[] {a, b}) {
                    // The walk cache learns the table from a page mapped and unmapped in it.
                    assertEquals(0, s.t.map(WINDOW, PHYS, SZ_4K, prot), what);
                    assertEquals(SZ_4K, s.t.unmap(WINDOW, SZ_4K, s.gather.reset()), what);
                    if (variant == 5) {
                        assertEquals(0, s.t.map(iova + at * SZ_4K, PHYS, SZ_4K, prot), what); // occupied
                    }
                    s.tlb.calls.clear();
                }
                int ra = a.t.mapRuns(iova, phys, len, n, prot);
                int rb = b.t.mapRuns(iova, phys, len, n, prot);
                int expected = switch (variant) {
                    case 1, 3, 4 -> IommuErrno.EINVAL;
                    case 5 -> IommuErrno.EEXIST;
                    default -> 0;
                };
                assertEquals(expected, rb, what + ": the plain walk");
                assertEquals(rb, ra, what);
                assertEquals(b.dump(), a.dump(), what);
                assertEquals(b.tlb.calls, a.tlb.calls, what);
                assertEquals(b.t.tableCount(), a.t.tableCount(), what);
                if (rb != 0) {
                    continue;
                }
                long size = (n + (variant == 2 ? 1 : 0)) * SZ_4K;
                // A hole at 'at' (one page unmapped on its own) stops the run's clear there.
                for (Side s : new Side[] {a, b}) {
                    if (at > 0) {
                        assertEquals(SZ_4K, s.t.unmap(iova + at * SZ_4K, SZ_4K, s.gather.reset()), what);
                    }
                    s.tlb.calls.clear();
                }
                long ua = a.t.unmap(iova, size, a.gather.reset());
                long ub = b.t.unmap(iova, size, b.gather.reset());
                assertEquals(at > 0 ? at * SZ_4K : size, ub, what + ": the plain walk's unmap");
                assertEquals(ub, ua, what);
                assertEquals(b.gather.start(), a.gather.start(), what);
                assertEquals(b.gather.end(), a.gather.end(), what);
                assertEquals(b.dump(), a.dump(), what);
                assertEquals(b.tlb.calls, a.tlb.calls, what);
            }
        }
    }

    private static void compare(int ias, long seed, int steps) {
        Side a = new Side(true, ias);
        Side b = new Side(false, ias);
        long window = Math.min(WINDOW, (1L << ias) - 4 * SZ_2M);
        Random rnd = new Random(seed);
        for (int step = 0; step < steps; step++) {
            int op = rnd.nextInt(7);
            long iova = window + (rnd.nextInt(4 * 512) * SZ_4K);
            long pa = PHYS + (rnd.nextInt(1 << 16) * SZ_4K);
            int prot = rnd.nextBoolean() ? IommuProt.READ : IommuProt.READ | IommuProt.WRITE | IommuProt.CACHE;
            long pages = 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 600);
            long block = window + rnd.nextInt(4) * SZ_2M;
            String what = "ias " + ias + " seed " + seed + " step " + step + " op " + op;
            long ra;
            long rb;
            switch (op) {
                case 0: // iommu_map of a run of pages (possibly crossing last-level tables)
                    ra = a.t.map(iova, pa, Math.min(pages * SZ_4K, window + 4 * SZ_2M - iova), prot);
                    rb = b.t.map(iova, pa, Math.min(pages * SZ_4K, window + 4 * SZ_2M - iova), prot);
                    break;
                case 1: { // a 2 MiB block where a table may be
                    long blockPa = PHYS + rnd.nextInt(8) * SZ_2M;
                    ra = a.t.map(block, blockPa, SZ_2M, prot);
                    rb = b.t.map(block, blockPa, SZ_2M, prot);
                    break;
                }
                case 2: // iommu_unmap of a run
                    ra = a.t.unmap(iova, pages * SZ_4K, a.gather.reset());
                    rb = b.t.unmap(iova, pages * SZ_4K, b.gather.reset());
                    assertEquals(b.gather.isEmpty(), a.gather.isEmpty(), what);
                    assertEquals(b.gather.start(), a.gather.start(), what);
                    assertEquals(b.gather.end(), a.gather.end(), what);
                    break;
                case 3: { // unmap_pages of pages, or of a 2 MiB leaf where a table may be
                    long pg = rnd.nextInt(8) == 0 ? SZ_2M : SZ_4K;
                    long at = pg == SZ_2M ? block : iova;
                    ra = a.t.unmapPages(at, pg, pages, a.gather.reset());
                    rb = b.t.unmapPages(at, pg, pages, b.gather.reset());
                    assertEquals(b.gather.start(), a.gather.start(), what);
                    assertEquals(b.gather.end(), a.gather.end(), what);
                    break;
                }
                case 4: // map_pages
                    ra = a.t.mapPages(iova, pa, SZ_4K, pages, prot);
                    rb = b.t.mapPages(iova, pa, SZ_4K, pages, prot);
                    break;
                case 6: { // iommu_map_sg's loop: mostly single pages, some longer runs, rarely misaligned
                    int runs = 1 + rnd.nextInt(80);
                    long[] ph = new long[runs];
                    long[] ln = new long[runs];
                    long total = 0;
                    for (int j = 0; j < runs; j++) {
                        ph[j] = PHYS + rnd.nextInt(1 << 16) * SZ_4K + (rnd.nextInt(50) == 0 ? 0x800 : 0);
                        ln[j] = (rnd.nextInt(6) == 0 ? 1 + rnd.nextInt(5) : 1) * SZ_4K;
                        total += ln[j];
                    }
                    long at = Math.min(iova, window + 4 * SZ_2M - total) + (rnd.nextInt(100) == 0 ? 0x10 : 0);
                    ra = a.t.mapRuns(at, ph, ln, runs, prot);
                    rb = b.t.mapRuns(at, ph, ln, runs, prot);
                    break;
                }
                default: { // arm_lpae_iova_to_phys
                    long at = iova + rnd.nextInt((int) SZ_4K);
                    ra = a.t.iovaToPhys(at);
                    rb = b.t.iovaToPhys(at);
                    break;
                }
            }
            assertEquals(rb, ra, what);
            assertEquals(b.tlb.calls, a.tlb.calls, what);
            assertEquals(b.t.tableCount(), a.t.tableCount(), what);
            a.tlb.calls.clear();
            b.tlb.calls.clear();
        }
        assertEquals(b.dump(), a.dump(), "ias " + ias + " seed " + seed);
        assertEquals(b.t.tableBytes(), a.t.tableBytes());
    }
}
