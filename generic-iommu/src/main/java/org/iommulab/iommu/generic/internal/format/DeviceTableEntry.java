package org.iommulab.iommu.generic.internal.format;

import org.iommulab.modelkit.regs.StructField;
import org.iommulab.modelkit.regs.StructLayout;

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
    public static final StructLayout DTE = StructLayout.of("DTE", SIZE, "iommulab generic IOMMU device-table entry");
    /** Byte offsets of the two words. */
    public static final int WORD0 = 0;
    public static final int WORD1 = 8;

    public static final StructField V = DTE.bit(0, "V", 0);
    public static final StructField TG = DTE.range(0, "TG", 2, 1);
    public static final int TG_4K = 0;
    public static final int TG_16K = 1;
    public static final int TG_64K = 2;
    public static final StructField IAS = DTE.range(0, "IAS", 8, 3);
    public static final StructField OAS = DTE.range(0, "OAS", 14, 9);
    public static final StructField AFFD = DTE.bit(0, "AFFD", 15);
    public static final StructField DID = DTE.range(0, "DID", 31, 16);
    public static final StructField TTB = DTE.range(1, "TTB", 51, 12);

    /** Word 0 of a valid entry. */
    public static long word0(int tg, int iasBits, int oasBits, boolean affd, int did) {
        return V.mask() | TG.of(tg) | IAS.of(iasBits) | OAS.of(oasBits) | (affd ? AFFD.mask() : 0) | DID.of(did);
    }

    public static boolean valid(long word0) {
        return V.isSet(word0);
    }

    public static int tg(long word0) {
        return TG.getInt(word0);
    }

    public static int ias(long word0) {
        return IAS.getInt(word0);
    }

    public static int oas(long word0) {
        return OAS.getInt(word0);
    }

    public static boolean affd(long word0) {
        return AFFD.isSet(word0);
    }

    public static int did(long word0) {
        return DID.getInt(word0);
    }

    public static long ttb(long word1) {
        return TTB.bits(word1);
    }
}
