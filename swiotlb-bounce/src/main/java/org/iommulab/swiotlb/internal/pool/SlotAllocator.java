package org.iommulab.swiotlb.internal.pool;

import static org.iommulab.api.swiotlb.SwiotlbPool.IO_TLB_SEGSIZE;
import static org.iommulab.api.swiotlb.SwiotlbPool.IO_TLB_SHIFT;
import static org.iommulab.api.swiotlb.SwiotlbPool.IO_TLB_SIZE;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The slot table of one swiotlb pool, pure bookkeeping with no memory behind it: Linux's
 * {@code struct io_tlb_slot} array ({@code orig_addr}, {@code alloc_size}, {@code list},
 * {@code pad_slots}) and {@code struct io_tlb_area} array, with
 * {@code swiotlb_find_slots}, {@code swiotlb_search_pool_area} and
 * {@code swiotlb_release_slots} over them (kernel/dma/swiotlb.c).
 *
 * <p>Addresses here are byte offsets from the pool's start ({@code tlb_addr - mem->start}).
 * Every array is sized at construction; allocate and release allocate nothing. Each area has
 * its own lock, as in Linux; an allocation never leaves its area because areas are whole
 * segments.
 *
 * <p>Beyond Linux's fields the table keeps, per allocation, the mapping size and owner in its
 * head slot (the first slot after the padding slots) and the {@code min_align_mask} offset in
 * each mapped slot, so that an unmap or sync of an address that is not a live bounce buffer
 * can be refused instead of corrupting the table, and so that a release does not depend on
 * the device passed to it.
 */
public final class SlotAllocator {
    /** Linux {@code INVALID_PHYS_ADDR}: the {@code orig_addr} of a free or padding slot. */
    public static final long INVALID_PHYS_ADDR = ~0L;
    /** Largest allocation, padding included: one segment, {@code IO_TLB_SEGSIZE * IO_TLB_SIZE}. */
    public static final long MAX_ALLOC_SIZE = (long) IO_TLB_SEGSIZE * IO_TLB_SIZE;
    /** The CPU page size behind the page-alignment rule for unmasked allocations. */
    static final long PAGE_SIZE = 4096;

    private final int nslabs;
    private final int nareas;
    private final int areaNslabs;

    private final long[] origAddr;
    private final int[] allocSize;
    private final short[] list;
    private final short[] padSlots;
    private final short[] alignOffset;
    private final int[] mappingSize;
    private final Object[] owner;

    private final Area[] areas;
    private final AtomicLong totalUsed = new AtomicLong();
    private final AtomicLong usedHiwater = new AtomicLong();
    private final AtomicLong live = new AtomicLong();

    /** Linux {@code struct io_tlb_area}: its lock is the object's monitor. */
    private static final class Area {
        int index;
        int used;
    }

    /**
     * Linux {@code swiotlb_init_io_tlb_pool}: every slot free, each {@code list} counter the
     * number of free slots up to the end of its segment.
     *
     * @throws IllegalArgumentException unless {@code nareas} is a power of two and
     *         {@code nslabs} a positive multiple of {@code nareas * IO_TLB_SEGSIZE}
     */
    public SlotAllocator(int nslabs, int nareas) {
        if (nareas < 1 || Integer.bitCount(nareas) != 1) {
            throw new IllegalArgumentException("swiotlb area count must be a power of two, got " + nareas);
        }
        if (nslabs < 1 || nslabs % (nareas * IO_TLB_SEGSIZE) != 0) {
            throw new IllegalArgumentException("swiotlb slot count must be a positive multiple of "
                    + nareas * IO_TLB_SEGSIZE + " (" + nareas + " areas of whole segments), got " + nslabs);
        }
        this.nslabs = nslabs;
        this.nareas = nareas;
        this.areaNslabs = nslabs / nareas;
        origAddr = new long[nslabs];
        allocSize = new int[nslabs];
        list = new short[nslabs];
        padSlots = new short[nslabs];
        alignOffset = new short[nslabs];
        mappingSize = new int[nslabs];
        owner = new Object[nslabs];
        for (int i = 0; i < nslabs; i++) {
            list[i] = (short) initialFreeRun(i, nslabs);
            origAddr[i] = INVALID_PHYS_ADDR;
        }
        areas = new Area[nareas];
        for (int i = 0; i < nareas; i++) {
            areas[i] = new Area();
        }
    }

    // ---- Linux's helpers ---------------------------------------------------------------------

    /** The {@code list} value of slot {@code i} in a fresh pool: {@code min(IO_TLB_SEGSIZE - io_tlb_offset(i), nslabs - i)}. */
    public static int initialFreeRun(int i, int nslabs) {
        return Math.min(IO_TLB_SEGSIZE - (i & (IO_TLB_SEGSIZE - 1)), nslabs - i);
    }

    /** Linux {@code nr_slots}: {@code DIV_ROUND_UP(val, IO_TLB_SIZE)} on an unsigned value. */
    public static long nrSlots(long val) {
        return (val >>> IO_TLB_SHIFT) + ((val & (IO_TLB_SIZE - 1)) != 0 ? 1 : 0);
    }

    /**
     * Linux {@code swiotlb_align_offset}: {@code addr & min_align_mask & (align_mask | (IO_TLB_SIZE-1))},
     * the bytes before the bounce address inside the allocation.
     */
    public static long alignOffset(long minAlignMask, long allocAlignMask, long addr) {
        return addr & minAlignMask & (allocAlignMask | (IO_TLB_SIZE - 1));
    }

    /**
     * The allocation {@code swiotlb_tbl_map_single} asks for:
     * {@code ALIGN(mapping_size + offset, alloc_align_mask + 1)}.
     */
    public static long allocationSize(long orig, long mappingSize, long allocAlignMask, long minAlignMask) {
        long offset = alignOffset(minAlignMask, allocAlignMask, orig);
        return (mappingSize + offset + allocAlignMask) & ~allocAlignMask;
    }

    /** Linux {@code iommu_is_span_boundary}: whether {@code nr} slots at {@code index} cross a boundary. */
    static boolean isSpanBoundary(long index, long nr, long shift, long boundarySize) {
        long s = (shift + index) & (boundarySize - 1);
        return s + nr > boundarySize;
    }

    private int wrapAreaIndex(long index) {
        return index >= areaNslabs ? 0 : (int) index;
    }

    // ---- allocate ----------------------------------------------------------------------------

    /**
     * The slot half of Linux {@code swiotlb_tbl_map_single}: computes the offset and size,
     * runs {@code swiotlb_find_slots} (areas from {@code startArea} on, wrapping) and records
     * the original address of every mapped slot.
     *
     * @param startArea     the caller's own area (Linux: the current CPU's), any int
     * @param orig          the original buffer's address
     * @param mapSize       bytes to map, positive
     * @param allocAlignMask 0 or 2^n-1: required alignment of the allocation's start
     * @param minAlignMask  the device's {@code min_align_mask} (0 or 2^n-1, at most 32 bits)
     * @param boundaryMask  the device's segment boundary mask ({@code dma_get_seg_boundary})
     * @param tblDmaAddr    {@code phys_to_dma(pool start) & boundaryMask}: the slot addresses
     *                      the alignment and boundary rules are checked against
     * @param holder        who mapped it, for {@link #releaseIf}
     * @return the head slot (the first slot after the padding slots), or -1 when no run of
     *         free slots fits; then nothing changed
     */
    public int allocate(int startArea, long orig, long mapSize, long allocAlignMask, long minAlignMask,
            long boundaryMask, long tblDmaAddr, Object holder) {
        long size = allocationSize(orig, mapSize, allocAlignMask, minAlignMask);
        // swiotlb_find_slots: nothing larger than a segment.
        if (size > MAX_ALLOC_SIZE || size <= 0) {
            return -1;
        }
        int start = startArea & (nareas - 1);
        int i = start;
        do {
            int first = searchPoolArea(i, orig, size, allocAlignMask, minAlignMask, boundaryMask, tblDmaAddr,
                    mapSize, holder);
            if (first >= 0) {
                long nslots = nrSlots(size);
                long used = totalUsed.addAndGet(nslots);
                // inc_used_and_hiwater
                long hw = usedHiwater.get();
                while (used > hw && !usedHiwater.compareAndSet(hw, used)) {
                    hw = usedHiwater.get();
                }
                live.incrementAndGet();
                return first;
            }
            if (++i >= nareas) {
                i = 0;
            }
        } while (i != start);
        return -1;
    }

    /** Linux {@code swiotlb_search_pool_area}; returns the head slot or -1. */
    private int searchPoolArea(int areaIndex, long orig, long size, long allocAlignMask0, long minAlignMask,
            long boundaryMask, long tblDmaAddr, long mapSize, Object holder) {
        Area area = areas[areaIndex];
        long maxSlots = (boundaryMask >>> IO_TLB_SHIFT) + 1; // get_max_slots, no overflow for ~0
        long iotlbAlignMask = minAlignMask;
        int nslots = (int) nrSlots(size);
        int offset = (int) alignOffset(minAlignMask, 0, orig);
        long allocAlignMask = allocAlignMask0;

        // Historically, allocations >= PAGE_SIZE with no alignment requirement were page aligned;
        // streaming mappings pass alloc_align_mask 0, so Linux keeps that behaviour.
        if (allocAlignMask == 0 && iotlbAlignMask == 0 && size >= PAGE_SIZE) {
            allocAlignMask = PAGE_SIZE - 1;
        }
        // At least slot aligned; the low bits of min_align_mask are kept by the offset instead.
        allocAlignMask |= IO_TLB_SIZE - 1;
        iotlbAlignMask &= ~allocAlignMask;
        long stride = (Math.max(allocAlignMask, iotlbAlignMask) >>> IO_TLB_SHIFT) + 1;
        long tblSlots = nrSlots(tblDmaAddr);

        synchronized (area) {
            if (nslots > areaNslabs - area.used) {
                return -1;
            }
            int slotBase = areaIndex * areaNslabs;
            int index = area.index;
            for (long checked = 0; checked < areaNslabs;) {
                int slotIndex = slotBase + index;
                long tlbAddr = tblDmaAddr + ((long) slotIndex << IO_TLB_SHIFT);
                if ((tlbAddr & allocAlignMask) != 0
                        || (orig != 0 && (tlbAddr & iotlbAlignMask) != (orig & iotlbAlignMask))) {
                    index = wrapAreaIndex(index + 1L);
                    checked++;
                    continue;
                }
                if (!isSpanBoundary(slotIndex, nslots, tblSlots, maxSlots) && list[slotIndex] >= nslots) {
                    take(slotIndex, nslots, size, offset);
                    area.index = wrapAreaIndex((long) index + nslots);
                    area.used += nslots;
                    return record(slotIndex, orig, size, allocAlignMask0, minAlignMask, mapSize, holder);
                }
                index = wrapAreaIndex(index + stride);
                checked += stride;
            }
            return -1;
        }
    }

    /** The "found:" part of {@code swiotlb_search_pool_area}; caller holds the area lock. */
    private void take(int slotIndex, int nslots, long size, int offset) {
        for (int i = slotIndex; i < slotIndex + nslots; i++) {
            list[i] = 0;
            allocSize[i] = (int) (size - (offset + ((long) (i - slotIndex) << IO_TLB_SHIFT)));
        }
        short count = 0;
        for (int i = slotIndex - 1; i >= 0 && (i & (IO_TLB_SEGSIZE - 1)) != IO_TLB_SEGSIZE - 1 && list[i] != 0; i--) {
            list[i] = ++count;
        }
    }

    /**
     * The bookkeeping half of {@code swiotlb_tbl_map_single}: padding slots, then each mapped
     * slot's {@code orig_addr}. Caller holds the area lock, so a concurrent unmap or sync
     * sees either none or all of it.
     */
    private int record(int slotIndex, long orig, long size, long allocAlignMask, long minAlignMask, long mapSize,
            Object holder) {
        long offset = alignOffset(minAlignMask, allocAlignMask, orig);
        int pad = (int) (offset >>> IO_TLB_SHIFT);
        short lowOffset = (short) (offset & (IO_TLB_SIZE - 1));
        int head = slotIndex + pad;
        padSlots[head] = (short) pad;
        long mapped = nrSlots(size) - pad;
        for (int i = 0; i < mapped; i++) {
            origAddr[head + i] = orig + ((long) i << IO_TLB_SHIFT);
            alignOffset[head + i] = lowOffset;
        }
        mappingSize[head] = (int) mapSize;
        owner[head] = holder;
        return head;
    }

    // ---- look up -----------------------------------------------------------------------------

    /**
     * The head slot of the live allocation whose bounce address is {@code poolOffset}, or -1
     * when {@code poolOffset} is not exactly an address {@link #allocate} handed out.
     */
    public int liveHead(long poolOffset) {
        if (poolOffset < 0 || poolOffset >= (long) nslabs << IO_TLB_SHIFT) {
            return -1;
        }
        int k = (int) (poolOffset >>> IO_TLB_SHIFT);
        synchronized (areas[k / areaNslabs]) {
            return isHeadAt(k, poolOffset) ? k : -1;
        }
    }

    private boolean isHeadAt(int k, long poolOffset) {
        return mappingSize[k] > 0 && (poolOffset & (IO_TLB_SIZE - 1)) == alignOffset[k];
    }

    /**
     * The slot holding {@code poolOffset} when it lies inside a live bounce buffer (at or after
     * its bounce address; the trailing padding counts, as in {@code swiotlb_bounce}), else -1.
     */
    public int liveSlot(long poolOffset) {
        if (poolOffset < 0 || poolOffset >= (long) nslabs << IO_TLB_SHIFT) {
            return -1;
        }
        int k = (int) (poolOffset >>> IO_TLB_SHIFT);
        synchronized (areas[k / areaNslabs]) {
            if (origAddr[k] == INVALID_PHYS_ADDR) {
                return -1;
            }
            // Before the bounce address in the head slot: the min_align pre-padding, not the buffer.
            if (mappingSize[k] > 0 && (poolOffset & (IO_TLB_SIZE - 1)) < alignOffset[k]) {
                return -1;
            }
            return k;
        }
    }

    /** {@code slots[k].orig_addr}. */
    public long origAddr(int k) {
        return origAddr[k];
    }

    /** {@code slots[k].alloc_size}: bytes from slot {@code k}'s bounce position to the allocation's end. */
    public int allocSize(int k) {
        return allocSize[k];
    }

    /** The {@code min_align_mask} offset of the allocation slot {@code k} belongs to (below 2 KiB). */
    public int alignOffset(int k) {
        return alignOffset[k];
    }

    /** The first slot of the allocation whose head is {@code head}, padding slots included. */
    public int firstSlot(int head) {
        return head - padSlots[head];
    }

    /** The whole allocation's size in bytes, {@code ALIGN(mapping_size + offset, alloc_align_mask + 1)}. */
    public long allocationBytes(int head) {
        return (long) allocSize[firstSlot(head)] + alignOffset[head];
    }

    /** The mapping size recorded at a head slot (0 elsewhere). */
    public int mappingSize(int head) {
        return mappingSize[head];
    }

    // ---- release -----------------------------------------------------------------------------

    /**
     * Linux {@code swiotlb_release_slots} for the allocation whose bounce address is
     * {@code poolOffset}.
     *
     * @return false, changing nothing, when {@code poolOffset} is not a live bounce address
     */
    public boolean release(long poolOffset) {
        if (poolOffset < 0 || poolOffset >= (long) nslabs << IO_TLB_SHIFT) {
            return false;
        }
        int head = (int) (poolOffset >>> IO_TLB_SHIFT);
        int nslots;
        synchronized (areas[head / areaNslabs]) {
            if (!isHeadAt(head, poolOffset)) {
                return false;
            }
            nslots = releaseLocked(head);
        }
        totalUsed.addAndGet(-nslots);
        live.decrementAndGet();
        return true;
    }

    /** Caller holds the lock of {@code head}'s area. Returns the slots freed. */
    private int releaseLocked(int head) {
        int index = head - padSlots[head];
        int nslots = (int) nrSlots((long) allocSize[index] + alignOffset[head]);
        int count;
        // Merge with the free run after the allocation, within the segment.
        if (index + nslots < alignUp(index + 1, IO_TLB_SEGSIZE)) {
            count = list[index + nslots];
        } else {
            count = 0;
        }
        // Linux resets list, orig_addr, alloc_size and pad_slots of every slot; the fields this
        // model keeps only at the head (pad slots, mapping size, owner) are reset there once.
        padSlots[head] = 0;
        mappingSize[head] = 0;
        owner[head] = null;
        for (int i = index + nslots - 1; i >= index; i--) {
            list[i] = (short) ++count;
            origAddr[i] = INVALID_PHYS_ADDR;
            allocSize[i] = 0;
            alignOffset[i] = 0;
        }
        // Merge with the free slots before it, within the segment.
        for (int i = index - 1; i >= 0 && (i & (IO_TLB_SEGSIZE - 1)) != IO_TLB_SEGSIZE - 1 && list[i] != 0; i--) {
            list[i] = (short) ++count;
        }
        areas[index / areaNslabs].used -= nslots;
        return nslots;
    }

    private static int alignUp(int x, int a) {
        return (x + a - 1) & -a;
    }

    /**
     * Releases every live allocation whose holder satisfies {@code ownedBy}, area by area
     * under each area's lock. Not a hot path.
     *
     * @return the number of allocations released
     */
    public int releaseIf(Predicate<Object> ownedBy) {
        int released = 0;
        for (int a = 0; a < nareas; a++) {
            int freed = 0;
            int n = 0;
            synchronized (areas[a]) {
                for (int k = a * areaNslabs; k < (a + 1) * areaNslabs; k++) {
                    if (mappingSize[k] > 0 && ownedBy.test(owner[k])) {
                        freed += releaseLocked(k);
                        n++;
                    }
                }
            }
            totalUsed.addAndGet(-freed);
            live.addAndGet(-n);
            released += n;
        }
        return released;
    }

    // ---- state -------------------------------------------------------------------------------

    public int nslabs() {
        return nslabs;
    }

    public int nareas() {
        return nareas;
    }

    public int areaNslabs() {
        return areaNslabs;
    }

    /** Linux {@code mem_used}: slots allocated now, padding included. */
    public long usedSlots() {
        return totalUsed.get();
    }

    /** Linux {@code used_hiwater}. */
    public long highWaterSlots() {
        return usedHiwater.get();
    }

    /** Allocations live now. */
    public long liveAllocations() {
        return live.get();
    }

    /** Slot {@code i}'s free-run counter, Linux {@code slots[i].list}. */
    public int freeRun(int i) {
        synchronized (areas[i / areaNslabs]) {
            return list[i];
        }
    }
}
