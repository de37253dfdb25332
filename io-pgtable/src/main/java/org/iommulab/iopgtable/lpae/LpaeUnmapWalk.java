package org.iommulab.iopgtable.lpae;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iopgtable.IoPgtableFlushOps;

/**
 * The unmap side of {@link LpaePageTable}: Linux {@code __iommu_unmap}'s split loop
 * ({@code drivers/iommu/iommu.c}), {@code arm_lpae_unmap_pages} / {@code __arm_lpae_unmap} and
 * {@code __arm_lpae_free_pgtable} ({@code io-pgtable-arm.c}). As in Linux, a table that
 * becomes empty stays linked until the domain is freed (or until a block is mapped over it,
 * see {@link LpaePageTable}); the one table this walk unlinks is one it meets where a leaf of
 * the requested size would be, and it does so as {@code __arm_lpae_unmap} does: clear the
 * entry, flush the walk ({@code tlb_flush_walk}), free the table and all below it. Shares the
 * table's memory and pages; allocates nothing. Lock-free as Linux's: it keeps no state of its
 * own across a call (a run's entries are read into the thread's {@link WalkScratch}), clears
 * leaves with plain stores, and frees only tables that lie inside the caller's own range, which
 * no writer of a disjoint range can be walking (Linux's contract for concurrent unmaps).
 */
final class LpaeUnmapWalk {
    private final LpaeConfig cfg;
    private final PhysicalMemory mem;
    private final IoPgtableFlushOps flushOps;
    private final long pgd;
    private final java.util.concurrent.atomic.AtomicInteger tables;
    private final TablePages pages;
    private final PageSizeSplitter split;
    private final LeafTableCache leafCache;
    /** Runs at least this long are cleared with {@link #clearLeafRun}; shorter ones entry by entry. */
    private static final int BULK_MIN = 4;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Off only in tests, which compare it with the entry-by-entry loop. */
    boolean bulk = true;
    /** Linux's WARN_ONCE "Unmap of a partial large IOPTE is not allowed", counted. */
    private final java.util.concurrent.atomic.AtomicLong partialUnmapRefusals = new java.util.concurrent.atomic.AtomicLong();

    LpaeUnmapWalk(LpaeConfig cfg, PhysicalMemory mem, IoPgtableFlushOps flushOps, long pgd, java.util.concurrent.atomic.AtomicInteger tables,
            TablePages pages, LeafTableCache leafCache) {
        this.cfg = cfg;
        this.mem = mem;
        this.flushOps = flushOps;
        this.pgd = pgd;
        this.tables = tables;
        this.pages = pages;
        this.split = new PageSizeSplitter(cfg);
        this.leafCache = leafCache;
    }

    long partialUnmapRefusals() {
        return partialUnmapRefusals.get();
    }

    /** Linux {@code __iommu_unmap} on this table: see {@link LpaePageTable#unmap}. */
    long unmap(long iova, long size, IotlbGather gather) {
        long minPg = Long.lowestOneBit(cfg.pgsizeBitmap());
        if (size <= 0 || ((iova | size) & (minPg - 1)) != 0 || !LpaePageTable.inRange(iova, size, cfg.ias())) {
            return 0;
        }
        long unmapped = 0;
        long va = iova;
        // "Keep iterating until we either unmap 'size' bytes (or more) or we hit an area that
        // isn't mapped."
        while (unmapped < size) {
            long pg = split.next(va, va, size - unmapped);
            long r = unmapPages(va, PageSizeSplitter.size(pg), PageSizeSplitter.count(pg), gather);
            if (r == 0) {
                break;
            }
            va += r;
            unmapped += r;
        }
        return unmapped;
    }

    /** Linux {@code arm_lpae_unmap_pages}: see {@link LpaePageTable#unmapPages}. */
    long unmapPages(long iova, long pgsize, long pgcount, IotlbGather gather) {
        if (Long.bitCount(pgsize) != 1 || (pgsize & cfg.pgsizeBitmap()) == 0 || pgcount < 1
                || (iova & (pgsize - 1)) != 0 || !LpaePageTable.inRange(iova, pgsize, cfg.ias())) {
            return 0;
        }
        boolean gatherLeaves = gather != null && !gather.queued();
        int lvl = cfg.startLevel();
        long table = pgd;
        if (pgsize == cfg.blockSize(LpaeFormat.MAX_LEVELS - 1)) {
            // The writer's walk cache: the last-level table that maps iova, if remembered.
            long leaf = leafCache.lookup(iova);
            if (leaf >= 0) {
                lvl = LpaeFormat.MAX_LEVELS - 1;
                table = leaf;
            }
        }
        while (true) {
            int idx = cfg.index(iova, lvl);
            long ptep = table + ((long) idx << LpaeFormat.PTE_SHIFT);
            long pte = mem.readLong(ptep);
            if (pte == 0) {
                return 0;
            }
            if (pgsize == cfg.blockSize(lvl)) {
                if (lvl == LpaeFormat.MAX_LEVELS - 1) {
                    leafCache.remember(iova, table);
                }
                int n = (int) Math.min(pgcount, LpaePageTable.maxEntries(cfg, idx, lvl));
                int i = bulk && n >= BULK_MIN ? clearLeafRun(ptep, n, lvl) : 0;
                for (; i < n; i++) {
                    long p = i == 0 ? pte : mem.readLong(ptep + 8L * i); // entry 0 was read above
                    if (p == 0) {
                        break;
                    }
                    mem.writeLong(ptep + 8L * i, 0);
                    if (!LpaeFormat.isLeaf(p, lvl)) {
                        // "Also flush any partial walks", then free the table and all below it.
                        flushOps.tlbFlushWalk(iova + i * pgsize, pgsize, cfg.granule().size());
                        freeSubtree(LpaeFormat.pteToPaddr(p, cfg.granule()), lvl + 1);
                    }
                }
                if (gatherLeaves && i > 0) {
                    // io_pgtable_tlb_add_page for each entry cleared, in order.
                    flushOps.tlbAddPages(gather, iova, i, pgsize);
                }
                return i * pgsize;
            }
            if (LpaeFormat.isLeaf(pte, lvl)) {
                // A leaf larger than the request. Since v6.13 (33729a5fc0ca, "Remove split on
                // unmap behavior") __arm_lpae_unmap no longer splits the block: it WARNs
                // "Unmap of a partial large IOPTE is not allowed" and unmaps nothing.
                partialUnmapRefusals.incrementAndGet();
                return 0;
            }
            table = LpaeFormat.pteToPaddr(pte, cfg.granule());
            // Pairs with the release before a table is linked: its zeroed entries are seen.
            java.lang.invoke.VarHandle.acquireFence();
            lvl++;
        }
    }

    /**
     * The common case of {@code __arm_lpae_unmap}'s loop, in two memory accesses instead of two
     * per entry: reads the {@code n} entries at {@code ptep} at once and, when every entry up to
     * the first invalid one is a leaf (no table to flush and free on the way), clears them with
     * one write. The entries, the return value and (the caller gathers afterwards) the flush
     * callbacks are those of the entry-by-entry loop.
     *
     * @return how many entries were cleared (the loop's {@code i}), or 0 to let the entry-by-entry
     *         loop do it all because a table sits among them
     */
    private int clearLeafRun(long ptep, int n, int lvl) {
        int bytes = n * 8;
        byte[] buf = WalkScratch.get().unmapRun(bytes);
        mem.read(ptep, buf, 0, bytes);
        // LpaeFormat.isLeaf at lvl: the descriptor type a leaf has there.
        long leafType = lvl == LpaeFormat.MAX_LEVELS - 1 ? LpaeFormat.PTE_TYPE_PAGE : LpaeFormat.PTE_TYPE_BLOCK;
        // The common run, every entry a leaf, in one branch-free pass: an empty entry's type
        // bits (0) differ from a leaf's too, so any entry that is not a leaf leaves bits set.
        long notLeaf = 0;
        for (int k = 0; k < bytes; k += 8) {
            notLeaf |= ((long) LONG_LE.get(buf, k) & LpaeFormat.PTE_TYPE_MASK) ^ leafType;
        }
        int i = 0;
        if (notLeaf == 0) {
            i = n;
        } else {
            for (; i < n; i++) {
                long p = (long) LONG_LE.get(buf, i * 8);
                if (p == 0) {
                    break;
                }
                if ((p & LpaeFormat.PTE_TYPE_MASK) != leafType) {
                    return 0;
                }
            }
        }
        if (i > 0) {
            zero(ptep, 8 * i);
        }
        return i;
    }

    /**
     * Clears {@code bytes} of entries from {@code ptep}, entries the caller read as valid (so
     * their memory is backed): copied from a block of zeros, which is faster than a byte fill.
     */
    private void zero(long ptep, int bytes) {
        byte[] zeros = LpaeLastLevel.ZEROS;
        for (int at = 0; at < bytes; at += zeros.length) {
            mem.write(ptep + at, zeros, 0, Math.min(zeros.length, bytes - at));
        }
    }

    /** True when the table {@code tableDesc} (an entry at {@code lvl}) and every table below it map no leaf. */
    boolean holdsNoLeaf(long tableDesc, int lvl) {
        long table = LpaeFormat.pteToPaddr(tableDesc, cfg.granule());
        int next = lvl + 1;
        int entries = 1 << cfg.indexBits(next);
        for (int i = 0; i < entries; i++) {
            long pte = mem.readLong(table + 8L * i);
            if (pte != 0 && (LpaeFormat.isLeaf(pte, next) || !holdsNoLeaf(pte, next))) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code arm_lpae_init_pte}'s unmap of a table where a block goes (through
     * {@code __arm_lpae_unmap}): clears the entry at {@code ptep} in {@code parent}, flushes the
     * walk for the block's span, frees the table and everything below it.
     */
    void unlinkEmptyTable(long parent, long ptep, long tableDesc, int lvl, long iova) {
        mem.writeLong(ptep, 0);
        long span = cfg.blockSize(lvl);
        flushOps.tlbFlushWalk(iova & -span, span, cfg.granule().size());
        freeSubtree(LpaeFormat.pteToPaddr(tableDesc, cfg.granule()), lvl + 1);
    }

    /** Linux {@code __arm_lpae_free_pgtable}: frees {@code table} and every table below it. */
    void freeSubtree(long table, int lvl) {
        int entries = 1 << cfg.indexBits(lvl);
        if (lvl < LpaeFormat.MAX_LEVELS - 1) {
            for (int i = 0; i < entries; i++) {
                long pte = mem.readLong(table + 8L * i);
                if (pte != 0 && LpaeFormat.isTable(pte, lvl)) {
                    freeSubtree(LpaeFormat.pteToPaddr(pte, cfg.granule()), lvl + 1);
                }
            }
        }
        tables.decrementAndGet();
        pages.free(table);
    }
}
