package org.iommulab.iommu.generic.internal.format;

/**
 * Layout of one generic-IOMMU device-table entry (DTE), declared once for the driver, which
 * writes it, and the model, which decodes it. 16 bytes per stream ID, at
 * {@code DT_BASE + sid * 16}, little-endian words:
 *
 * <pre>
 * word 0  [0] V (valid: translate; 0: the stream is disabled)
 *         [2:1] TG: translation granule (0: 4 KiB; 1: 16 KiB and 2: 64 KiB are encodings this
 *               hardware does not implement; 3 reserved)
 *         [8:3] IAS: input address bits of the stage-1 LPAE table
 *         [14:9] OAS: output address bits
 *         [15] AFFD: access-flag faults disabled
 *         [31:16] DID: domain ID tagging the IOTLB entries
 * word 1  [51:12] TTB: physical address of the start-level table
 * </pre>
 */
public final class DeviceTableEntry {
    private DeviceTableEntry() {
    }

    /** Bytes per entry. */
    public static final int SIZE = 16;
    public static final int WORD0 = 0;
    public static final int WORD1 = 8;

    public static final long V = 1L;
    public static final int TG_SHIFT = 1;
    public static final long TG_MASK = 0x3;
    public static final int TG_4K = 0;
    public static final int TG_16K = 1;
    public static final int TG_64K = 2;
    public static final int IAS_SHIFT = 3;
    public static final long IAS_MASK = 0x3f;
    public static final int OAS_SHIFT = 9;
    public static final long OAS_MASK = 0x3f;
    public static final long AFFD = 1L << 15;
    public static final int DID_SHIFT = 16;
    public static final long DID_MASK = 0xffff;
    public static final long TTB_MASK = 0x000f_ffff_ffff_f000L;

    /** Word 0 of a valid entry. */
    public static long word0(int tg, int iasBits, int oasBits, boolean affd, int did) {
        return V | ((tg & TG_MASK) << TG_SHIFT) | ((iasBits & IAS_MASK) << IAS_SHIFT)
                | ((oasBits & OAS_MASK) << OAS_SHIFT) | (affd ? AFFD : 0) | ((did & DID_MASK) << DID_SHIFT);
    }

    public static boolean valid(long word0) {
        return (word0 & V) != 0;
    }

    public static int tg(long word0) {
        return (int) ((word0 >>> TG_SHIFT) & TG_MASK);
    }

    public static int ias(long word0) {
        return (int) ((word0 >>> IAS_SHIFT) & IAS_MASK);
    }

    public static int oas(long word0) {
        return (int) ((word0 >>> OAS_SHIFT) & OAS_MASK);
    }

    public static boolean affd(long word0) {
        return (word0 & AFFD) != 0;
    }

    public static int did(long word0) {
        return (int) ((word0 >>> DID_SHIFT) & DID_MASK);
    }

    public static long ttb(long word1) {
        return word1 & TTB_MASK;
    }
}
