package org.iommulab.platform.internal.dma;

import java.util.List;

import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;

/**
 * The live mappings and coherent buffers of one device, dma-debug's hash of
 * {@code dma_debug_entry} ({@code kernel/dma/debug.c}): a preallocated pool of entries and an
 * open-addressing hash from the DMA page number ({@code dma >>> 12}, dma-debug hashes
 * {@code dev_addr >> 13}) to the chain of entries starting in that page. A slot holds only the
 * chain's head: its key is the head's own page number, so the table stores no key array (at a
 * million live mappings that is 8 bytes a slot, about 17 bytes a mapping, saved). Adding and removing
 * take entries from and return them to the pool, and the hash stores no boxed key, so the
 * steady state allocates nothing; the pool and the hash grow (allocating) only past their high
 * water mark.
 *
 * <p>Several entries may share a DMA address (a direct backend maps the same buffer twice to
 * the same address); lookups pick the best fit, as dma-debug's {@code bucket_find_exact} does.
 *
 * <p>Not thread-safe: callers hold the table's monitor ({@code synchronized (table)}).
 */
public final class LiveMappings {
    static final int BUCKET_SHIFT = 12;

    /** Told of every entry that goes live or is removed, under the table's monitor. */
    @FunctionalInterface
    public interface Observer {
        void changed(boolean live, long dmaAddr, long size);
    }

    private static final Observer NONE = (live, dmaAddr, size) -> { };
    private Observer observer = NONE;

    private LiveMapping[] heads;
    private int mask;
    private int usedSlots;
    private LiveMapping free;
    private int pooled;
    private int live;
    /** Largest non-sg entry ever added: how far back a containing search must look. */
    private long maxSize;

    /** A table with {@code initialEntries} entries preallocated. */
    public LiveMappings(int initialEntries) {
        if (initialEntries < 1) {
            throw new IllegalArgumentException("initial entries must be positive, got " + initialEntries);
        }
        growPool(initialEntries);
        int slots = Integer.highestOneBit(Math.max(16, initialEntries * 2 - 1)) << 1;
        heads = new LiveMapping[slots];
        mask = slots - 1;
    }

    /** Sets who is told of every add and remove (null: nobody); call before the table is shared. */
    public void observe(Observer o) {
        observer = o == null ? NONE : o;
    }

    /** Live entries now. */
    public int size() {
        return live;
    }

    /** Entries the pool holds, live or free (diagnostics and tests). */
    public int pooled() {
        return pooled;
    }

    /** Records a new live entry; the caller fills the sg or coherent fields of the result. */
    public LiveMapping add(MappingType type, long dmaAddr, long size, DmaDirection dir, long cpuAddr, int attrs) {
        LiveMapping e = free;
        if (e == null) {
            growPool(pooled);
            e = free;
        }
        free = e.next;
        e.next = null;
        e.type = type;
        e.dmaAddr = dmaAddr;
        e.size = size;
        e.dir = dir;
        e.cpuAddr = cpuAddr;
        e.attrs = attrs;
        if (type != MappingType.SCATTER_GATHER && size > maxSize) {
            maxSize = size;
        }
        link(e);
        live++;
        observer.changed(true, dmaAddr, size);
        return e;
    }

    /** Removes a live entry and returns it to the pool. */
    public void remove(LiveMapping e) {
        long key = e.dmaAddr >>> BUCKET_SHIFT;
        int i = slot(key);
        LiveMapping h = heads[i];
        if (h == e) {
            heads[i] = e.next;
            if (heads[i] == null) {
                deleteSlot(i);
            }
        } else {
            LiveMapping prev = h;
            while (prev != null && prev.next != e) {
                prev = prev.next;
            }
            if (prev == null) {
                throw new IllegalStateException("entry is not live: " + e);
            }
            prev.next = e.next;
        }
        live--;
        observer.changed(false, e.dmaAddr, e.size);
        e.clear();
        e.next = free;
        free = e;
    }

    /**
     * The entry starting exactly at {@code dmaAddr} that best fits the other attributes (type
     * first, then size, then direction), or null when no entry starts there.
     */
    public LiveMapping bestAt(long dmaAddr, MappingType type, long size, DmaDirection dir) {
        LiveMapping best = null;
        int bestScore = -1;
        for (LiveMapping e = heads[slot(dmaAddr >>> BUCKET_SHIFT)]; e != null; e = e.next) {
            if (e.dmaAddr != dmaAddr) {
                continue;
            }
            int score = (e.type == type ? 4 : 0) + (e.size == size ? 2 : 0) + (e.dir == dir ? 1 : 0);
            if (score > bestScore) {
                best = e;
                bestScore = score;
            }
        }
        return best;
    }

    /**
     * The first single or resource entry at exactly {@code dmaAddr} whose mapping error was not
     * checked yet, or null: what dma-debug's {@code debug_dma_mapping_error} marks as checked.
     */
    public LiveMapping uncheckedAt(long dmaAddr) {
        for (LiveMapping e = heads[slot(dmaAddr >>> BUCKET_SHIFT)]; e != null; e = e.next) {
            if (e.dmaAddr == dmaAddr && !e.errorChecked) {
                return e;
            }
        }
        return null;
    }

    /** The sg entry of {@code table}, or null when it is not mapped here. */
    public LiveMapping sgEntry(SgTable table) {
        if (table.nents() > 0) {
            long first = table.dmaAddressField(0);
            for (LiveMapping e = heads[slot(first >>> BUCKET_SHIFT)]; e != null; e = e.next) {
                if (e.sg() == table) {
                    return e;
                }
            }
        }
        // The DMA view was rewritten behind our back or never set: look at every entry (error path).
        for (LiveMapping h : heads) {
            for (LiveMapping e = h; e != null; e = e.next) {
                if (e.sg() == table) {
                    return e;
                }
            }
        }
        return null;
    }

    /**
     * The non-sg entry whose range contains {@code addr} (for syncs of part of a mapping,
     * dma-debug's {@code bucket_find_contain}), single and resource mappings before coherent
     * buffers; null when none does. Walks back page by page at most as far as the largest entry
     * reaches, or scans the whole table when that is shorter.
     */
    public LiveMapping containing(long addr) {
        if (maxSize == 0) {
            return null;
        }
        long firstPage = addr >>> BUCKET_SHIFT;
        long lowest = Long.compareUnsigned(addr, maxSize - 1) >= 0 ? addr - (maxSize - 1) : 0;
        long pages = firstPage - (lowest >>> BUCKET_SHIFT) + 1;
        LiveMapping coherent = null;
        if (pages > heads.length) {
            for (LiveMapping h : heads) {
                for (LiveMapping e = h; e != null; e = e.next) {
                    if (e.type != MappingType.SCATTER_GATHER && e.contains(addr)) {
                        if (e.type.isStreamingSingle()) {
                            return e;
                        }
                        coherent = e;
                    }
                }
            }
            return coherent;
        }
        for (long p = 0; p < pages; p++) {
            for (LiveMapping e = heads[slot(firstPage - p)]; e != null; e = e.next) {
                if (e.type != MappingType.SCATTER_GATHER && e.contains(addr)) {
                    if (e.type.isStreamingSingle()) {
                        return e;
                    }
                    if (coherent == null) {
                        coherent = e;
                    }
                }
            }
        }
        return coherent;
    }

    /** Adds every live entry to {@code out} (for the leak check; allocation is fine there). */
    public void collect(List<LiveMapping> out) {
        for (LiveMapping h : heads) {
            for (LiveMapping e = h; e != null; e = e.next) {
                out.add(e);
            }
        }
    }

    // ---- hash internals ----------------------------------------------------------------------

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** The page number a slot's chain is keyed by: its head's. */
    private static long keyOf(LiveMapping head) {
        return head.dmaAddr >>> BUCKET_SHIFT;
    }

    /** The slot holding {@code key}, or the empty slot where it would go (linear probing). */
    private int slot(long key) {
        int i = hash(key) & mask;
        for (LiveMapping h = heads[i]; h != null && keyOf(h) != key; h = heads[i]) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void link(LiveMapping e) {
        long key = e.dmaAddr >>> BUCKET_SHIFT;
        int i = slot(key);
        if (heads[i] == null) {
            heads[i] = e;
            usedSlots++;
            if (usedSlots * 2 > heads.length) {
                rehash(heads.length * 2);
            }
        } else {
            e.next = heads[i];
            heads[i] = e;
        }
    }

    /** Backward-shift deletion: keeps every probe sequence unbroken without tombstones. */
    private void deleteSlot(int i) {
        usedSlots--;
        int hole = i;
        int j = i;
        for (;;) {
            j = (j + 1) & mask;
            if (heads[j] == null) {
                break;
            }
            int home = hash(keyOf(heads[j])) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                heads[hole] = heads[j];
                hole = j;
            }
        }
        heads[hole] = null;
    }

    private void rehash(int slots) {
        LiveMapping[] oldHeads = heads;
        heads = new LiveMapping[slots];
        mask = slots - 1;
        for (LiveMapping h : oldHeads) {
            if (h != null) {
                heads[slot(keyOf(h))] = h;
            }
        }
    }

    private void growPool(int count) {
        for (int i = 0; i < count; i++) {
            LiveMapping e = new LiveMapping();
            e.next = free;
            free = e;
        }
        pooled += count;
    }
}
