package org.iommulab.iommu.dma.internal.iova;

import java.util.function.IntSupplier;

import org.iommulab.iommu.dma.internal.percpu.PerCpuLocked;

/**
 * The IOVA range caches ("rcaches") in front of an {@link IovaDomain}, Linux
 * {@code alloc_iova_fast}, {@code free_iova_fast} and the {@code iova_rcache} machinery of
 * {@code drivers/iommu/iova.c} (v5.11 shape, {@code IOVA_MAG_SIZE} 127 as since v6.3).
 *
 * <ul>
 * <li>One cache per order 0 to {@code IOVA_RANGE_CACHE_MAX_SIZE - 1} (sizes 1 to 32 granules).</li>
 * <li>Per CPU, a {@code loaded} and a {@code prev} magazine; a shared depot of at most
 * {@code MAX_GLOBAL_MAGS} full magazines. A full CPU pair pushes {@code loaded} to the depot, or,
 * when the depot is full, returns its pfns to the tree (v5.11; since 2023 Linux keeps an unbounded
 * depot trimmed by a 100 ms timer, which a deterministic model has no use for).</li>
 * <li>{@link #allocFast}: rounds cacheable sizes up to a power of two, tries the caches, then the
 * tree; on failure flushes every cache and retries the tree once.</li>
 * </ul>
 * "CPU" is whatever {@code cpu} says: iommu-dma passes the simulation's current CPU
 * ({@code SimCpus.current()}: the CPU a replayed call ran on, else the calling thread's id modulo
 * the CPU count), so each thread keeps to one CPU's magazines as a kernel thread on one CPU
 * would; tests pass a supplier of their own. {@link #freeFast(long, long, int)} frees into a
 * given CPU's magazines, as the flush-queue timer does on the CPU it runs on. A pfn in a cache
 * is still allocated in the tree. A CPU's magazines take memory only once it caches a pfn.
 */
public final class IovaCaches {
    /** Linux {@code IOVA_RANGE_CACHE_MAX_SIZE}: orders 0..5 are cached. */
    public static final int IOVA_RANGE_CACHE_MAX_SIZE = 6;
    /** Linux {@code MAX_GLOBAL_MAGS} (v5.11): magazines in one depot. */
    public static final int MAX_GLOBAL_MAGS = 32;

    private final IovaDomain iovad;
    private final int cpus;
    private final IntSupplier cpu;
    private final Rcache[] rcaches = new Rcache[IOVA_RANGE_CACHE_MAX_SIZE];

    /** Caches for {@code cpus} CPUs, the calling thread's CPU being {@code threadId % cpus}. */
    public IovaCaches(IovaDomain iovad, int cpus) {
        this(iovad, cpus, () -> (int) Math.floorMod(Thread.currentThread().getId(), (long) cpus));
    }

    /**
     * Caches for {@code cpus} CPUs, the calling thread's CPU being {@code cpu.getAsInt()}, which
     * must lie in {@code [0, cpus)}.
     */
    public IovaCaches(IovaDomain iovad, int cpus, IntSupplier cpu) {
        if (iovad == null || cpu == null) {
            throw new IllegalArgumentException("IOVA domain and CPU supplier must not be null");
        }
        if (cpus < 1) {
            throw new IllegalArgumentException("rcaches need at least one CPU, got " + cpus);
        }
        this.iovad = iovad;
        this.cpus = cpus;
        this.cpu = cpu;
        for (int i = 0; i < rcaches.length; i++) {
            rcaches[i] = new Rcache(cpus);
        }
    }

    public IovaDomain domain() {
        return iovad;
    }

    /**
     * Linux {@code alloc_iova_fast}: {@code size} granules at or below {@code limitPfn}, naturally
     * aligned. Returns the first pfn, or 0.
     */
    public long allocFast(long size, long limitPfn, boolean flushRcache) {
        if (size <= 0) {
            throw new IllegalArgumentException("IOVA allocation size must be positive, got " + size);
        }
        // "Freeing non-power-of-two-sized allocations back into the IOVA caches will come back
        // to bite us badly, so we have to waste a bit of space rounding up anything cacheable."
        if (size < (1 << (IOVA_RANGE_CACHE_MAX_SIZE - 1))) {
            size = roundupPowOfTwo(size);
        }
        long limit = Long.compareUnsigned(limitPfn, IovaDomain.IOVA_ANCHOR - 1) >= 0 ? IovaDomain.IOVA_ANCHOR : limitPfn + 1;
        long pfn = rcacheGet(size, limit);
        if (pfn != 0) {
            return pfn;
        }
        pfn = iovad.alloc(size, limitPfn, true);
        if (pfn == 0 && flushRcache) {
            flushAll();
            pfn = iovad.alloc(size, limitPfn, true);
        }
        return pfn;
    }

    /** Linux {@code free_iova_fast} on the calling thread's CPU: into the caches when the size is cacheable, else the tree. */
    public void freeFast(long pfn, long size) {
        if (orderBase2(size) >= IOVA_RANGE_CACHE_MAX_SIZE) {
            // iova_rcache_insert refuses such a size before it looks at the CPU (get_cpu_ptr).
            iovad.free(pfn);
            return;
        }
        freeFast(pfn, size, cpu.getAsInt());
    }

    /**
     * Linux {@code free_iova_fast} running on CPU {@code onCpu} (the flush-queue timer frees on
     * the CPU its softirq runs on, which need not be the caller's).
     */
    public void freeFast(long pfn, long size, int onCpu) {
        if (onCpu < 0 || onCpu >= cpus) {
            throw new IllegalArgumentException("CPU " + onCpu + " outside 0.." + (cpus - 1));
        }
        if (rcacheInsert(pfn, size, onCpu)) {
            return;
        }
        iovad.free(pfn);
    }

    /** Number of CPUs the caches are kept for. */
    public int cpus() {
        return cpus;
    }

    /**
     * Every CPU's magazines and every depot back to the tree: Linux's
     * {@code free_cpu_cached_iovas} for each CPU plus {@code free_global_cached_iovas}.
     */
    public void flushAll() {
        for (int c = 0; c < cpus; c++) {
            flushCpu(c);
        }
        for (Rcache rc : rcaches) {
            synchronized (rc) {
                for (int i = 0; i < rc.depotSize; i++) {
                    rc.depot[i].freePfns(iovad);
                    rc.spare(rc.depot[i]);
                    rc.depot[i] = null;
                }
                rc.depotSize = 0;
            }
        }
    }

    /** Linux {@code free_cpu_cached_iovas}. */
    public void flushCpu(int c) {
        for (Rcache rc : rcaches) {
            CpuRcache cr = rc.cpu[c];
            cr.lock();
            try {
                cr.loaded.freePfns(iovad);
                cr.prev.freePfns(iovad);
            } finally {
                cr.unlock();
            }
        }
    }

    /** Pfns held in all caches now (tests and statistics). */
    public long cachedCount() {
        long n = 0;
        for (Rcache rc : rcaches) {
            for (CpuRcache cr : rc.cpu) {
                cr.lock();
                try {
                    n += cr.loaded.size() + cr.prev.size();
                } finally {
                    cr.unlock();
                }
            }
            synchronized (rc) {
                for (int i = 0; i < rc.depotSize; i++) {
                    n += rc.depot[i].size();
                }
            }
        }
        return n;
    }

    /** Linux {@code order_base_2}. */
    static int orderBase2(long n) {
        return n <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(n - 1);
    }

    static long roundupPowOfTwo(long n) {
        return 1L << orderBase2(n);
    }

    /** Linux {@code iova_rcache_get}: {@code limitPfn} is exclusive here, as in Linux. */
    private long rcacheGet(long size, long limitPfn) {
        int log = orderBase2(size);
        if (log >= IOVA_RANGE_CACHE_MAX_SIZE) {
            return 0;
        }
        return rcacheGet(rcaches[log], limitPfn - size);
    }

    /** Linux {@code __iova_rcache_get}. */
    private long rcacheGet(Rcache rc, long limitPfn) {
        CpuRcache cr = rc.cpu[cpu.getAsInt()];
        cr.lock();
        try {
            boolean hasPfn = false;
            if (!cr.loaded.empty()) {
                hasPfn = true;
            } else if (!cr.prev.empty()) {
                cr.swap();
                hasPfn = true;
            } else {
                synchronized (rc) {
                    if (rc.depotSize > 0) {
                        rc.spare(cr.loaded);
                        cr.loaded = rc.depot[--rc.depotSize];
                        rc.depot[rc.depotSize] = null;
                        hasPfn = true;
                    }
                }
            }
            return hasPfn ? cr.loaded.pop(limitPfn) : 0;
        } finally {
            cr.unlock();
        }
    }

    /** Linux {@code iova_rcache_insert}, on CPU {@code onCpu}. */
    private boolean rcacheInsert(long pfn, long size, int onCpu) {
        int log = orderBase2(size);
        if (log >= IOVA_RANGE_CACHE_MAX_SIZE) {
            return false;
        }
        Rcache rc = rcaches[log];
        CpuRcache cr = rc.cpu[onCpu];
        IovaMagazine magToFree = null;
        cr.lock();
        try {
            if (cr.loaded.full()) {
                if (!cr.prev.full()) {
                    cr.swap();
                } else {
                    synchronized (rc) {
                        IovaMagazine fresh = rc.takeSpare();
                        if (rc.depotSize < MAX_GLOBAL_MAGS) {
                            rc.depot[rc.depotSize++] = cr.loaded;
                        } else {
                            magToFree = cr.loaded;
                        }
                        cr.loaded = fresh;
                    }
                }
            }
            cr.loaded.push(pfn);
        } finally {
            cr.unlock();
        }
        if (magToFree != null) {
            magToFree.freePfns(iovad);
            synchronized (rc) {
                rc.spare(magToFree);
            }
        }
        return true;
    }

    /**
     * Linux {@code struct iova_cpu_rcache}, a per-CPU variable, with its lock
     * ({@code cpu_rcache->lock}): in cache lines of its own ({@link PerCpuLocked}), ending with
     * the 64 bytes of padding that keep the next CPU's lock and magazines off its last line.
     */
    private static final class CpuRcache extends PerCpuLocked {
        IovaMagazine loaded = new IovaMagazine();
        IovaMagazine prev = new IovaMagazine();
        @SuppressWarnings("unused")
        private long q0, q1, q2, q3, q4, q5, q6, q7;

        void swap() {
            IovaMagazine t = loaded;
            loaded = prev;
            prev = t;
        }
    }

    /** Linux {@code struct iova_rcache}: one size's depot and CPU caches. */
    private static final class Rcache {
        final IovaMagazine[] depot = new IovaMagazine[MAX_GLOBAL_MAGS];
        int depotSize;
        final CpuRcache[] cpu;
        /** Empty magazines kept for reuse instead of Linux's kfree/kzalloc pair. */
        private final IovaMagazine[] spares = new IovaMagazine[MAX_GLOBAL_MAGS];
        private int spareCount;

        Rcache(int cpus) {
            cpu = new CpuRcache[cpus];
            for (int i = 0; i < cpus; i++) {
                cpu[i] = new CpuRcache();
            }
        }

        IovaMagazine takeSpare() {
            if (spareCount == 0) {
                return new IovaMagazine();
            }
            IovaMagazine m = spares[--spareCount];
            spares[spareCount] = null;
            return m;
        }

        void spare(IovaMagazine m) {
            if (spareCount < spares.length) {
                spares[spareCount++] = m;
            }
        }
    }
}
