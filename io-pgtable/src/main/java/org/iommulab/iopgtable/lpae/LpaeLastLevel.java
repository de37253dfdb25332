package org.iommulab.iopgtable.lpae;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iopgtable.IoPgtableFlushOps;

/**
 * {@link LpaePageTable}'s fast paths at a last-level table the walk cache
 * ({@link LeafTableCache}) knows: a one-page map and unmap, and a map of runs of one page each.
 * Each does what the full walk would do there, checks included, and answers "not mine" (leaving
 * everything unchanged) for anything else, which then takes the full walk.
 *
 * <p>Thread-safe as the table is: the caller is a registered writer, disjoint ranges in
 * parallel; the walk cache is read without a lock.
 */
final class LpaeLastLevel {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /**
     * A block of empty entries, never written: what a run's read entries are compared with
     * ({@link #allZero}) and what {@link LpaeUnmapWalk} copies over the entries it clears.
     */
    static final byte[] ZEROS = new byte[4096];
    private final LpaeConfig cfg;
    private final PhysicalMemory mem;
    private final IoPgtableFlushOps flushOps;
    private final LeafTableCache leafCache;
    /** The table's {@code protToPte} for every {@link IommuProt} combination (six bits). */
    private final long[] protPte;
    /** The smallest page size: the leaves of a last-level table. */
    private final long pageSize;
    /** The smallest page size is in the bitmap: what {@link #mapPage} and {@link #unmapPage} need. */
    private final boolean pageInBitmap;

    LpaeLastLevel(LpaeConfig cfg, PhysicalMemory mem, IoPgtableFlushOps flushOps, LeafTableCache leafCache, long[] protPte) {
        this.cfg = cfg;
        this.mem = mem;
        this.flushOps = flushOps;
        this.leafCache = leafCache;
        this.protPte = protPte;
        this.pageSize = cfg.blockSize(LpaeFormat.MAX_LEVELS - 1);
        this.pageInBitmap = Long.lowestOneBit(cfg.pgsizeBitmap()) == pageSize;
    }

    /**
     * The commonest call, one page ({@code dma_map_page} of 4 KiB), when the walk cache knows
     * its last-level table and the entry is empty: what {@code LpaePageTable.mapLocked} does then, without
     * its split and walk. The checks are {@code LpaePageTable.mapLocked}'s for a size of one page (aligned
     * to the smallest page size, both addresses in range, READ or WRITE); {@code iommu_pgsize}
     * can only answer one page of that size, and {@code __arm_lpae_map} would find the same
     * table and write the same leaf ({@code __arm_lpae_init_pte}).
     *
     * @return true when mapped; false leaves everything to the full path (nothing changed)
     */
    boolean mapPage(long iova, long paddr, int prot) {
        if (!pageInBitmap || ((iova | paddr) & (pageSize - 1)) != 0 || iova < 0 || (iova >>> cfg.ias()) != 0
                || paddr < 0 || (paddr >>> cfg.oas()) != 0 || (prot & (IommuProt.READ | IommuProt.WRITE)) == 0) {
            return false;
        }
        long table = leafCache.lookup(iova);
        if (table < 0) {
            return false;
        }
        long ptep = table + ((long) cfg.index(iova, LpaeFormat.MAX_LEVELS - 1) << LpaeFormat.PTE_SHIFT);
        if (mem.readLong(ptep) != 0) {
            return false; // the full path refuses it (EEXIST) or replaces an empty table
        }
        mem.writeLong(ptep, protPte[prot & 63] | LpaeFormat.PTE_TYPE_PAGE | LpaeFormat.paddrToPte(paddr, cfg.granule()));
        return true;
    }

    /**
     * The one-page unmap ({@code dma_unmap_page} of 4 KiB) when the walk cache knows the page's
     * last-level table: what {@code LpaeUnmapWalk.unmap} does for one page there, without its
     * split and walk: a page leaf is cleared and gathered ({@code io_pgtable_tlb_add_page}), an
     * empty entry unmaps nothing.
     *
     * @return bytes unmapped, or -1 to leave it to the full walk (nothing changed)
     */
    long unmapPage(long iova, IotlbGather gather) {
        if (!pageInBitmap || (iova & (pageSize - 1)) != 0 || iova < 0 || (iova >>> cfg.ias()) != 0) {
            return -1;
        }
        long table = leafCache.lookup(iova);
        if (table < 0) {
            return -1;
        }
        long ptep = table + ((long) cfg.index(iova, LpaeFormat.MAX_LEVELS - 1) << LpaeFormat.PTE_SHIFT);
        long pte = mem.readLong(ptep);
        if (pte == 0) {
            return 0; // "we hit an area that isn't mapped"
        }
        if ((pte & LpaeFormat.PTE_TYPE_MASK) != LpaeFormat.PTE_TYPE_PAGE) {
            return -1;
        }
        mem.writeLong(ptep, 0);
        if (gather != null && !gather.queued()) {
            flushOps.tlbAddPages(gather, iova, 1, pageSize);
        }
        return pageSize;
    }

    /**
     * The common case of {@link LpaePageTable#mapRuns}: runs {@code from..} of one page each whose IOVAs lie
     * in the last-level table the walk cache remembers. {@code __arm_lpae_map} would walk to
     * that table once per run and find each entry empty; this reads the entries at once and
     * writes the leaves it would write
     * ({@code __arm_lpae_init_pte}) with one memory access.
     * Stops at the table's end, at a run that is not one valid page, and before the first entry
     * that is not empty (the full path then refuses it as it always does).
     *
     * @return how many runs it mapped; 0 leaves them all to the full path
     */
    int mapPageRuns(WalkScratch s, long iova, long[] phys, long[] len, int from, int n, int prot) {
        long table = leafCache.lookup(iova);
        if (table < 0 || (prot & (IommuProt.READ | IommuProt.WRITE)) == 0 || (iova & (pageSize - 1)) != 0) {
            return 0;
        }
        int lvl = LpaeFormat.MAX_LEVELS - 1;
        int idx = cfg.index(iova, lvl);
        int room = Math.min(n - from, LpaePageTable.maxEntries(cfg, idx, lvl));
        // The IOVA half of inRange for every page at once: pages from iova below 2^IAS.
        long iasLimit = 1L << cfg.ias();
        if (iova < 0 || iova >= iasLimit) {
            return 0;
        }
        room = (int) Math.min(room, (iasLimit - iova) / pageSize);
        if (len[from] != pageSize) {
            return 0; // not a page run: nothing to read
        }
        long ptep = table + ((long) idx << LpaeFormat.PTE_SHIFT);
        int bytes = room * 8;
        byte[] buf = s.mapRun(bytes);
        long leaf = protPte[prot & 63] | LpaeFormat.PTE_TYPE_PAGE;
        LpaeGranule granule = cfg.granule();
        long lastPhys = (1L << cfg.oas()) - pageSize;
        long pageMask = pageSize - 1;
        mem.read(ptep, buf, 0, bytes);
        if (allZero(buf, bytes)) {
            // The common list: every entry empty and (checked as the leaves are built, with
            // no branch) every run one valid page, so the loop below would write every leaf.
            if (buildLeaves(buf, phys, len, from, room, leaf, lastPhys)) {
                mem.write(ptep, buf, 0, bytes);
                return room;
            }
            mem.read(ptep, buf, 0, bytes); // the empty entries again, for the loop below
        }
        // One pass: stop at the first run that is not one valid page (one page long, aligned,
        // and inRange(phys, pageSize, oas), that is 0 <= phys <= 2^OAS - pageSize; lastPhys - p
        // cannot overflow, both being non-negative when it matters) or whose entry is not
        // empty (the full path then refuses it as it always does); the leaves before it are
        // __arm_lpae_init_pte's.
        int free = 0;
        while (free < room) {
            long p = phys[from + free];
            if (((len[from + free] ^ pageSize) | (p & pageMask)) != 0 || (p | (lastPhys - p)) < 0
                    || (long) LONG_LE.get(buf, free * 8) != 0) {
                break;
            }
            LONG_LE.set(buf, free * 8, leaf | LpaeFormat.paddrToPte(p, granule));
            free++;
        }
        if (free == 0) {
            return 0;
        }
        mem.write(ptep, buf, 0, free * 8);
        return free;
    }

    /**
     * Writes into {@code buf} the leaf of each run {@code from .. from+n} and says whether every
     * run was one valid page (else the caller discards {@code buf}): {@link #mapPageRuns}'s
     * test folded into two reductions, one page long and aligned (no bit of
     * {@code len ^ pageSize} or {@code phys & (pageSize-1)}) and {@code 0 <= phys <= lastPhys}
     * (no sign bit in {@code phys | (lastPhys - phys)}).
     */
    private boolean buildLeaves(byte[] buf, long[] phys, long[] len, int from, int n, long leaf, long lastPhys) {
        long odd = 0;
        long sign = 0;
        long pageMask = pageSize - 1;
        LpaeGranule granule = cfg.granule();
        for (int k = 0; k < n; k++) {
            long p = phys[from + k];
            odd |= (len[from + k] ^ pageSize) | (p & pageMask);
            sign |= p | (lastPhys - p);
            LONG_LE.set(buf, k * 8, leaf | LpaeFormat.paddrToPte(p, granule));
        }
        return odd == 0 && sign >= 0;
    }

    /** Whether {@code buf[0 .. bytes)} is all zero (every entry read is empty), compared a block at a time. */
    private static boolean allZero(byte[] buf, int bytes) {
        for (int at = 0; at < bytes; at += ZEROS.length) {
            int n = Math.min(ZEROS.length, bytes - at);
            if (Arrays.mismatch(buf, at, at + n, ZEROS, 0, n) >= 0) {
                return false;
            }
        }
        return true;
    }
}
