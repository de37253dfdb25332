package com.example.vtd.internal.pgtable;

import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;
import org.iommulab.iopgtable.IoPgtableFlushOps;
import org.iommulab.iopgtable.IoPgtableOps;
import org.iommulab.modelkit.collect.LongIntMap;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.SlPte;

/**
 * The driver side of a VT-d second-level page table (entries per {@link SlPte}), in simulated
 * physical memory: Linux intel-iommu's writer ({@code pfn_to_dma_pte}, {@code __domain_mapping},
 * {@code domain_unmap}, {@code intel_iommu_iova_to_phys}, {@code domain_exit} in
 * {@code drivers/iommu/intel/iommu.c}) plus the page-size split of {@code iommu_map}, behind
 * {@link IoPgtableOps}. The hardware reads these tables with the model's walker; the two share
 * {@link SlPte} and nothing else.
 *
 * <p>As Linux does: table pages come zeroed from the page allocator ({@code alloc_pgtable_page}
 * with {@code __GFP_ZERO}); a non-leaf entry grants R and W and points at the next table; a leaf
 * carries the page address, R and W from {@link IommuProt}, and PS above level 1. Where this
 * writer is stricter, the project's contract ({@code IommuDomain#map}) wins:
 * <ul>
 * <li>an entry that is not zero is never overwritten: a map over it fails with
 * {@link IommuErrno#EEXIST} and changes nothing (Linux prints "DMA PTE for vPFN ... already set"
 * and carries on);</li>
 * <li>a superpage mapped where a table is replaces the table only when the table maps nothing
 * (Linux's {@code switch_to_super_page} frees it either way): the table is unlinked, flushed with
 * {@link IoPgtableFlushOps#tlbFlushWalk}, then freed;</li>
 * <li>unmapping part of a superpage unmaps nothing and returns 0, as Linux since v6.13 (Linux's
 * intel driver rounds the unmap up to the superpage);</li>
 * <li>tables stay linked when their last leaf goes, until the domain frees the table, as
 * {@code io-pgtable-arm.c} keeps them (Linux's {@code dma_pte_clear_level} frees a table whose
 * whole span an unmap covers: not modelled);</li>
 * <li>a failed map removes what it mapped and the tables it installed, as {@code __iommu_map}'s
 * unroll does.</li>
 * </ul>
 * Every table page is tracked by address, so freeing the domain returns each page exactly once.
 * Thread-safe: one lock per table; the flush callbacks run inside it.
 */
public final class VtdSlPageTable implements IoPgtableOps {
    private static final long PAGE = SlPte.TABLE_SIZE;

    private final VtdSlConfig cfg;
    private final PhysicalMemory mem;
    private final PageAllocator alloc;
    private final IoPgtableFlushOps flushOps;
    private final Seed seed;
    private final Zone zone;
    private final PgsizeSplit split;
    /** Every table page this writer owns: address to level. */
    private final LongIntMap tables = new LongIntMap(64);
    private final long pgd;
    private long partialUnmapRefusals;
    private boolean freed;

    // Tables installed by the current map() call, for its unroll: the slot that points at each.
    private long[] newSlot = new long[8];
    private long[] newTable = new long[8];
    private int newCount;

    private VtdSlPageTable(VtdSlConfig cfg, PhysicalMemory mem, PageAllocator alloc, IoPgtableFlushOps flushOps,
            Seed seed) {
        this.cfg = cfg;
        this.mem = mem;
        this.alloc = alloc;
        this.flushOps = flushOps;
        this.seed = seed;
        this.zone = cfg.oas() <= 32 ? Zone.DMA32 : Zone.NORMAL;
        this.split = new PgsizeSplit(cfg.pgsizeBitmap());
        this.pgd = allocTable(cfg.levels());
    }

    /**
     * A new, empty table ({@code domain_alloc}'s {@code alloc_pgtable_page} for the PGD).
     *
     * @return the table, or null when its top-level page cannot be allocated
     */
    static VtdSlPageTable allocate(VtdSlConfig cfg, PhysicalMemory mem, PageAllocator alloc,
            IoPgtableFlushOps flushOps, Seed seed) {
        if (cfg == null || mem == null || alloc == null || flushOps == null) {
            throw new IllegalArgumentException("a VT-d page table needs a config, memory, an allocator and flush ops");
        }
        VtdSlPageTable t = new VtdSlPageTable(cfg, mem, alloc, flushOps, seed == null ? Seed.NONE : seed);
        return t.pgd < 0 ? null : t;
    }

    @Override
    public VtdSlConfig config() {
        return cfg;
    }

    /** The top-level table: what a context entry's SLPTPTR points at. */
    @Override
    public long ttb() {
        return pgd;
    }

    // ---- table pages ---------------------------------------------------------------------------

    /** One zeroed table page below 2^OAS, or -1. */
    private long allocTable(int level) {
        long a = alloc.allocPages(1, zone);
        if (a == PageAllocator.NO_MEMORY) {
            return -1;
        }
        if (a + PAGE > (1L << cfg.oas())) {
            alloc.free(a);
            return -1;
        }
        if (seed != Seed.DIRTY_TABLES) {
            // alloc_pgtable_page: the page must read as 512 non-present entries.
            mem.fill(a, PAGE, (byte) 0);
        }
        tables.put(a, level, -1);
        return a;
    }

    private void freeTable(long table) {
        tables.remove(table, -1);
        alloc.free(table);
    }

    /** True when {@code pte} is a table pointer to a page this writer owns. */
    private boolean ownTable(long pte, int level) {
        return level > 1 && SlPte.present(pte) && !SlPte.leaf(pte, level)
                && tables.containsKey(SlPte.address(pte, cfg.oas()));
    }

    // ---- map -----------------------------------------------------------------------------------

    @Override
    public synchronized int map(long iova, long paddr, long size, int prot) {
        checkLive();
        if (size <= 0 || ((iova | paddr | size) & (PAGE - 1)) != 0 || !inRange(iova, size, cfg.ias())
                || !inRange(paddr, size, cfg.oas()) || (prot & (IommuProt.READ | IommuProt.WRITE)) == 0) {
            return IommuErrno.EINVAL;
        }
        newCount = 0;
        long done = 0;
        while (done < size) {
            long pg = split.next(iova + done, paddr + done, size - done);
            long r = mapPagesLocked(iova + done, paddr + done, pg, split.count, prot);
            if (r < 0) {
                unroll(iova, done);
                return (int) r;
            }
            done += r;
        }
        newCount = 0;
        return 0;
    }

    /** __iommu_map's unroll: unmap what this call mapped, then drop the tables it installed. */
    private void unroll(long iova, long done) {
        if (done > 0) {
            unmapLocked(iova, done, null);
        }
        for (int i = newCount - 1; i >= 0; i--) {
            mem.writeLong(newSlot[i], 0);
        }
        if (done > 0) {
            flushOps.tlbFlushWalk(iova, done, PAGE);
        }
        for (int i = newCount - 1; i >= 0; i--) {
            freeTable(newTable[i]);
        }
        newCount = 0;
    }

    @Override
    public synchronized long mapPages(long iova, long paddr, long pgsize, long pgcount, int prot) {
        checkLive();
        newCount = 0;
        long r = mapPagesLocked(iova, paddr, pgsize, pgcount, prot);
        newCount = 0;
        return r;
    }

    /**
     * Linux {@code __domain_mapping} for one run of one page size, within one table:
     * {@code pfn_to_dma_pte} down to the level of {@code pgsize}, installing zeroed tables on the
     * way, then up to {@code pgcount} leaves.
     */
    private long mapPagesLocked(long iova, long paddr, long pgsize, long pgcount, int prot) {
        if (Long.bitCount(pgsize) != 1 || (pgsize & cfg.pgsizeBitmap()) == 0 || pgcount < 1
                || ((iova | paddr) & (pgsize - 1)) != 0 || pgcount > (Long.MAX_VALUE >> 1) / pgsize
                || !inRange(iova, pgsize * pgcount, cfg.ias()) || !inRange(paddr, pgsize * pgcount, cfg.oas())
                || (prot & (IommuProt.READ | IommuProt.WRITE)) == 0) {
            return IommuErrno.EINVAL;
        }
        boolean read = (prot & IommuProt.READ) != 0;
        boolean write = (prot & IommuProt.WRITE) != 0;
        int target = (Long.numberOfTrailingZeros(pgsize) - SlPte.PAGE_SHIFT) / SlPte.BITS_PER_LEVEL + 1;
        int mark = newCount;
        long table = pgd;
        for (int level = cfg.levels();; level--) {
            int idx = SlPte.index(iova, level);
            long slot = table + (long) SlPte.PTE_SIZE * idx;
            if (level == target) {
                int n = (int) Math.min(pgcount, 512 - idx);
                // Check everything before changing anything: a refused map leaves no trace.
                for (int i = 0; i < n; i++) {
                    long old = mem.readLong(slot + 8L * i);
                    if (old != 0 && !(ownTable(old, level) && holdsNoLeaf(SlPte.address(old, cfg.oas()), level - 1))) {
                        undo(mark);
                        return IommuErrno.EEXIST;
                    }
                }
                for (int i = 0; i < n; i++) {
                    long old = mem.readLong(slot + 8L * i);
                    if (old != 0) {
                        // switch_to_super_page: unlink the empty table, flush its walk, free it.
                        mem.writeLong(slot + 8L * i, 0);
                        flushOps.tlbFlushWalk(iova + i * pgsize, pgsize, PAGE);
                        freeSubtree(SlPte.address(old, cfg.oas()), level - 1);
                    }
                }
                for (int i = 0; i < n; i++) {
                    mem.writeLong(slot + 8L * i, SlPte.leafEntry(paddr + i * pgsize, level, read, write));
                }
                return n * pgsize;
            }
            long pte = mem.readLong(slot);
            if (pte == 0) {
                long t = allocTable(level - 1);
                if (t < 0) {
                    undo(mark);
                    return IommuErrno.ENOMEM;
                }
                mem.writeLong(slot, SlPte.tableEntry(t));
                logNew(slot, t);
                table = t;
            } else if (ownTable(pte, level)) {
                table = SlPte.address(pte, cfg.oas());
            } else {
                // A larger page is mapped here, or the slot holds something this writer never wrote.
                undo(mark);
                return IommuErrno.EEXIST;
            }
        }
    }

    /** Removes the (still empty) tables installed since {@code mark}. */
    private void undo(int mark) {
        for (int i = newCount - 1; i >= mark; i--) {
            mem.writeLong(newSlot[i], 0);
            freeTable(newTable[i]);
        }
        newCount = mark;
    }

    private void logNew(long slot, long table) {
        if (newCount == newTable.length) {
            newSlot = java.util.Arrays.copyOf(newSlot, newCount * 2);
            newTable = java.util.Arrays.copyOf(newTable, newCount * 2);
        }
        newSlot[newCount] = slot;
        newTable[newCount++] = table;
    }

    /** True when the table at {@code level} and everything under it maps no page. */
    private boolean holdsNoLeaf(long table, int level) {
        for (int i = 0; i < 512; i++) {
            long pte = mem.readLong(table + 8L * i);
            if (pte == 0) {
                continue;
            }
            if (!ownTable(pte, level) || !holdsNoLeaf(SlPte.address(pte, cfg.oas()), level - 1)) {
                return false;
            }
        }
        return true;
    }

    /** Frees an unlinked table and the tables under it. */
    private void freeSubtree(long table, int level) {
        for (int i = 0; i < 512 && level > 1; i++) {
            long pte = mem.readLong(table + 8L * i);
            if (ownTable(pte, level)) {
                freeSubtree(SlPte.address(pte, cfg.oas()), level - 1);
            }
        }
        freeTable(table);
    }

    // ---- unmap ---------------------------------------------------------------------------------

    @Override
    public synchronized long unmap(long iova, long size, IotlbGather gather) {
        checkLive();
        return unmapLocked(iova, size, gather);
    }

    @Override
    public synchronized long unmapPages(long iova, long pgsize, long pgcount, IotlbGather gather) {
        checkLive();
        if (Long.bitCount(pgsize) != 1 || (pgsize & cfg.pgsizeBitmap()) == 0 || pgcount < 1
                || pgcount > (Long.MAX_VALUE >> 1) / pgsize) {
            return 0;
        }
        return unmapLocked(iova, pgsize * pgcount, gather);
    }

    /**
     * Linux {@code domain_unmap} over {@code [iova, iova+size)}: clears leaf after leaf until the
     * size is covered or a hole is met, adding each to {@code gather} ({@code tlb_add_page})
     * unless it is null or queued. A leaf larger than what is left, or not starting at the
     * address reached, is part of a superpage: refused (0) when nothing was unmapped yet.
     */
    private long unmapLocked(long iova, long size, IotlbGather gather) {
        if (size <= 0 || ((iova | size) & (PAGE - 1)) != 0 || !inRange(iova, size, cfg.ias())) {
            return 0;
        }
        long done = 0;
        while (done < size) {
            long va = iova + done;
            long table = pgd;
            int level = cfg.levels();
            long slot;
            long pte;
            while (true) {
                slot = table + (long) SlPte.PTE_SIZE * SlPte.index(va, level);
                pte = mem.readLong(slot);
                if (!SlPte.present(pte) || SlPte.leaf(pte, level) || !ownTable(pte, level)) {
                    break;
                }
                table = SlPte.address(pte, cfg.oas());
                level--;
            }
            if (!SlPte.present(pte) || !SlPte.leaf(pte, level)) {
                break; // a hole
            }
            long leaf = 1L << SlPte.shift(level);
            if ((va & (leaf - 1)) != 0 || leaf > size - done) {
                if (done == 0) {
                    partialUnmapRefusals++; // "Unmap of a partial large IOPTE is not allowed"
                }
                break;
            }
            mem.writeLong(slot, 0);
            if (gather != null && !gather.queued()) {
                flushOps.tlbAddPage(gather, va, leaf);
            }
            done += leaf;
        }
        return done;
    }

    /** How often an unmap asked for part of a superpage and was refused. */
    public synchronized long partialUnmapRefusals() {
        return partialUnmapRefusals;
    }

    // ---- lookup --------------------------------------------------------------------------------

    /** Linux {@code intel_iommu_iova_to_phys}: the physical address {@code iova} maps to, or 0. */
    @Override
    public synchronized long iovaToPhys(long iova) {
        if (freed || iova < 0 || (iova >>> cfg.ias()) != 0) {
            return 0;
        }
        long table = pgd;
        for (int level = cfg.levels(); level >= 1; level--) {
            long pte = mem.readLong(table + (long) SlPte.PTE_SIZE * SlPte.index(iova, level));
            if (!SlPte.present(pte)) {
                return 0;
            }
            if (SlPte.leaf(pte, level)) {
                long leaf = 1L << SlPte.shift(level);
                return (SlPte.address(pte, cfg.oas()) & -leaf) | (iova & (leaf - 1));
            }
            if (!ownTable(pte, level)) {
                return 0;
            }
            table = SlPte.address(pte, cfg.oas());
        }
        return 0;
    }

    // ---- lifetime ------------------------------------------------------------------------------

    /**
     * Linux {@code domain_exit}: {@code domain_unmap} of the whole address space collects every
     * table page on a freelist, which {@code put_pages_list} frees. The driver has invalidated
     * the domain first. Idempotent.
     */
    @Override
    public synchronized void free() {
        if (freed) {
            return;
        }
        freed = true;
        if (seed == Seed.LEAK_TABLES) {
            // Seeded: free_pgtable_page(domain->pgd) alone; the tables below it are forgotten.
            alloc.free(pgd);
            tables.clear();
            return;
        }
        long[] all = new long[tables.size()];
        int[] n = {0};
        tables.forEach((addr, level) -> all[n[0]++] = addr);
        for (long t : all) {
            freeTable(t);
        }
    }

    /** Table pages linked now, the top level included. */
    @Override
    public synchronized int tableCount() {
        return tables.size();
    }

    @Override
    public synchronized long tableBytes() {
        return tables.size() * PAGE;
    }

    private void checkLive() {
        if (freed) {
            throw new IllegalStateException("VT-d page table at 0x" + Long.toHexString(pgd) + " was freed");
        }
    }

    static boolean inRange(long addr, long size, int bits) {
        long limit = 1L << bits;
        return addr >= 0 && size > 0 && addr < limit && size <= limit - addr;
    }

    @Override
    public String toString() {
        return cfg + ", pgd 0x" + Long.toHexString(pgd);
    }
}
