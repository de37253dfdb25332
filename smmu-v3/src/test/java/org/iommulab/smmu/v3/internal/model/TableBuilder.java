package org.iommulab.smmu.v3.internal.model;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;
import org.iommulab.iopgtable.lpae.LpaeFormat;

/**
 * Hand-written VMSAv8-64 tables for conformance tests, as QEMU's qos-smmuv3 writes them:
 * tables are created on the way down, and leaves carry exactly the attribute bits a test asks
 * for, so faults can be provoked descriptor by descriptor.
 */
final class TableBuilder {
    /** Stage-1 read/write page, accessible unprivileged, AF set. */
    static final long S1_RW = LpaeFormat.PTE_AF | LpaeFormat.PTE_AP_UNPRIV;
    static final long S1_RO = S1_RW | LpaeFormat.PTE_AP_RDONLY;
    /** Stage-2 read/write, AF set. */
    static final long S2_RW = LpaeFormat.PTE_AF | LpaeFormat.PTE_HAP_READ | LpaeFormat.PTE_HAP_WRITE;
    static final long S2_RO = LpaeFormat.PTE_AF | LpaeFormat.PTE_HAP_READ;

    private final PhysicalMemory mem;
    private final PageAllocator alloc;
    final int granuleShift;
    final int inputBits;
    final int startLevel;
    final long root;

    TableBuilder(PhysicalMemory mem, PageAllocator alloc, int granuleShift, int inputBits, int startLevel) {
        this.mem = mem;
        this.alloc = alloc;
        this.granuleShift = granuleShift;
        this.inputBits = inputBits;
        this.startLevel = startLevel;
        int startBits = inputBits - shift(startLevel);
        this.root = table(Math.max(1L << granuleShift, 8L << startBits));
    }

    /** Stage-1 style: start level derived from the input size. */
    static TableBuilder stage1(PhysicalMemory mem, PageAllocator alloc, int granuleShift, int inputBits) {
        int bits = granuleShift - 3;
        int levels = (inputBits - granuleShift + bits - 1) / bits;
        return new TableBuilder(mem, alloc, granuleShift, inputBits, 4 - levels);
    }

    int shift(int level) {
        return (4 - level) * (granuleShift - 3) + 3;
    }

    long blockSize(int level) {
        return 1L << shift(level);
    }

    /** Maps {@code va} to {@code pa} with a leaf at {@code level} and {@code attrs}. */
    void map(long va, long pa, int level, long attrs) {
        set(va, level, pa | attrs | (level == 3 ? LpaeFormat.PTE_TYPE_PAGE : LpaeFormat.PTE_TYPE_BLOCK));
    }

    /** Writes a raw descriptor for {@code va} at {@code level}, creating the tables above it. */
    void set(long va, int level, long desc) {
        mem.writeLong(descAddr(va, level), desc);
    }

    /** The address of the level-{@code level} descriptor for {@code va} (tables created on the way). */
    long descAddr(long va, int level) {
        long table = root;
        for (int l = startLevel; l < level; l++) {
            long at = table + index(va, l) * 8;
            long d = mem.readLong(at);
            if ((d & 3) != 3) {
                long t = table(1L << granuleShift);
                d = t | LpaeFormat.PTE_TYPE_TABLE;
                mem.writeLong(at, d);
            }
            table = d & LpaeFormat.PTE_ADDR_MASK;
        }
        return table + index(va, level) * 8;
    }

    private long index(long va, int level) {
        int bits = level == startLevel ? inputBits - shift(level) : granuleShift - 3;
        return (va >>> shift(level)) & ((1L << bits) - 1);
    }

    private long table(long bytes) {
        long a = alloc.allocPages(Math.max(1, bytes / PageAllocator.PAGE_SIZE), Zone.NORMAL);
        mem.fill(a, Math.max(bytes, PageAllocator.PAGE_SIZE), (byte) 0);
        return a;
    }
}
