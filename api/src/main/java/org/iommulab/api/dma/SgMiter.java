package org.iommulab.api.dma;

/**
 * A byte-offset iterator over an sg table's CPU view, Linux {@code struct sg_mapping_iter}
 * ({@code sg_miter_start}, {@code sg_miter_skip}, {@code sg_miter_next}).
 *
 * <p>Each step yields one chunk that lies within one CPU entry and one CPU page. A driver that
 * does part of a transfer by DMA and the rest by PIO skips the bytes the DMA covered and then
 * finds the CPU location of the rest here, never by pairing DMA segment N with CPU entry N.
 * Reusable and allocation-free: {@link #reset(SgTable)} rebinds it.
 */
public final class SgMiter {
    private SgTable table;
    private int entry;
    private long entryOffset;
    private long transferOffset;
    private long chunkPhys;
    private int chunkLength;

    /** An iterator positioned before the first byte of {@code table}. */
    public SgMiter(SgTable table) {
        reset(table);
    }

    /** Rebinds to {@code table} and rewinds to its first byte. */
    public SgMiter reset(SgTable t) {
        if (t == null) {
            throw new IllegalArgumentException("sg table must not be null");
        }
        table = t;
        entry = 0;
        entryOffset = 0;
        transferOffset = 0;
        chunkPhys = 0;
        chunkLength = 0;
        return this;
    }

    /**
     * Advances {@code bytes} bytes through the transfer without yielding chunks,
     * {@code sg_miter_skip}. Returns false (and stays at the end) when the transfer is shorter.
     */
    public boolean skip(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot skip a negative byte count " + bytes);
        }
        consumeChunk();
        long left = bytes;
        while (left > 0 && entry < table.origNents()) {
            long inEntry = table.cpuLength(entry) - entryOffset;
            if (left < inEntry) {
                entryOffset += left;
                transferOffset += left;
                return true;
            }
            left -= inEntry;
            transferOffset += inEntry;
            entry++;
            entryOffset = 0;
        }
        return left == 0;
    }

    /**
     * Moves to the next chunk: at most the rest of the current CPU page within the current
     * entry. Returns false at the end of the transfer.
     */
    public boolean next() {
        consumeChunk();
        while (entry < table.origNents() && entryOffset >= table.cpuLength(entry)) {
            entry++;
            entryOffset = 0;
        }
        if (entry >= table.origNents()) {
            chunkLength = 0;
            return false;
        }
        long p = table.cpuPhys(entry) + entryOffset;
        long toPageEnd = SgTable.PAGE_SIZE - (p & (SgTable.PAGE_SIZE - 1));
        long inEntry = table.cpuLength(entry) - entryOffset;
        chunkPhys = p;
        chunkLength = (int) Math.min(toPageEnd, inEntry);
        return true;
    }

    /** Physical address of the current chunk. */
    public long phys() {
        return chunkPhys;
    }

    /** Length of the current chunk in bytes (0 before the first {@link #next()} or at the end). */
    public int length() {
        return chunkLength;
    }

    /** Offset within the whole transfer of the current chunk's first byte (or of the position). */
    public long transferOffset() {
        return transferOffset;
    }

    /** Index of the CPU entry the current chunk belongs to. */
    public int entry() {
        return entry;
    }

    private void consumeChunk() {
        if (chunkLength > 0) {
            entryOffset += chunkLength;
            transferOffset += chunkLength;
            chunkLength = 0;
        }
    }
}
