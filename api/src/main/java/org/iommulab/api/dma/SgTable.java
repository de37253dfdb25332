package org.iommulab.api.dma;

import java.util.Arrays;

/**
 * A scatter-gather table with its two views kept apart, Linux {@code struct sg_table}.
 *
 * <p><b>CPU view</b>: the original entries, {@link #origNents()} of them, each a physical
 * address and a length ({@code sg_phys(sg)}, {@code sg->length}). It never changes while the
 * table is mapped.
 *
 * <p><b>DMA view</b>: the segments a mapping produced, {@link #nents()} of them, each a DMA
 * address and a length ({@code sg_dma_address}, {@code sg_dma_len}). An IOMMU may merge entries,
 * so {@code nents} may be smaller than {@code origNents}: {@code dma_map_sg} returning 1 for 4
 * entries is legal. Reading DMA segment {@code i >= nents} throws, so a driver that pairs DMA
 * segment N with CPU entry N fails loudly instead of silently corrupting data.
 *
 * <p>A driver builds the CPU view with {@link #add(long, int)}; a backend fills the DMA view
 * through {@link #setDmaSegment(int, long, int)} and {@link #setNents(int)}. Tables can be
 * {@linkplain #clear() cleared} and reused so that a hot loop allocates nothing.
 * Not thread-safe: one table belongs to one request.
 */
public final class SgTable {
    /** CPU page size the entries' page and offset are expressed in ({@code PAGE_SIZE}). */
    public static final int PAGE_SIZE = 4096;

    private long[] phys;
    private int[] length;
    private long[] dmaAddress;
    private int[] dmaLength;
    private int origNents;
    private int nents;

    /** An empty table with room for {@code capacity} entries before it grows. */
    public SgTable(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("sg table capacity must be positive, got " + capacity);
        }
        phys = new long[capacity];
        length = new int[capacity];
        dmaAddress = new long[capacity];
        dmaLength = new int[capacity];
    }

    /** A table whose CPU view is the given (physical address, length) pairs. */
    public static SgTable of(long[] physAddrs, int[] lengths) {
        if (physAddrs == null || lengths == null || physAddrs.length != lengths.length || physAddrs.length == 0) {
            throw new IllegalArgumentException("sg table needs equally long, non-empty address and length arrays");
        }
        SgTable t = new SgTable(physAddrs.length);
        for (int i = 0; i < physAddrs.length; i++) {
            t.add(physAddrs[i], lengths[i]);
        }
        return t;
    }

    /**
     * Appends a CPU entry ({@code sg_set_page} with the page and offset of {@code physAddr}).
     *
     * @throws IllegalArgumentException for a non-positive length or an address range that overflows
     * @throws IllegalStateException while the table is mapped
     */
    public SgTable add(long physAddr, int len) {
        requireUnmapped("add an entry to");
        if (len <= 0) {
            throw new IllegalArgumentException("sg entry length must be positive, got " + len);
        }
        if (physAddr < 0 || physAddr + len < physAddr) {
            throw new IllegalArgumentException("sg entry 0x" + Long.toHexString(physAddr) + "+" + len
                    + " is outside the 63-bit physical space");
        }
        if (origNents == phys.length) {
            int cap = phys.length * 2;
            phys = Arrays.copyOf(phys, cap);
            length = Arrays.copyOf(length, cap);
            dmaAddress = Arrays.copyOf(dmaAddress, cap);
            dmaLength = Arrays.copyOf(dmaLength, cap);
        }
        phys[origNents] = physAddr;
        length[origNents] = len;
        dmaAddress[origNents] = DmaMasks.MAPPING_ERROR;
        dmaLength[origNents] = 0;
        origNents++;
        return this;
    }

    /** Removes every entry so the table can be reused; it must not be mapped. */
    public void clear() {
        requireUnmapped("clear");
        origNents = 0;
    }

    // ---- CPU view ------------------------------------------------------------------------

    /** Number of CPU entries, Linux {@code sgt->orig_nents}. Unmap and sync take this count. */
    public int origNents() {
        return origNents;
    }

    /** Physical address of CPU entry {@code i}, Linux {@code sg_phys(sg)}. */
    public long cpuPhys(int i) {
        checkCpu(i);
        return phys[i];
    }

    /** Physical address of the page of CPU entry {@code i}, {@code page_to_phys(sg_page(sg))}. */
    public long cpuPage(int i) {
        checkCpu(i);
        return phys[i] & -PAGE_SIZE;
    }

    /** Offset of CPU entry {@code i} within its first page, {@code sg->offset}. */
    public int cpuOffset(int i) {
        checkCpu(i);
        return (int) (phys[i] & (PAGE_SIZE - 1));
    }

    /** Length of CPU entry {@code i} in bytes, {@code sg->length}. */
    public int cpuLength(int i) {
        checkCpu(i);
        return length[i];
    }

    /** Sum of the CPU entries' lengths: the size of the transfer. */
    public long totalLength() {
        long sum = 0;
        for (int i = 0; i < origNents; i++) {
            sum += length[i];
        }
        return sum;
    }

    /**
     * Physical address of byte {@code offset} of the transfer, found through the CPU view: the
     * right way for a driver that mixes DMA and PIO to locate the bytes a DMA segment did not
     * cover. For repeated lookups use an {@link SgMiter}.
     *
     * @throws IndexOutOfBoundsException when {@code offset} is outside the transfer
     */
    public long cpuPhysAt(long offset) {
        if (offset < 0) {
            throw new IndexOutOfBoundsException("negative transfer offset " + offset);
        }
        long left = offset;
        for (int i = 0; i < origNents; i++) {
            if (left < length[i]) {
                return phys[i] + left;
            }
            left -= length[i];
        }
        throw new IndexOutOfBoundsException("transfer offset " + offset + " is beyond the "
                + totalLength() + "-byte transfer");
    }

    // ---- DMA view ------------------------------------------------------------------------

    /** Number of DMA segments, Linux {@code sgt->nents}; 0 while the table is not mapped. */
    public int nents() {
        return nents;
    }

    /** True while a mapping holds this table (its DMA view is valid). */
    public boolean isMapped() {
        return nents > 0;
    }

    /**
     * DMA address of segment {@code i}, {@code sg_dma_address(sg)}.
     *
     * @throws IllegalStateException for {@code i >= nents}: that slot is a CPU entry with no DMA
     *         segment of its own, the mistake that corrupts data behind an IOMMU
     */
    public long dmaAddress(int i) {
        checkDma(i);
        return dmaAddress[i];
    }

    /** Length of DMA segment {@code i}, {@code sg_dma_len(sg)}; same rule as {@link #dmaAddress}. */
    public int dmaLength(int i) {
        checkDma(i);
        return dmaLength[i];
    }

    /**
     * The stored DMA address field of slot {@code i}, valid or not, as Linux keeps it in
     * {@code sg->dma_address}: trailing slots past {@code nents} hold {@link DmaMasks#MAPPING_ERROR}.
     * For backends and tests that check that marking; drivers use {@link #dmaAddress(int)}.
     */
    public long dmaAddressField(int i) {
        checkCpu(i);
        return dmaAddress[i];
    }

    /** The stored DMA length field of slot {@code i}; see {@link #dmaAddressField(int)}. */
    public int dmaLengthField(int i) {
        checkCpu(i);
        return dmaLength[i];
    }

    /** Sum of the DMA segments' lengths (equals {@link #totalLength()} unless padding was mapped). */
    public long totalDmaLength() {
        long sum = 0;
        for (int i = 0; i < nents; i++) {
            sum += dmaLength[i];
        }
        return sum;
    }

    /**
     * Backend use: writes DMA slot {@code i} ({@code i < origNents}). The slot becomes visible to
     * drivers only once {@link #setNents(int)} covers it.
     */
    public void setDmaSegment(int i, long dmaAddr, int dmaLen) {
        checkCpu(i);
        if (dmaLen < 0) {
            throw new IllegalArgumentException("DMA segment length must not be negative, got " + dmaLen);
        }
        dmaAddress[i] = dmaAddr;
        dmaLength[i] = dmaLen;
    }

    /**
     * Backend and platform use: publishes the DMA view ({@code 1..origNents}) after a mapping,
     * or withdraws it ({@code 0}) after unmap or a failed mapping.
     */
    public void setNents(int n) {
        if (n < 0 || n > origNents) {
            throw new IllegalArgumentException("nents " + n + " outside 0.." + origNents);
        }
        nents = n;
    }

    /** Backend use: marks every DMA slot unused ({@code DMA_MAPPING_ERROR}, length 0), as {@code __invalidate_sg}. */
    public void invalidateDma() {
        for (int i = 0; i < origNents; i++) {
            dmaAddress[i] = DmaMasks.MAPPING_ERROR;
            dmaLength[i] = 0;
        }
        nents = 0;
    }

    private void checkCpu(int i) {
        if (i < 0 || i >= origNents) {
            throw new IndexOutOfBoundsException("CPU entry " + i + " outside 0.." + (origNents - 1));
        }
    }

    private void checkDma(int i) {
        if (nents == 0) {
            throw new IllegalStateException("DMA segment " + i + " read from an sg table that is not mapped");
        }
        if (i < 0 || i >= nents) {
            throw new IllegalStateException("DMA segment " + i + " does not exist: the mapping produced "
                    + nents + " DMA segment(s) for " + origNents + " CPU entries; CPU entry " + i
                    + " is not DMA segment " + i + " (walk the CPU view with SgMiter)");
        }
    }

    private void requireUnmapped(String what) {
        if (nents != 0) {
            throw new IllegalStateException("cannot " + what + " an sg table while it is mapped");
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("SgTable[origNents=").append(origNents).append(", nents=").append(nents);
        for (int i = 0; i < origNents; i++) {
            b.append(i == 0 ? "; cpu " : ", ").append("0x").append(Long.toHexString(phys[i])).append('+').append(length[i]);
        }
        for (int i = 0; i < nents; i++) {
            b.append(i == 0 ? "; dma " : ", ").append("0x").append(Long.toHexString(dmaAddress[i])).append('+').append(dmaLength[i]);
        }
        return b.append(']').toString();
    }
}
