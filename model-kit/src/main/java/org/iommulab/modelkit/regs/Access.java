package org.iommulab.modelkit.regs;

/**
 * How software may access a register, as the specifications' register descriptions give it.
 * {@link Register#read} and {@link Register#write} apply it the way hardware does; a model that
 * refuses a bad access instead (to show a driver its bug) checks {@link #readable()} and
 * {@link #writable()} first.
 */
public enum Access {
    /** Read/write. */
    RW,
    /** Read-only: writes are ignored. */
    RO,
    /** Write-only (commands, invalidations, syncs): reads return zero. */
    WO,
    /** Read, write-one-to-clear: a write clears the bits written as 1 (status registers). */
    W1C;

    /** False for {@link #WO}. */
    public boolean readable() {
        return this != WO;
    }

    /** False for {@link #RO}. */
    public boolean writable() {
        return this != RO;
    }
}
