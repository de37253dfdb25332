package org.iommulab.platform.internal.dma;

import java.util.Arrays;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.platform.internal.checker.PhysRangeIndex;

/**
 * The live mappings and coherent buffers of one device, dma-debug's hash of
 * {@code dma_debug_entry} ({@code kernel/dma/debug.c}), kept as a table of primitive arrays so
 * that a live mapping is no Java object: an entry is an {@code int} handle, an index into
 * parallel arrays (DMA address, size, CPU address, one packed word of type, direction, attributes
 * and checker flags, the next entry of its chain). The size is an unsigned {@code int}; the rare
 * mapping of 4 GiB or more keeps its size in the entry's side record (below). An open-addressing
 * hash of {@code int}s maps the DMA page number to the chain of entries starting in that page.
 * The arrays, their free list and the hash are {@link LiveMappingStorage}, which this class
 * extends; this class gives them their meaning (the packed word, the lookups, the observer).
 *
 * <p>At a million live single mappings that is 8 + 4 + 8 + 4 + 4 = 28 bytes an entry plus about 6
 * bytes of hash slots (the hash grows past 70% full, by steps of about 1.5), where the former
 * table spent a 64-byte object and 8 to 16 bytes of reference slots, and the table before this
 * one a {@code long} size and a hash grown past half full (42 bytes an entry at a million). What
 * only some entries need (an sg table, a coherent buffer, a map site, a CPU-owned part, the
 * checker's range nodes) sits in a side array of {@link LiveMappingDetail}s, made the first time
 * any entry needs one and kept per index, so the steady state allocates nothing and a table of
 * plain single mappings with the checker off carries none of it.
 *
 * <p>Adding and removing take handles from and return them to a free list; the arrays grow
 * (about doubling, allocating) only past their high-water mark, in sizes the G1 collector packs
 * well (see {@link LiveMappingStorage}). A handle is valid until the entry is removed; it is then
 * recycled, so read what is needed under the table's lock.
 *
 * <p>Several entries may share a DMA address (a direct backend maps the same buffer twice to
 * the same address); lookups pick the best fit, as dma-debug's {@code bucket_find_exact} does.
 *
 * <p>Not thread-safe: callers hold the table's monitor ({@code synchronized (table)}).
 */
public final class LiveMappings extends LiveMappingStorage {
    /** No entry: what the lookups return when nothing matches. */
    public static final int NONE = -1;

    /** Told of every entry that goes live or is removed, under the table's monitor. */
    @FunctionalInterface
    public interface Observer {
        void changed(boolean live, long dmaAddr, long size);
    }

    private static final Observer NO_OBSERVER = (live, dmaAddr, size) -> { };
    private Observer observer = NO_OBSERVER;

    // The packed word of an entry: attributes in the low 16 bits, then type, direction, flags.
    private static final int ATTRS_MASK = 0xFFFF;
    private static final int TYPE_SHIFT = 16;
    private static final int DIR_SHIFT = 19;
    private static final int LIVE = 1 << 22;
    private static final int ERROR_CHECKED = 1 << 23;
    private static final int CPU_OWNS_ALL = 1 << 24;
    private static final int OWNED_REPORTED = 1 << 25;
    private static final MappingType[] TYPES = MappingType.values();
    private static final DmaDirection[] DIRS = DmaDirection.values();
    private int live;
    /** Largest non-sg entry ever added: how far back a containing search must look. */
    private long maxSize;
    /** The entry added last (the head of its chain while live), or {@link #NONE}. */
    private int lastAdded = NONE;

    /** A table with {@code initialEntries} entries preallocated. */
    public LiveMappings(int initialEntries) {
        super(initialEntries);
    }

    /** Sets who is told of every add and remove (null: nobody); call before the table is shared. */
    public void observe(Observer o) {
        observer = o == null ? NO_OBSERVER : o;
    }

    /** Live entries now. */
    public int size() {
        return live;
    }

    /** Entries the pool holds, live or free (diagnostics and tests). */
    public int pooled() {
        return meta.length;
    }

    /** Records a new live entry and returns its handle; the caller fills the sg or coherent fields. */
    public int add(MappingType type, long dmaAddr, long bytes, DmaDirection dir, long cpuAddr, int attrs) {
        if ((attrs & ~ATTRS_MASK) != 0) {
            throw new IllegalArgumentException("attributes 0x" + Integer.toHexString(attrs) + " do not fit the table");
        }
        int e = take();
        dma[e] = dmaAddr;
        if (bytes >= 0 && bytes < 0xFFFF_FFFFL) {
            size[e] = (int) bytes;
        } else {
            size[e] = BIG_SIZE;
            detail(e).bigSize = bytes;
        }
        cpu[e] = cpuAddr;
        meta[e] = attrs | type.ordinal() << TYPE_SHIFT | (dir == null ? 0 : dir.ordinal() + 1) << DIR_SHIFT | LIVE;
        if (type != MappingType.SCATTER_GATHER && bytes > maxSize) {
            maxSize = bytes;
        }
        link(e);
        lastAdded = e;
        live++;
        observer.changed(true, dmaAddr, bytes);
        return e;
    }

    /** Removes a live entry and returns its handle to the pool. */
    public void remove(int e) {
        if (e < 0 || e >= meta.length || (meta[e] & LIVE) == 0) {
            throw new IllegalStateException("entry " + e + " is not live");
        }
        if (!unlink(e)) {
            throw new IllegalStateException("entry is not live: " + DmaDebug.describe(this, e));
        }
        live--;
        observer.changed(false, dma[e], size(e));
        release(e);
    }

    /**
     * The entry starting exactly at {@code dmaAddr} that best fits the other attributes (type
     * first, then size, then direction), or {@link #NONE} when no entry starts there.
     */
    public int bestAt(long dmaAddr, MappingType type, long bytes, DmaDirection dir) {
        int best = NONE;
        int bestScore = -1;
        int typeBits = type.ordinal();
        int dirBits = dir == null ? 0 : dir.ordinal() + 1;
        for (int e = heads[slotOf(dmaAddr >>> BUCKET_SHIFT)] - 1; e >= 0; e = next[e] - 1) {
            if (dma[e] != dmaAddr) {
                continue;
            }
            int m = meta[e];
            int score = (typeBits(m) == typeBits ? 4 : 0) + (size(e) == bytes ? 2 : 0) + (dirBits(m) == dirBits ? 1 : 0);
            if (score > bestScore) {
                best = e;
                bestScore = score;
                if (score == 7) {
                    break; // nothing fits better; the first of equals wins, as before
                }
            }
        }
        return best;
    }

    /**
     * The first single or resource entry at exactly {@code dmaAddr} whose mapping error was not
     * checked yet, or {@link #NONE}: what dma-debug's {@code debug_dma_mapping_error} marks as checked.
     */
    public int uncheckedAt(long dmaAddr) {
        // The usual caller asks right after the map: the entry added last heads its chain, so when
        // it matches it is the first the walk below would find.
        int last = lastAdded;
        if (last >= 0 && dma[last] == dmaAddr && (meta[last] & (LIVE | ERROR_CHECKED)) == LIVE) {
            return last;
        }
        for (int e = heads[slot(dmaAddr >>> BUCKET_SHIFT)] - 1; e >= 0; e = next[e] - 1) {
            if (dma[e] == dmaAddr && (meta[e] & ERROR_CHECKED) == 0) {
                return e;
            }
        }
        return NONE;
    }

    /** The sg entry of {@code table}, or {@link #NONE} when it is not mapped here. */
    public int sgEntry(SgTable table) {
        if (details == null) {
            return NONE;
        }
        if (table.nents() > 0) {
            long first = table.dmaAddressField(0);
            for (int e = heads[slot(first >>> BUCKET_SHIFT)] - 1; e >= 0; e = next[e] - 1) {
                if (sg(e) == table) {
                    return e;
                }
            }
        }
        // The DMA view was rewritten behind our back or never set: look at every entry (error path).
        for (int e = 0; e < meta.length; e++) {
            if ((meta[e] & LIVE) != 0 && sg(e) == table) {
                return e;
            }
        }
        return NONE;
    }

    /**
     * The non-sg entry whose range contains {@code addr} (for syncs of part of a mapping,
     * dma-debug's {@code bucket_find_contain}), single and resource mappings before coherent
     * buffers; {@link #NONE} when none does. Walks back page by page at most as far as the
     * largest entry reaches, or scans the whole table when that is shorter.
     */
    public int containing(long addr) {
        if (maxSize == 0) {
            return NONE;
        }
        long firstPage = addr >>> BUCKET_SHIFT;
        long lowest = Long.compareUnsigned(addr, maxSize - 1) >= 0 ? addr - (maxSize - 1) : 0;
        long pages = firstPage - (lowest >>> BUCKET_SHIFT) + 1;
        int coherent = NONE;
        if (pages > heads.length) {
            for (int h : heads) {
                for (int e = h - 1; e >= 0; e = next[e] - 1) {
                    if (type(e) != MappingType.SCATTER_GATHER && contains(e, addr)) {
                        if (type(e).isStreamingSingle()) {
                            return e;
                        }
                        coherent = e;
                    }
                }
            }
            return coherent;
        }
        for (long p = 0; p < pages; p++) {
            for (int e = heads[slot(firstPage - p)] - 1; e >= 0; e = next[e] - 1) {
                if (type(e) != MappingType.SCATTER_GATHER && contains(e, addr)) {
                    if (type(e).isStreamingSingle()) {
                        return e;
                    }
                    if (coherent == NONE) {
                        coherent = e;
                    }
                }
            }
        }
        return coherent;
    }

    /**
     * The handles of every live entry, in the order the hash holds them (for the leak check;
     * allocation is fine there); the array's length is the count.
     */
    public int[] collect() {
        int[] out = new int[live];
        int n = 0;
        for (int h : heads) {
            for (int e = h - 1; e >= 0; e = next[e] - 1) {
                out[n++] = e;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    // ---- an entry's fields -------------------------------------------------------------------

    private static int typeBits(int m) {
        return m >>> TYPE_SHIFT & 7;
    }

    private static int dirBits(int m) {
        return m >>> DIR_SHIFT & 7;
    }

    public MappingType type(int e) {
        return TYPES[typeBits(meta[e])];
    }

    /** DMA address (first segment for an sg mapping, the handle for a coherent buffer). */
    public long dmaAddr(int e) {
        return dma[e];
    }

    /** Bytes mapped: the size, the sg entries' total, or the coherent size. */
    public long size(int e) {
        int s = size[e];
        return s != BIG_SIZE ? Integer.toUnsignedLong(s) : details[e].bigSize;
    }

    public DmaDirection dir(int e) {
        int d = dirBits(meta[e]);
        return d == 0 ? null : DIRS[d - 1];
    }

    /** Physical (CPU) address: the mapped phys, the coherent CPU address; the first entry's for sg. */
    public long cpuAddr(int e) {
        return cpu[e];
    }

    public int attrs(int e) {
        return meta[e] & ATTRS_MASK;
    }

    /** True while {@code e} is a live entry (tests, diagnostics). */
    public boolean isLive(int e) {
        return e >= 0 && e < meta.length && (meta[e] & LIVE) != 0;
    }

    /** True when {@code addr} lies in {@code [dmaAddr, dmaAddr+size)} (unsigned). */
    boolean contains(int e, long addr) {
        return Long.compareUnsigned(addr, dma[e]) >= 0 && Long.compareUnsigned(addr - dma[e], size(e)) < 0;
    }

    /**
     * dma-debug's {@code map_err_type}: false while a single or resource mapping's address was
     * never passed to {@code dma_mapping_error} (MAP_ERR_NOT_CHECKED); true once it was, and
     * always for sg and coherent entries (MAP_ERR_CHECK_NOT_APPLICABLE).
     */
    boolean errorChecked(int e) {
        return (meta[e] & ERROR_CHECKED) != 0;
    }

    void errorChecked(int e, boolean v) {
        flag(e, ERROR_CHECKED, v);
    }

    /** The CPU owns the whole buffer (an sg table synced for the CPU). */
    boolean cpuOwnsAll(int e) {
        return (meta[e] & CPU_OWNS_ALL) != 0;
    }

    void cpuOwnsAll(int e, boolean v) {
        flag(e, CPU_OWNS_ALL, v);
    }

    /** A CPU access to the device-owned buffer was reported since the last change of owner. */
    boolean ownedReported(int e) {
        return (meta[e] & OWNED_REPORTED) != 0;
    }

    void ownedReported(int e, boolean v) {
        flag(e, OWNED_REPORTED, v);
    }

    private void flag(int e, int bit, boolean v) {
        meta[e] = v ? meta[e] | bit : meta[e] & ~bit;
    }

    /** Records an sg mapping's table and counts. */
    void setSg(int e, SgTable table, int callNents, int mappedNents) {
        LiveMappingDetail d = detail(e);
        d.sg = table;
        d.callNents = callNents;
        d.mappedNents = mappedNents;
    }

    void setCoherent(int e, CoherentAllocation buffer) {
        detail(e).coherent = buffer;
    }

    void setMapSite(int e, Object site) {
        if (site != null || detailOrNull(e) != null) {
            detail(e).mapSite = site;
        }
    }

    /** Where the mapping was made, or null. */
    Object mapSite(int e) {
        LiveMappingDetail d = detailOrNull(e);
        return d == null ? null : d.mapSite;
    }

    public SgTable sg(int e) {
        LiveMappingDetail d = detailOrNull(e);
        return d == null ? null : d.sg;
    }

    public int callNents(int e) {
        LiveMappingDetail d = detailOrNull(e);
        return d == null ? 0 : d.callNents;
    }

    public int mappedNents(int e) {
        LiveMappingDetail d = detailOrNull(e);
        return d == null ? 0 : d.mappedNents;
    }

    public CoherentAllocation coherent(int e) {
        LiveMappingDetail d = detailOrNull(e);
        return d == null ? null : d.coherent;
    }

    /** First physical byte the CPU owns after a partial sync_for_cpu (see {@link #cpuTo}). */
    long cpuFrom(int e) {
        LiveMappingDetail d = detailOrNull(e);
        return d == null ? 0 : d.cpuFrom;
    }

    /** End of the part the CPU owns; equal to {@link #cpuFrom} when it owns none. */
    long cpuTo(int e) {
        LiveMappingDetail d = detailOrNull(e);
        return d == null ? 0 : d.cpuTo;
    }

    void setCpuRange(int e, long from, long to) {
        if (from != 0 || to != 0 || detailOrNull(e) != null) {
            LiveMappingDetail d = detail(e);
            d.cpuFrom = from;
            d.cpuTo = to;
        }
    }

    /** The entry's nodes in the checker's physical-range index, or null. */
    PhysRangeIndex.Node<LiveMappings> physNodes(int e) {
        LiveMappingDetail d = detailOrNull(e);
        return d == null ? null : d.physNodes;
    }

    void physNodes(int e, PhysRangeIndex.Node<LiveMappings> chain) {
        if (chain != null || detailOrNull(e) != null) {
            detail(e).physNodes = chain;
        }
    }
}
