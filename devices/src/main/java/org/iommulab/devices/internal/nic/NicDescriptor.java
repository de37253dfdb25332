package org.iommulab.devices.internal.nic;

/**
 * The NIC's 16-byte ring descriptor, shared by the TX and RX rings and read and written by the
 * device through its bus master (the rings live in coherent memory):
 * <pre>
 *  0..7   buffer DMA address      (driver writes)
 *  8..11  length: TX frame length; RX buffer capacity, replaced by the frame length on receive
 * 12..15  flags
 * </pre>
 * Ownership passes with {@link #OWN}: the driver sets it to hand a descriptor to the device,
 * the device clears it when done, as e1000-style rings do.
 */
public final class NicDescriptor {
    public static final int SIZE = 16;
    public static final int ADDR = 0;
    public static final int LENGTH = 8;
    public static final int FLAGS = 12;

    /** The device owns the descriptor. */
    public static final int OWN = 1 << 31;
    /** The device finished with it. */
    public static final int DONE = 1;
    /** The device could not complete it (a denied access, a frame too long). */
    public static final int ERR = 1 << 1;
    /** End of packet. */
    public static final int EOP = 1 << 2;

    private NicDescriptor() {
    }
}
