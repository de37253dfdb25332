package org.iommulab.smmu.v3.internal.format;

import org.iommulab.modelkit.regs.StructField;
import org.iommulab.modelkit.regs.StructLayout;

/**
 * The Stream Table Entry (IHI0070 §5.2): 64 bytes, eight little-endian doublewords, and the
 * level-1 stream table descriptor of a 2-level table (§5.1). Fields are named after the spec;
 * each constant is the field within its doubleword ({@code D0_*} in doubleword 0 and so on).
 */
public final class SteFormat {
    private SteFormat() {
    }

    /** Bytes of an STE. */
    public static final int STE_SIZE = 64;
    /** Doublewords of an STE. */
    public static final int STE_DWORDS = 8;
    /** Bytes of a level-1 stream table descriptor. */
    public static final int L1STD_SIZE = 8;
    /** The STE's layout: the fields below sit in its doublewords. */
    public static final StructLayout STE = StructLayout.of("STE", STE_SIZE, "IHI0070 §5.2");
    /** The level-1 stream table descriptor's layout: one doubleword. */
    public static final StructLayout L1STD = StructLayout.of("L1STD", L1STD_SIZE, "IHI0070 §5.1");

    // ---- doubleword 0 ----------------------------------------------------------------------
    public static final StructField D0_V = STE.bit(0, "V", 0);
    public static final StructField D0_CONFIG = STE.range(0, "Config", 3, 1);
    public static final StructField D0_S1FMT = STE.range(0, "S1Fmt", 5, 4);
    /** S1ContextPtr[55:6], an address field used in place. */
    public static final StructField D0_S1CONTEXTPTR = STE.range(0, "S1ContextPtr", 55, 6);
    public static final StructField D0_S1CDMAX = STE.range(0, "S1CDMax", 63, 59);

    /** Config: report an abort, no event (0b0xx all behave as 0b000). */
    public static final int CONFIG_ABORT = 0b000;
    public static final int CONFIG_BYPASS = 0b100;
    public static final int CONFIG_S1 = 0b101;
    public static final int CONFIG_S2 = 0b110;
    public static final int CONFIG_NESTED = 0b111;

    // ---- doubleword 1 ----------------------------------------------------------------------
    public static final StructField D1_S1DSS = STE.range(1, "S1DSS", 1, 0);
    public static final StructField D1_S1CIR = STE.range(1, "S1CIR", 3, 2);
    public static final StructField D1_S1COR = STE.range(1, "S1COR", 5, 4);
    public static final StructField D1_S1CSH = STE.range(1, "S1CSH", 7, 6);
    public static final StructField D1_MEV = STE.bit(1, "MEV", 19);
    public static final StructField D1_S1STALLD = STE.bit(1, "S1STALLD", 27);
    public static final StructField D1_EATS = STE.range(1, "EATS", 29, 28);
    public static final StructField D1_STRW = STE.range(1, "STRW", 31, 30);
    public static final StructField D1_SHCFG = STE.range(1, "SHCFG", 45, 44);

    public static final int S1DSS_TERMINATE = 0b00;
    public static final int S1DSS_BYPASS = 0b01;
    public static final int S1DSS_SSID0 = 0b10;
    public static final int STRW_NSEL1 = 0b00;
    public static final int STRW_EL2 = 0b10;
    public static final int SHCFG_INCOMING = 0b01;

    // ---- doubleword 2 ----------------------------------------------------------------------
    public static final StructField D2_S2VMID = STE.range(2, "S2VMID", 15, 0);
    /** The VTCR fields as a block, bits [50:32]. */
    public static final StructField D2_VTCR = STE.range(2, "VTCR", 50, 32);
    public static final StructField D2_S2T0SZ = STE.range(2, "S2T0SZ", 37, 32);
    public static final StructField D2_S2SL0 = STE.range(2, "S2SL0", 39, 38);
    public static final StructField D2_S2IR0 = STE.range(2, "S2IR0", 41, 40);
    public static final StructField D2_S2OR0 = STE.range(2, "S2OR0", 43, 42);
    public static final StructField D2_S2SH0 = STE.range(2, "S2SH0", 45, 44);
    public static final StructField D2_S2TG = STE.range(2, "S2TG", 47, 46);
    public static final StructField D2_S2PS = STE.range(2, "S2PS", 50, 48);
    public static final StructField D2_S2AA64 = STE.bit(2, "S2AA64", 51);
    public static final StructField D2_S2ENDI = STE.bit(2, "S2ENDI", 52);
    public static final StructField D2_S2AFFD = STE.bit(2, "S2AFFD", 53);
    public static final StructField D2_S2PTW = STE.bit(2, "S2PTW", 54);
    public static final StructField D2_S2HD = STE.bit(2, "S2HD", 55);
    public static final StructField D2_S2HA = STE.bit(2, "S2HA", 56);
    public static final StructField D2_S2S = STE.bit(2, "S2S", 57);
    public static final StructField D2_S2R = STE.bit(2, "S2R", 58);

    /** VTCR.TG: note the encoding differs from the CD's TG0 (0 = 4K, 1 = 64K, 2 = 16K). */
    public static final int S2TG_4K = 0;
    public static final int S2TG_64K = 1;
    public static final int S2TG_16K = 2;

    // ---- doubleword 3 ----------------------------------------------------------------------
    /** S2TTB[55:4], an address field used in place. */
    public static final StructField D3_S2TTB = STE.range(3, "S2TTB", 55, 4);

    // ---- level-1 stream table descriptor (§5.1) ----------------------------------------------
    /** Span: 0 = invalid, n = 2^(n-1) STEs in the level-2 array, 1..12 otherwise reserved. */
    public static final StructField L1STD_SPAN = L1STD.range(0, "Span", 4, 0);
    /** L2Ptr[55:6], aligned to the level-2 array size. */
    public static final StructField L1STD_L2PTR = L1STD.range(0, "L2Ptr", 55, 6);
    /** Largest Span (§5.1: values above 12 are reserved). */
    public static final int L1STD_MAX_SPAN = 12;
}
