package org.iommulab.iopgtable.lpae;

/**
 * The outcome of one {@link LpaeWalker} walk, filled in place so that a walk allocates
 * nothing: either a translation (output address, the leaf's level and block size, the
 * permissions the leaf and its table hierarchy grant, its attributes) or a fault with the
 * level it arose at. One result object belongs to one walking thread; reuse it freely.
 */
public final class LpaeWalkResult {
    private long inputAddress;
    private LpaeFault fault;
    private int level = -1;
    private long outputAddress;
    private int blockShift;
    private boolean readable;
    private boolean writable;
    private boolean executeNever;
    private long descriptor;
    private long descriptorAddress;
    private boolean accessFlagUpdate;

    /** True when the walk produced a translation that allows the access asked for. */
    public boolean ok() {
        return fault == null;
    }

    /** The fault, or null after a successful walk. */
    public LpaeFault fault() {
        return fault;
    }

    /** The input address walked. */
    public long inputAddress() {
        return inputAddress;
    }

    /** The level of the leaf, or of the fault (0 for a fault before the first lookup). */
    public int level() {
        return level;
    }

    /** The translated address of {@link #inputAddress()}; valid when a leaf was reached. */
    public long outputAddress() {
        return outputAddress;
    }

    /** log2 of the leaf's size: every address in the same aligned block translates alike. */
    public int blockShift() {
        return blockShift;
    }

    public long blockSize() {
        return 1L << blockShift;
    }

    /** Output address of the leaf's block (the translation of the block's first byte). */
    public long blockOutput() {
        return outputAddress & -(1L << blockShift);
    }

    /** Whether the leaf allows reads for the access's privilege (stage 1) or at all (stage 2). */
    public boolean readable() {
        return readable;
    }

    /** Whether the leaf allows writes (hierarchical APTable included at stage 1). */
    public boolean writable() {
        return writable;
    }

    /** XN set in the leaf or inherited from XNTable. */
    public boolean executeNever() {
        return executeNever;
    }

    /** The last descriptor read (the leaf, or the one that faulted). */
    public long descriptor() {
        return descriptor;
    }

    /** Physical address of the last descriptor read (the fetch address of a WALK_EABT). */
    public long descriptorAddress() {
        return descriptorAddress;
    }

    /**
     * True when the leaf had AF = 0 and the regime has hardware access-flag update (HA): the
     * hardware sets AF in the descriptor. The walker only reads, so the caller writes
     * {@code descriptor() | LpaeFormat.PTE_AF} at {@link #descriptorAddress()} (as given to the
     * reader: an IPA in a nested walk). Set before the permission check, as the walk would have
     * written it.
     */
    public boolean accessFlagUpdate() {
        return accessFlagUpdate;
    }

    /** Shareability, bits [9:8] of the leaf. */
    public int shareability() {
        return (int) ((descriptor >>> LpaeFormat.PTE_SH_SHIFT) & 3);
    }

    /** Stage-1 MAIR index or stage-2 MemAttr of the leaf, bits [5:2] (AttrIndx is [4:2]). */
    public int memoryAttributes() {
        return (int) ((descriptor >>> 2) & 0xf);
    }

    void start(long input) {
        inputAddress = input;
        fault = null;
        level = -1;
        outputAddress = 0;
        blockShift = 0;
        readable = false;
        writable = false;
        executeNever = false;
        descriptor = 0;
        descriptorAddress = 0;
        accessFlagUpdate = false;
    }

    void fetched(long addr, long desc, int lvl) {
        descriptorAddress = addr;
        descriptor = desc;
        level = lvl;
    }

    boolean fail(LpaeFault f, int lvl) {
        fault = f;
        level = lvl;
        return false;
    }

    void accessFlagToSet() {
        accessFlagUpdate = true;
    }

    void leaf(long output, int shift, boolean r, boolean w, boolean xn) {
        outputAddress = output;
        blockShift = shift;
        readable = r;
        writable = w;
        executeNever = xn;
    }

    @Override
    public String toString() {
        if (fault != null) {
            return String.format("0x%x: %s fault at level %d (descriptor 0x%x at 0x%x)", inputAddress, fault, level,
                    descriptor, descriptorAddress);
        }
        return String.format("0x%x -> 0x%x (level %d, block 0x%x, %s%s%s)", inputAddress, outputAddress, level,
                blockSize(), readable ? "r" : "-", writable ? "w" : "-", executeNever ? " xn" : "");
    }
}
