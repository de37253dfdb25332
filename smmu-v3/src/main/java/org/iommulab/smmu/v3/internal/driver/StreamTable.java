package org.iommulab.smmu.v3.internal.driver;

import java.util.HashMap;
import java.util.Map;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;
import org.iommulab.smmu.v3.internal.format.RegFields.Strtab;
import org.iommulab.smmu.v3.internal.format.SteFormat;

/**
 * The driver's stream table, Linux {@code arm_smmu_init_strtab_linear} and
 * {@code arm_smmu_init_strtab_2lvl}: a linear array of 2^SIDSIZE STEs, or a level-1 array of
 * descriptors whose level-2 arrays of 2^SPLIT STEs are allocated when a master with one of
 * their StreamIDs is probed ({@code arm_smmu_init_l2_strtab}). Every STE starts as abort
 * ({@code arm_smmu_init_initial_stes} with {@code disable_bypass}); an L1 descriptor gets
 * Span = SPLIT + 1 once its level-2 array exists. Thread-safe.
 */
final class StreamTable {
    /** Linux STRTAB_SPLIT: 256 STEs (16 KiB) per level-2 array, one PCI bus. */
    static final int SPLIT = 8;
    /** Linux STRTAB_MAX_L1_ENTRIES. */
    static final int MAX_L1_ENTRIES = 1 << 17;

    private final PhysicalMemory memory;
    private final PageAllocator allocator;
    private final boolean twoLevel;
    private final int log2size;
    private final DmaBuffer table;
    private final Map<Integer, DmaBuffer> l2 = new HashMap<>();

    private StreamTable(PhysicalMemory memory, PageAllocator allocator, boolean twoLevel, int log2size, DmaBuffer table) {
        this.memory = memory;
        this.allocator = allocator;
        this.twoLevel = twoLevel;
        this.log2size = log2size;
        this.table = table;
    }

    /** A table for {@code sidBits}-bit StreamIDs; null when memory ran out. */
    static StreamTable create(PhysicalMemory memory, PageAllocator allocator, boolean twoLevel, int sidBits) {
        if (!twoLevel || sidBits <= SPLIT) {
            DmaBuffer t = DmaBuffer.allocate(memory, allocator, (long) SteFormat.STE_SIZE << sidBits, Zone.NORMAL);
            if (t == null) {
                return null;
            }
            long[] abort = new long[EntryWriter.QWORDS];
            SteEntries.abort(abort);
            for (long sid = 0; sid < 1L << sidBits; sid++) {
                writeRaw(memory, t.base() + sid * SteFormat.STE_SIZE, abort);
            }
            return new StreamTable(memory, allocator, false, sidBits, t);
        }
        int l1Bits = Math.min(sidBits - SPLIT, Integer.numberOfTrailingZeros(MAX_L1_ENTRIES));
        DmaBuffer t = DmaBuffer.allocate(memory, allocator, (long) SteFormat.L1STD_SIZE << l1Bits, Zone.NORMAL);
        return t == null ? null : new StreamTable(memory, allocator, true, SPLIT + l1Bits, t);
    }

    long baseRegister() {
        return Strtab.ADDR.bits(table.base()) | Strtab.RA.mask();
    }

    long cfgRegister() {
        return Strtab.FMT.of(twoLevel ? Strtab.FMT_2LVL : Strtab.FMT_LINEAR) | Strtab.LOG2SIZE.of(log2size)
                | (twoLevel ? Strtab.SPLIT.of(SPLIT) : 0);
    }

    boolean twoLevel() {
        return twoLevel;
    }

    /** StreamIDs the table covers: 2^LOG2SIZE. */
    long span() {
        return 1L << log2size;
    }

    /**
     * Makes sure {@code sid} has an STE, Linux {@code arm_smmu_init_sid_strtab}: allocates its
     * level-2 array (all abort) and links it. Returns false when memory ran out.
     */
    synchronized boolean ensure(int sid) {
        if (!twoLevel) {
            return true;
        }
        int l1 = sid >>> SPLIT;
        if (l2.containsKey(l1)) {
            return true;
        }
        DmaBuffer t = DmaBuffer.allocate(memory, allocator, (long) SteFormat.STE_SIZE << SPLIT, Zone.NORMAL);
        if (t == null) {
            return false;
        }
        long[] abort = new long[EntryWriter.QWORDS];
        SteEntries.abort(abort);
        for (int i = 0; i < 1 << SPLIT; i++) {
            writeRaw(memory, t.base() + (long) i * SteFormat.STE_SIZE, abort);
        }
        l2.put(l1, t);
        // arm_smmu_write_strtab_l1_desc: the level-2 array is complete before the SMMU can see it.
        long desc = SteFormat.L1STD_SPAN.of(SPLIT + 1) | SteFormat.L1STD_L2PTR.bits(t.base());
        memory.writeLong(table.base() + (long) l1 * SteFormat.L1STD_SIZE, desc);
        return true;
    }

    /** The address of {@code sid}'s STE; {@link #ensure} must have succeeded. */
    synchronized long steAddress(int sid) {
        if (!twoLevel) {
            return table.base() + (sid & 0xffff_ffffL) * SteFormat.STE_SIZE;
        }
        DmaBuffer t = l2.get(sid >>> SPLIT);
        if (t == null) {
            throw new IllegalStateException("StreamID " + sid + " has no level-2 stream table");
        }
        return t.base() + (long) (sid & ((1 << SPLIT) - 1)) * SteFormat.STE_SIZE;
    }

    /** Frees every array; the SMMU must no longer use the table. */
    synchronized void free() {
        l2.values().forEach(DmaBuffer::free);
        l2.clear();
        table.free();
    }

    private static void writeRaw(PhysicalMemory memory, long at, long[] ste) {
        for (int i = 0; i < ste.length; i++) {
            memory.writeLong(at + 8L * i, ste[i]);
        }
    }
}
