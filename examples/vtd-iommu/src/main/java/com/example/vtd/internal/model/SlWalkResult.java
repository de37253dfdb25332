package com.example.vtd.internal.model;

/** The leaf a walk ended at: reused by the walking unit, so a walk allocates nothing. */
final class SlWalkResult {
    private long block;
    private int shift;
    private int level;
    private boolean read;
    private boolean write;

    void set(long blockOutput, int shift, int level, boolean read, boolean write) {
        this.block = blockOutput & -(1L << shift);
        this.shift = shift;
        this.level = level;
        this.read = read;
        this.write = write;
    }

    /** Output address of the leaf's first byte. */
    long block() {
        return block;
    }

    /** log2 of the leaf's size: 12, 21 or 30. */
    int shift() {
        return shift;
    }

    int level() {
        return level;
    }

    /** The effective read permission (R of every level). */
    boolean read() {
        return read;
    }

    /** The effective write permission (W of every level). */
    boolean write() {
        return write;
    }

    /** The physical address of {@code iova} through the leaf. */
    long translate(long iova) {
        return block | (iova & ((1L << shift) - 1));
    }
}
