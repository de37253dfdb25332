package org.iommulab.iopgtable.lpae;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.iommu.PageTableCensus;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iopgtable.IoPgtableFlushOps;
import org.iommulab.iopgtable.IoPgtableOps;

/**
 * The driver side of an ARM LPAE (VMSAv8-64) page table, Linux's {@code io-pgtable-arm.c}
 * ({@code arm_lpae_map_pages}, {@code arm_lpae_unmap_pages}, {@code arm_lpae_iova_to_phys},
 * {@code arm_lpae_free_pgtable}) plus the page-size splitting of {@code iommu_map} and
 * {@code iommu_unmap} ({@code drivers/iommu/iommu.c}: {@code __iommu_map},
 * {@code __iommu_unmap}, {@code iommu_pgsize}): the {@link IoPgtableOps} of the formats
 * {@code ARM_64_LPAE_S1} and {@code ARM_64_LPAE_S2}. Tables live in simulated physical memory,
 * from the platform's page allocator, zeroed; the hardware reads them with {@link LpaeWalker}.
 *
 * <p>Differences from Linux, each forced by this project's contract:
 * <ul>
 * <li>Tables stay linked when their last entry goes, as in Linux (io-pgtable-arm frees tables
 * only when the domain dies, or when a block is mapped or unmapped where a table is). So a
 * stale leaf stays in the TLB until the driver's {@code iotlb_sync} (strict) or the flush
 * queue's flush (lazy), exactly as it does under Linux. Mapping a block where a table is
 * follows {@code arm_lpae_init_pte}: the table is unlinked, its walk flushed
 * ({@link IoPgtableFlushOps#tlbFlushWalk}) and freed, and the block installed; where that
 * table still maps a leaf Linux would unmap it silently, and this model refuses with
 * {@link IommuErrno#EEXIST} and changes nothing, since a live mapping disappearing under a
 * driver is the kind of bug this project exists to show.</li>
 * <li>A mapping with neither READ nor WRITE, a misaligned or out-of-range request gives
 * {@link IommuErrno#EINVAL} and changes nothing (Linux returns 0 or {@code -ERANGE}).</li>
 * <li>A failed {@link #map} removes what it mapped and flushes it through
 * {@link IoPgtableFlushOps#tlbFlushWalk}, as {@code __iommu_map}'s unroll does through
 * {@code iommu_unmap}.</li>
 * </ul>
 * The unmap walk lives in {@link LpaeUnmapWalk}, the {@code iommu_pgsize} split in
 * {@link PageSizeSplitter}.
 *
 * <p>Thread-safe without a lock on the hot path, as Linux's {@code io-pgtable-arm} is: threads
 * that map and unmap disjoint IOVA ranges do so in parallel (the caller's contract, as in Linux:
 * no two calls touch one range at once). Leaves are written with plain 8-byte stores; a new table
 * is linked as {@code arm_lpae_install_table} does, one descriptor store after the table was
 * zeroed (release), and a walk that follows a table descriptor reads behind it (acquire). Where
 * Linux links with {@code cmpxchg64} and the loser frees its table, two writers that both find
 * an entry empty here link under a small monitor taken only then, and the second finds the
 * first's table (simulated memory offers no compare-and-set). Tables stay linked until the
 * domain dies, as in Linux; the one exception, the unroll of a failed map unlinking the empty
 * tables it installed, is done only while no other thread has ever written the table
 * ({@link TableWriters}), else they stay linked as Linux leaves them. Each thread keeps its walk in its own
 * {@link WalkScratch}. {@link #free}, {@link #census} and {@link #setFastPaths} take the
 * table's monitor and, as Linux's {@code free_io_pgtable_ops}, expect no map or unmap to run.
 * {@link #iovaToPhys} takes no lock, as Linux's.
 */
public final class LpaePageTable implements IoPgtableOps {
    private final LpaeConfig cfg;
    private final PhysicalMemory mem;
    private final IoPgtableFlushOps flushOps;
    private final long pgd;
    /** Tables linked into the tree now, the start-level table included. */
    private final java.util.concurrent.atomic.AtomicInteger tables = new java.util.concurrent.atomic.AtomicInteger();
    private final TableWriters writers = new TableWriters();
    /** Held only to link a new table: {@code arm_lpae_install_table}'s cmpxchg. */
    private final Object installLock = new Object();
    /** {@link #protToPte} for every {@link IommuProt} combination (six bits). */
    private final long[] protPte = new long[64];
    private final TablePages pages;
    private final LpaeUnmapWalk unmapper;
    private final PageSizeSplitter split;
    private final LeafTableCache leafCache;
    /** Volatile: {@link #iovaToPhys} reads it without the lock. */
    private volatile boolean freed;
    /** The smallest page size: the leaves of a last-level table. */
    private final long pageSize;
    /** Off only in tests, which compare the fast paths with the plain walks. */
    private volatile boolean fastPaths = true;
    /** The one-page and page-run fast paths at a last-level table the walk cache knows. */
    private final LpaeLastLevel lastLevel;

    private LpaePageTable(LpaeConfig cfg, PhysicalMemory mem, PageAllocator alloc, IoPgtableFlushOps flushOps) {
        this.cfg = cfg;
        this.mem = mem;
        this.flushOps = flushOps;
        this.pages = new TablePages(mem, alloc, cfg.oas());
        this.pgd = pages.allocate(cfg.pgdSize());
        if (pgd >= 0) {
            tables.incrementAndGet();
        }
        this.leafCache = new LeafTableCache(cfg, pages);
        this.unmapper = new LpaeUnmapWalk(cfg, mem, flushOps, pgd, tables, pages, leafCache);
        for (int p = 0; p < protPte.length; p++) {
            protPte[p] = protToPte(p);
        }
        this.split = new PageSizeSplitter(cfg);
        this.pageSize = cfg.blockSize(LpaeFormat.MAX_LEVELS - 1);
        this.lastLevel = new LpaeLastLevel(cfg, mem, flushOps, leafCache, protPte);
    }

    /**
     * Linux {@code alloc_io_pgtable_ops}: a new, empty table of geometry {@code cfg}. Tables come
     * from {@code Zone.DMA32} when the OAS is 32 bits, else from {@code Zone.NORMAL}, and must
     * lie below 2^OAS.
     *
     * @return the table, or null when the start-level table cannot be allocated
     * @throws IllegalArgumentException for a null argument
     */
    public static LpaePageTable allocate(LpaeConfig cfg, PhysicalMemory mem, PageAllocator alloc,
            IoPgtableFlushOps flushOps) {
        if (cfg == null || mem == null || alloc == null || flushOps == null) {
            throw new IllegalArgumentException("LPAE page table needs a config, memory, an allocator and flush ops");
        }
        LpaePageTable t = new LpaePageTable(cfg, mem, alloc, flushOps);
        return t.pgd < 0 ? null : t;
    }

    @Override
    public LpaeConfig config() {
        return cfg;
    }

    /** Physical address of the start-level table: what TTBR / CD.TTB0 / STE.S2TTB point at. */
    @Override
    public long ttb() {
        return pgd;
    }

    // ---- map ---------------------------------------------------------------------------------

    /**
     * Linux {@code iommu_map} on this table: maps {@code [iova, iova+size)} to {@code paddr} with
     * the largest page sizes alignment allows ({@code iommu_pgsize}).
     *
     * @return 0, {@link IommuErrno#EEXIST} when part is mapped already, {@link IommuErrno#EINVAL}
     *         for misaligned, out-of-range or no-access requests, {@link IommuErrno#ENOMEM};
     *         on failure nothing stays mapped
     */
    @Override
    public int map(long iova, long paddr, long size, int prot) {
        checkLive();
        writers.enter();
        if (size == pageSize && lastLevel.mapPage(iova, paddr, prot)) {
            return 0;
        }
        WalkScratch s = WalkScratch.get();
        s.newTables = 0;
        int rc = mapLocked(s, iova, paddr, size, prot);
        if (rc != 0) {
            unrollMap(s, iova, s.failedDone);
        }
        return rc;
    }

    /**
     * Linux {@code iommu_map_sg}'s loop ({@code IommuDomain.mapRuns}) on this table: run
     * {@code i} maps {@code len[i]} bytes from {@code phys[i]} right after run {@code i-1}, each
     * as {@link #map} would. On failure everything this call mapped is unmapped,
     * the tables it installed are removed, the range is flushed once
     * ({@link IoPgtableFlushOps#tlbFlushWalk}, iommu_map_sg's {@code iommu_unmap}) and the
     * first error is returned.
     *
     * @return 0 or a negative {@link IommuErrno}; on failure nothing stays mapped
     * @throws IllegalArgumentException for arrays {@link IommuDomain#checkRuns} refuses,
     *         before anything is mapped
     */
    public int mapRuns(long iova, long[] phys, long[] len, int n, int prot) {
        checkLive();
        IommuDomain.checkRuns(phys, len, n);
        WalkScratch s = WalkScratch.get();
        writers.enter();
        s.newTables = 0;
        boolean fast = fastPaths;
        long mapped = 0;
        int i = 0;
        while (i < n) {
            int k = fast ? lastLevel.mapPageRuns(s, iova + mapped, phys, len, i, n, prot) : 0;
            if (k > 0) {
                mapped += (long) k * pageSize;
                i += k;
                continue;
            }
            int rc = mapLocked(s, iova + mapped, phys[i], len[i], prot);
            if (rc != 0) {
                unrollMap(s, iova, mapped + s.failedDone);
                return rc;
            }
            mapped += len[i];
            i++;
        }
        return 0;
    }

    /**
     * {@code __iommu_map} without its unroll: on failure {@link WalkScratch#failedDone} bytes
     * from {@code iova} stay mapped, for the caller's {@link #unrollMap}.
     */
    private int mapLocked(WalkScratch s, long iova, long paddr, long size, int prot) {
        s.failedDone = 0;
        long minPg = Long.lowestOneBit(cfg.pgsizeBitmap());
        if (size <= 0 || ((iova | paddr | size) & (minPg - 1)) != 0) {
            return IommuErrno.EINVAL;
        }
        if (!inRange(iova, size, cfg.ias()) || !inRange(paddr, size, cfg.oas())) {
            return IommuErrno.EINVAL;
        }
        if ((prot & (IommuProt.READ | IommuProt.WRITE)) == 0) {
            return IommuErrno.EINVAL;
        }
        long left = size;
        long va = iova;
        long pa = paddr;
        while (left > 0) {
            long pg = split.next(va, pa, left);
            // iommu_pgsize's answer is valid by construction (a size of the bitmap, both
            // addresses aligned to it, within the range checked above): no second check.
            long r = mapPagesValid(s, va, pa, PageSizeSplitter.size(pg), PageSizeSplitter.count(pg), prot);
            if (r < 0) {
                s.failedDone = size - left;
                return (int) r;
            }
            va += r;
            pa += r;
            left -= r;
        }
        return 0;
    }

    /**
     * {@code __iommu_map}'s unroll, {@code iommu_unmap(domain, orig_iova, orig_size - size)}:
     * unmaps the {@code done} bytes mapped from {@code iova}, its iotlb_sync being a walk flush
     * of the range (no gather here). The tables the failed call installed map nothing of its
     * own now: unlinked too when they are empty and no other thread has ever written this
     * table, so that a failed map leaves the tables exactly as before; else they stay linked,
     * as Linux leaves them (another writer may be inside one of them).
     */
    private void unrollMap(WalkScratch s, long iova, long done) {
        if (done > 0) {
            unmapper.unmap(iova, done, null);
            int unlinked = unlinkNewTables(s);
            flushOps.tlbFlushWalk(iova, done, cfg.granule().size());
            freeNewTables(s, unlinked);
        } else {
            s.newTables = 0; // a failure before anything was mapped left no new table behind
        }
    }

    /**
     * Linux {@code arm_lpae_map_pages}: up to {@code pgcount} pages of {@code pgsize} (one size
     * of the bitmap) at {@code iova}, within one table.
     *
     * @return bytes mapped (a multiple of {@code pgsize}, at least one page), or a negative
     *         {@link IommuErrno} with nothing changed
     */
    @Override
    public long mapPages(long iova, long paddr, long pgsize, long pgcount, int prot) {
        checkLive();
        WalkScratch s = WalkScratch.get();
        writers.enter();
        return mapPagesLocked(s, iova, paddr, pgsize, pgcount, prot);
    }

    private long mapPagesLocked(WalkScratch s, long iova, long paddr, long pgsize, long pgcount, int prot) {
        if (Long.bitCount(pgsize) != 1 || (pgsize & cfg.pgsizeBitmap()) == 0 || pgcount < 1
                || ((iova | paddr) & (pgsize - 1)) != 0 || pgcount > (Long.MAX_VALUE >> 1) / pgsize) {
            return IommuErrno.EINVAL;
        }
        if (!inRange(iova, pgsize * pgcount, cfg.ias()) || !inRange(paddr, pgsize * pgcount, cfg.oas())) {
            return IommuErrno.EINVAL;
        }
        if ((prot & (IommuProt.READ | IommuProt.WRITE)) == 0) {
            return IommuErrno.EINVAL;
        }
        return mapPagesValid(s, iova, paddr, pgsize, pgcount, prot);
    }

    /** {@code __arm_lpae_map} for arguments already checked by {@link #mapPagesLocked} or {@link #map}. */
    private long mapPagesValid(WalkScratch s, long iova, long paddr, long pgsize, long pgcount, int prot) {
        long prot64 = protPte[prot & 63];
        int lvl = cfg.startLevel();
        long table = pgd;
        int nInstalled = 0;
        if (pgsize == cfg.blockSize(LpaeFormat.MAX_LEVELS - 1)) {
            // Pages go in a last-level table: the one the previous walk reached, if it maps iova.
            long leaf = leafCache.lookup(iova);
            if (leaf >= 0) {
                lvl = LpaeFormat.MAX_LEVELS - 1;
                table = leaf;
            }
        }
        while (true) {
            int idx = cfg.index(iova, lvl);
            long ptep = table + ((long) idx << LpaeFormat.PTE_SHIFT);
            if (pgsize == cfg.blockSize(lvl)) {
                if (lvl == LpaeFormat.MAX_LEVELS - 1) {
                    leafCache.remember(iova, table);
                }
                int n = (int) Math.min(pgcount, maxEntries(cfg, idx, lvl));
                // arm_lpae_init_pte: a leaf there means "We require an unmap first"; a table
                // there is unmapped and freed first. Everything is checked before anything
                // changes, so a refused map leaves the tables as they were.
                boolean tables = false;
                for (int i = 0; i < n; i++) {
                    long old = mem.readLong(ptep + 8L * i);
                    if (old != 0) {
                        if (LpaeFormat.isLeaf(old, lvl) || !unmapper.holdsNoLeaf(old, lvl)) {
                            undoInstalled(s, nInstalled);
                            return IommuErrno.EEXIST;
                        }
                        tables = true;
                    }
                }
                for (int i = 0; tables && i < n; i++) {
                    long old = mem.readLong(ptep + 8L * i);
                    if (old != 0) {
                        unmapper.unlinkEmptyTable(table, ptep + 8L * i, old, lvl, iova + i * pgsize);
                    }
                }
                long type = lvl == LpaeFormat.MAX_LEVELS - 1 ? LpaeFormat.PTE_TYPE_PAGE : LpaeFormat.PTE_TYPE_BLOCK;
                for (int i = 0; i < n; i++) {
                    mem.writeLong(ptep + 8L * i, prot64 | type | LpaeFormat.paddrToPte(paddr + i * pgsize, cfg.granule()));
                }
                return n * pgsize;
            }
            if (lvl >= LpaeFormat.MAX_LEVELS - 1) {
                undoInstalled(s, nInstalled);
                return IommuErrno.EINVAL; // "We can't allocate tables at the final level"
            }
            long pte = mem.readLong(ptep);
            if (pte == 0) {
                // arm_lpae_install_table: link a new table unless another writer linked one first.
                synchronized (installLock) {
                    pte = mem.readLong(ptep);
                    if (pte == 0) {
                        long t = pages.allocate(cfg.granule().size());
                        if (t < 0) {
                            undoInstalled(s, nInstalled);
                            return IommuErrno.ENOMEM;
                        }
                        // The zeroed table before the descriptor that links it (Linux's dma_wmb).
                        java.lang.invoke.VarHandle.releaseFence();
                        mem.writeLong(ptep, LpaeFormat.paddrToPte(t, cfg.granule()) | LpaeFormat.PTE_TYPE_TABLE);
                        tables.incrementAndGet();
                        s.pathTable[nInstalled] = table;
                        s.pathPtep[nInstalled] = ptep;
                        s.installed[nInstalled++] = t;
                        s.logNewTable(table, ptep, t);
                        table = t;
                        lvl++;
                        continue;
                    }
                }
            }
            if (LpaeFormat.isLeaf(pte, lvl)) {
                undoInstalled(s, nInstalled);
                return IommuErrno.EEXIST;
            }
            table = LpaeFormat.pteToPaddr(pte, cfg.granule());
            // Pairs with the release before the table was linked: its zeroed entries are seen.
            java.lang.invoke.VarHandle.acquireFence();
            lvl++;
        }
    }

    /**
     * Removes the tables a failed map installed on its way down, children before parents, when
     * they are still empty and no other thread has ever written this table (else they stay,
     * as in Linux).
     */
    private void undoInstalled(WalkScratch s, int n) {
        s.newTables = Math.max(0, s.newTables - n);
        if (n == 0 || !writers.beginAlone()) {
            return;
        }
        try {
            leafCache.forget();
            for (int i = n - 1; i >= 0; i--) {
                if (!isEmptyTable(s.installed[i])) {
                    return; // a parent of a kept table is not empty either
                }
                mem.writeLong(s.pathPtep[i], 0);
                tables.decrementAndGet();
                pages.free(s.installed[i]);
            }
        } finally {
            writers.endAlone();
        }
    }

    /**
     * Unlinks the empty tables the failed map installed, children before parents, when no other
     * thread has ever written this table; returns how many (the last ones of the log) it unlinked, for
     * {@link #freeNewTables}.
     */
    private int unlinkNewTables(WalkScratch s) {
        if (s.newTables == 0 || !writers.beginAlone()) {
            s.newTables = 0;
            return 0;
        }
        int unlinked = 0;
        try {
            leafCache.forget(); // unlinked now, freed only after the walk flush
            for (int i = s.newTables - 1; i >= 0; i--) {
                if (!isEmptyTable(s.newTable[i])) {
                    break;
                }
                mem.writeLong(s.newPtep[i], 0);
                tables.decrementAndGet();
                unlinked++;
            }
        } finally {
            writers.endAlone();
        }
        return unlinked;
    }

    /** Returns the unlinked tables' pages, once their walks were flushed. */
    private void freeNewTables(WalkScratch s, int unlinked) {
        for (int i = s.newTables - 1; i >= s.newTables - unlinked; i--) {
            pages.free(s.newTable[i]);
        }
        s.newTables = 0;
    }

    /** True when every entry of the table at {@code table} (one granule) is invalid. */
    private boolean isEmptyTable(long table) {
        int entries = cfg.granule().ptesPerTable();
        for (int i = 0; i < entries; i++) {
            if (mem.readLong(table + 8L * i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Linux {@code arm_lpae_prot_to_pte}: the attribute bits of a leaf for {@link IommuProt}
     * {@code prot}.
     */
    public long protToPte(int prot) {
        long pte;
        if (cfg.stage() == LpaeStage.STAGE1) {
            pte = LpaeFormat.PTE_NG;
            if ((prot & IommuProt.WRITE) == 0 && (prot & IommuProt.READ) != 0) {
                pte |= LpaeFormat.PTE_AP_RDONLY;
            }
            if ((prot & IommuProt.PRIV) == 0) {
                pte |= LpaeFormat.PTE_AP_UNPRIV;
            }
            if ((prot & IommuProt.MMIO) != 0) {
                pte |= (long) LpaeFormat.MAIR_ATTR_IDX_DEV << LpaeFormat.PTE_ATTRINDX_SHIFT;
            } else if ((prot & IommuProt.CACHE) != 0) {
                pte |= (long) LpaeFormat.MAIR_ATTR_IDX_CACHE << LpaeFormat.PTE_ATTRINDX_SHIFT;
            }
        } else {
            pte = 0; // ARM_LPAE_PTE_HAP_FAULT
            if ((prot & IommuProt.READ) != 0) {
                pte |= LpaeFormat.PTE_HAP_READ;
            }
            if ((prot & IommuProt.WRITE) != 0) {
                pte |= LpaeFormat.PTE_HAP_WRITE;
            }
            if ((prot & IommuProt.MMIO) != 0) {
                pte |= LpaeFormat.PTE_MEMATTR_DEV;
            } else if ((prot & IommuProt.CACHE) != 0) {
                pte |= LpaeFormat.PTE_MEMATTR_OIWB;
            } else {
                pte |= LpaeFormat.PTE_MEMATTR_NC;
            }
        }
        pte |= (prot & IommuProt.CACHE) != 0 ? LpaeFormat.PTE_SH_IS : LpaeFormat.PTE_SH_OS;
        if ((prot & IommuProt.NOEXEC) != 0) {
            pte |= LpaeFormat.PTE_XN;
        }
        return pte | LpaeFormat.PTE_AF;
    }

    // ---- unmap -------------------------------------------------------------------------------

    /**
     * Linux {@code iommu_unmap_fast} on this table: unmaps from {@code iova} until {@code size}
     * bytes (or more, for a partly covered block) are gone or a hole is met, gathering the
     * leaves into {@code gather} unless it is null or queued.
     *
     * @return bytes unmapped; 0 for a misaligned request (nothing changes)
     */
    @Override
    public long unmap(long iova, long size, IotlbGather gather) {
        checkLive();
        writers.enter();
        if (size == pageSize) {
            long r = lastLevel.unmapPage(iova, gather);
            if (r >= 0) {
                return r;
            }
        }
        return unmapper.unmap(iova, size, gather);
    }

    /**
     * How often an unmap asked for part of a larger block and was refused (Linux warns once with
     * "Unmap of a partial large IOPTE is not allowed" and returns 0).
     */
    public long partialUnmapRefusals() {
        return unmapper.partialUnmapRefusals();
    }

    /**
     * Linux {@code arm_lpae_unmap_pages}: up to {@code pgcount} entries of {@code pgsize} at
     * {@code iova} within one table; a table found where a leaf of {@code pgsize} would be is
     * unlinked, flushed ({@link IoPgtableFlushOps#tlbFlushWalk}) and freed with everything
     * under it.
     *
     * @return bytes unmapped, 0 when {@code iova} is not mapped or the request is malformed
     */
    @Override
    public long unmapPages(long iova, long pgsize, long pgcount, IotlbGather gather) {
        checkLive();
        writers.enter();
        return unmapper.unmapPages(iova, pgsize, pgcount, gather);
    }

    // ---- lookup ------------------------------------------------------------------------------

    /**
     * Linux {@code arm_lpae_iova_to_phys}: the physical address {@code iova} maps to, or 0. Takes
     * no lock, as Linux's does not: a walk from the start level reading one descriptor per level
     * (each an aligned 8-byte read, never torn), so an unmap's {@code iova_to_phys} shares no
     * lock with the other threads of the domain. A walk racing a map or unmap of the same
     * range sees the descriptor before or after the change, as in Linux; what the calling
     * thread mapped or unmapped itself it always sees. It starts at the last-level table the
     * writer's walk cache shares ({@link LeafTableCache#lookupShared}) when that maps iova.
     */
    @Override
    public long iovaToPhys(long iova) {
        if (freed || iova < 0 || (iova >>> cfg.ias()) != 0) {
            return 0;
        }
        long table = pgd;
        int first = cfg.startLevel();
        long leaf = leafCache.lookupShared(iova);
        if (leaf >= 0) {
            // The walk cache: the walk would end in this table (a block above it would have
            // replaced, and so freed, the table).
            table = leaf;
            first = LpaeFormat.MAX_LEVELS - 1;
        }
        for (int lvl = first; lvl < LpaeFormat.MAX_LEVELS; lvl++) {
            long pte = mem.readLong(table + ((long) cfg.index(iova, lvl) << LpaeFormat.PTE_SHIFT));
            if (pte == 0) {
                return 0;
            }
            if (LpaeFormat.isLeaf(pte, lvl)) {
                long blk = cfg.blockSize(lvl);
                return (LpaeFormat.pteToPaddr(pte, cfg.granule()) & -blk) | (iova & (blk - 1));
            }
            table = LpaeFormat.pteToPaddr(pte, cfg.granule());
            java.lang.invoke.VarHandle.acquireFence(); // the linked table's entries, as written
        }
        return 0;
    }

    // ---- lifetime and inspection ---------------------------------------------------------------

    /** Linux {@code free_io_pgtable_ops}: frees every table; the object is unusable afterwards. */
    @Override
    public synchronized void free() {
        if (freed) {
            return;
        }
        unmapper.freeSubtree(pgd, cfg.startLevel());
        freed = true;
    }

    /**
     * Turns the writer's fast paths on or off; on by default: the walk cache
     * ({@link LeafTableCache}) and the one-read, one-write clearing of a run of leaves in
     * {@link LpaeUnmapWalk}. Off, every walk starts at the start level and every entry is read
     * and cleared on its own, as Linux's loops do: the reference tests compare the fast paths with.
     */
    synchronized void setFastPaths(boolean on) {
        leafCache.setEnabled(on);
        unmapper.bulk = on;
        fastPaths = on;
    }

    /** Tables linked into the tree now, the start-level table included. */
    @Override
    public int tableCount() {
        return tables.get();
    }

    /** Bytes of memory the tables hold now. */
    @Override
    public long tableBytes() {
        return pages.bytes();
    }

    /**
     * The census walk: from the start-level table down every valid table descriptor, as the
     * hardware walk does (Arm ARM D8.3: at levels below 3 a descriptor with bits[1:0] = 0b11
     * points at a table, 0b01 is a block; at level 3 0b11 is a page, and bit 0 clear is
     * invalid at every level). Counts tables per level, block and page leaves.
     */
    @Override
    public synchronized PageTableCensus census() {
        if (freed) {
            return null;
        }
        int first = cfg.startLevel();
        long[] tables = new long[LpaeFormat.MAX_LEVELS - first];
        long[] leaves = new long[2];
        censusOf(pgd, first, tables, leaves);
        List<Long> perLevel = new ArrayList<>(tables.length);
        for (long t : tables) {
            perLevel.add(t);
        }
        return new PageTableCensus(first, perLevel, leaves[0], leaves[1], pages.bytes());
    }

    /** Counts {@code table} at {@code lvl} and what it holds; {@code leaves} is {blocks, pages}. */
    private void censusOf(long table, int lvl, long[] tables, long[] leaves) {
        tables[lvl - cfg.startLevel()]++;
        int entries = 1 << cfg.indexBits(lvl);
        for (int i = 0; i < entries; i++) {
            long pte = mem.readLong(table + 8L * i);
            if ((pte & LpaeFormat.PTE_VALID) == 0) {
                continue;
            }
            if (LpaeFormat.isLeaf(pte, lvl)) {
                leaves[lvl == LpaeFormat.MAX_LEVELS - 1 ? 1 : 0]++;
            } else if (LpaeFormat.isTable(pte, lvl)) {
                censusOf(LpaeFormat.pteToPaddr(pte, cfg.granule()), lvl + 1, tables, leaves);
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Linux {@code arm_lpae_max_entries}, bounded by the table's own size. */
    static int maxEntries(LpaeConfig cfg, int idx, int lvl) {
        int ptes = cfg.granule().ptesPerTable();
        int inPage = ptes - (idx & (ptes - 1));
        int inTable = (1 << cfg.indexBits(lvl)) - idx;
        return Math.min(inPage, inTable);
    }

    static boolean inRange(long addr, long size, int bits) {
        long limit = 1L << bits;
        return addr >= 0 && size > 0 && addr < limit && size <= limit - addr;
    }

    private void checkLive() {
        if (freed) {
            throw new IllegalStateException("LPAE page table at 0x" + Long.toHexString(pgd) + " was freed");
        }
    }

    @Override
    public String toString() {
        return cfg + " ttb 0x" + Long.toHexString(pgd);
    }
}
