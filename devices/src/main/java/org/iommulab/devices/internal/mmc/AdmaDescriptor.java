package org.iommulab.devices.internal.mmc;

/**
 * The MMC host's DMA descriptor, 16 bytes in a coherent table the host reads through its bus
 * master (shaped after SDHCI's ADMA2, which this host's engine resembles):
 * <pre>
 *  0..7   bus address of the chunk
 *  8..11  chunk length, 1..{@value #MAX_LENGTH} bytes: the engine's limit
 * 12..15  control: bit 31 VALID, bit 30 END, bits 0..23 PIO gap: bytes of the transfer that
 *         follow this chunk and go through the data port instead (0..16 MiB-1)
 * </pre>
 */
public final class AdmaDescriptor {
    public static final int SIZE = 16;
    public static final int ADDR = 0;
    public static final int LENGTH = 8;
    public static final int CONTROL = 12;
    /** The most one descriptor moves: the engine's 4 KiB limit that makes a driver finish longer segments by PIO. */
    public static final int MAX_LENGTH = 4096;
    public static final int VALID = 1 << 31;
    public static final int END = 1 << 30;
    public static final int GAP_MASK = (1 << 24) - 1;

    private AdmaDescriptor() {
    }
}
