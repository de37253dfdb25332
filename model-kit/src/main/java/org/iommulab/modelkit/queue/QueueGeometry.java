package org.iommulab.modelkit.queue;

/**
 * The shape of a circular queue in memory and the arithmetic of its producer and consumer
 * registers: {@code 2^log2} entries of {@code entryBytes} each, and how a register value
 * encodes a position. Two encodings cover the IOMMUs:
 * <ul>
 * <li>{@link #wrapBit}: the index in bits {@code [log2-1:0]} and a wrap flag at bit
 * {@code log2} (SMMUv3 PROD/CONS, IHI0070 §3.5; Linux {@code Q_IDX}, {@code Q_WRP}). Empty
 * when index and wrap are both equal, full when the indexes are equal and the wraps differ, so
 * all {@code 2^log2} entries are usable.
 * <li>{@link #oneSlotFree}: the index shifted left by {@code indexShift}, no wrap flag (VT-d
 * IQH/IQT and PQH/PQT hold byte offsets, {@link #byteOffsets}; RISC-V IOMMU queue head and
 * tail hold indexes; AMD-Vi buffer head and tail byte offsets). Full when the tail is one
 * behind the head, so one slot always stays free.
 * </ul>
 * Register bits outside the position (SMMUv3 CONS.ERR, PROD.OVFLG, CONS.OVACKFLG; reserved low
 * bits of a byte offset) are flags: every operation keeps them apart and {@link #advance}
 * preserves them.
 *
 * <p>Immutable and thread-safe; no method allocates.
 */
public final class QueueGeometry {
    private final int log2;
    private final int entryBytes;
    private final int indexShift;
    private final boolean wrapFlag;
    private final int entries;
    /** Mask of the position (index and wrap) after shifting right by indexShift. */
    private final int positionMask;
    /** Mask of the position bits in the register. */
    private final int registerMask;

    private QueueGeometry(int log2, int entryBytes, int indexShift, boolean wrapFlag) {
        int positionBits = log2 + (wrapFlag ? 1 : 0);
        if (log2 < 0 || indexShift < 0 || positionBits + indexShift > 31) {
            throw new IllegalArgumentException("queue of 2^" + log2 + " entries with index shift " + indexShift
                    + " does not fit a 32-bit register");
        }
        if (entryBytes < 8 || (entryBytes & 7) != 0) {
            throw new IllegalArgumentException("queue entries must be whole doublewords, got " + entryBytes + " bytes");
        }
        if (!wrapFlag && log2 == 0) {
            throw new IllegalArgumentException("a queue that keeps one slot free needs at least 2 entries");
        }
        this.log2 = log2;
        this.entryBytes = entryBytes;
        this.indexShift = indexShift;
        this.wrapFlag = wrapFlag;
        this.entries = 1 << log2;
        this.positionMask = (1 << positionBits) - 1;
        this.registerMask = positionMask << indexShift;
    }

    /** SMMUv3 style: index in {@code [log2-1:0]}, wrap flag at bit {@code log2}. */
    public static QueueGeometry wrapBit(int log2, int entryBytes) {
        return new QueueGeometry(log2, entryBytes, 0, true);
    }

    /** Head/tail style: {@code index << indexShift}, one slot kept free. */
    public static QueueGeometry oneSlotFree(int log2, int entryBytes, int indexShift) {
        return new QueueGeometry(log2, entryBytes, indexShift, false);
    }

    /** Head/tail holding byte offsets from the base (VT-d IQH/IQT with 128- or 256-bit descriptors). */
    public static QueueGeometry byteOffsets(int log2, int entryBytes) {
        if (Integer.bitCount(entryBytes) != 1) {
            throw new IllegalArgumentException("byte-offset queues need power-of-two entries, got " + entryBytes);
        }
        return new QueueGeometry(log2, entryBytes, Integer.numberOfTrailingZeros(entryBytes), false);
    }

    public int log2Entries() {
        return log2;
    }

    /** Slots in memory. */
    public int entries() {
        return entries;
    }

    /** Entries the producer can have outstanding: all slots with a wrap flag, one fewer without. */
    public int capacity() {
        return wrapFlag ? entries : entries - 1;
    }

    public int entryBytes() {
        return entryBytes;
    }

    /** Doublewords per entry. */
    public int entryDwords() {
        return entryBytes >>> 3;
    }

    /** Bytes the queue occupies. */
    public long bytes() {
        return (long) entries * entryBytes;
    }

    public boolean hasWrapFlag() {
        return wrapFlag;
    }

    /** The slot a register value points at. */
    public int index(int reg) {
        return (reg >>> indexShift) & (entries - 1);
    }

    /** The wrap flag, 0 or 1 (always 0 without one). */
    public int wrap(int reg) {
        return wrapFlag ? (reg >>> (indexShift + log2)) & 1 : 0;
    }

    /** Index and wrap flag only, in place, without the flags. */
    public int position(int reg) {
        return reg & registerMask;
    }

    /** Everything but the position: the flags. */
    public int flags(int reg) {
        return reg & ~registerMask;
    }

    /** Entries written and not yet consumed. */
    public int used(int prod, int cons) {
        return ((prod >>> indexShift) - (cons >>> indexShift)) & positionMask;
    }

    /** Entries the producer may still write (negative when the pair is inconsistent). */
    public int space(int prod, int cons) {
        return capacity() - used(prod, cons);
    }

    public boolean empty(int prod, int cons) {
        return used(prod, cons) == 0;
    }

    public boolean full(int prod, int cons) {
        return used(prod, cons) == capacity();
    }

    /**
     * True when the producer is at most {@link #capacity()} ahead of the consumer. A pair that
     * breaks it (a wrap-flag queue claiming more entries than it has) is a software error; a
     * one-slot-free pair is always consistent, its encoding cannot say more.
     */
    public boolean consistent(int prod, int cons) {
        return used(prod, cons) <= capacity();
    }

    /** The register value {@code n} entries after {@code reg}, flags kept. */
    public int advance(int reg, int n) {
        return flags(reg) | ((((reg >>> indexShift) + n) & positionMask) << indexShift);
    }

    /** {@code reg} with its position replaced by that of {@code position}, flags kept. */
    public int withPosition(int reg, int position) {
        return flags(reg) | (position & registerMask);
    }

    /** Address of the slot {@code reg} points at, in a queue at {@code base}. */
    public long slotAddress(long base, int reg) {
        return base + (long) index(reg) * entryBytes;
    }

    /**
     * {@code addr} aligned down to the queue's size or {@code minAlign}, whichever is larger:
     * SMMUv3 ignores the low bits of a queue base up to max(size, 32 bytes) (§6.3.25).
     */
    public long alignBase(long addr, long minAlign) {
        return addr & -Math.max(bytes(), minAlign);
    }

    @Override
    public String toString() {
        return "queue of " + entries + " x " + entryBytes + "-byte entries"
                + (wrapFlag ? ", wrap flag" : ", one slot free") + (indexShift != 0 ? ", index << " + indexShift : "");
    }
}
