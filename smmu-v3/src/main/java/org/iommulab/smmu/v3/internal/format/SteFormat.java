package org.iommulab.smmu.v3.internal.format;

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

    // ---- doubleword 0 ----------------------------------------------------------------------
    public static final Field D0_V = Field.bit("V", 0);
    public static final Field D0_CONFIG = Field.of("Config", 3, 1);
    public static final Field D0_S1FMT = Field.of("S1Fmt", 5, 4);
    /** S1ContextPtr[55:6], an address field used in place. */
    public static final Field D0_S1CONTEXTPTR = Field.of("S1ContextPtr", 55, 6);
    public static final Field D0_S1CDMAX = Field.of("S1CDMax", 63, 59);

    /** Config: report an abort, no event (0b0xx all behave as 0b000). */
    public static final int CONFIG_ABORT = 0b000;
    public static final int CONFIG_BYPASS = 0b100;
    public static final int CONFIG_S1 = 0b101;
    public static final int CONFIG_S2 = 0b110;
    public static final int CONFIG_NESTED = 0b111;

    // ---- doubleword 1 ----------------------------------------------------------------------
    public static final Field D1_S1DSS = Field.of("S1DSS", 1, 0);
    public static final Field D1_S1CIR = Field.of("S1CIR", 3, 2);
    public static final Field D1_S1COR = Field.of("S1COR", 5, 4);
    public static final Field D1_S1CSH = Field.of("S1CSH", 7, 6);
    public static final Field D1_MEV = Field.bit("MEV", 19);
    public static final Field D1_S1STALLD = Field.bit("S1STALLD", 27);
    public static final Field D1_EATS = Field.of("EATS", 29, 28);
    public static final Field D1_STRW = Field.of("STRW", 31, 30);
    public static final Field D1_SHCFG = Field.of("SHCFG", 45, 44);

    public static final int S1DSS_TERMINATE = 0b00;
    public static final int S1DSS_BYPASS = 0b01;
    public static final int S1DSS_SSID0 = 0b10;
    public static final int STRW_NSEL1 = 0b00;
    public static final int STRW_EL2 = 0b10;
    public static final int SHCFG_INCOMING = 0b01;

    // ---- doubleword 2 ----------------------------------------------------------------------
    public static final Field D2_S2VMID = Field.of("S2VMID", 15, 0);
    /** The VTCR fields as a block, bits [50:32]. */
    public static final Field D2_VTCR = Field.of("VTCR", 50, 32);
    public static final Field D2_S2T0SZ = Field.of("S2T0SZ", 37, 32);
    public static final Field D2_S2SL0 = Field.of("S2SL0", 39, 38);
    public static final Field D2_S2IR0 = Field.of("S2IR0", 41, 40);
    public static final Field D2_S2OR0 = Field.of("S2OR0", 43, 42);
    public static final Field D2_S2SH0 = Field.of("S2SH0", 45, 44);
    public static final Field D2_S2TG = Field.of("S2TG", 47, 46);
    public static final Field D2_S2PS = Field.of("S2PS", 50, 48);
    public static final Field D2_S2AA64 = Field.bit("S2AA64", 51);
    public static final Field D2_S2ENDI = Field.bit("S2ENDI", 52);
    public static final Field D2_S2AFFD = Field.bit("S2AFFD", 53);
    public static final Field D2_S2PTW = Field.bit("S2PTW", 54);
    public static final Field D2_S2HD = Field.bit("S2HD", 55);
    public static final Field D2_S2HA = Field.bit("S2HA", 56);
    public static final Field D2_S2S = Field.bit("S2S", 57);
    public static final Field D2_S2R = Field.bit("S2R", 58);

    /** VTCR.TG: note the encoding differs from the CD's TG0 (0 = 4K, 1 = 64K, 2 = 16K). */
    public static final int S2TG_4K = 0;
    public static final int S2TG_64K = 1;
    public static final int S2TG_16K = 2;

    // ---- doubleword 3 ----------------------------------------------------------------------
    /** S2TTB[55:4], an address field used in place. */
    public static final Field D3_S2TTB = Field.of("S2TTB", 55, 4);

    // ---- level-1 stream table descriptor (§5.1) ----------------------------------------------
    /** Span: 0 = invalid, n = 2^(n-1) STEs in the level-2 array, 1..12 otherwise reserved. */
    public static final Field L1STD_SPAN = Field.of("Span", 4, 0);
    /** L2Ptr[55:6], aligned to the level-2 array size. */
    public static final Field L1STD_L2PTR = Field.of("L2Ptr", 55, 6);
    /** Largest Span (§5.1: values above 12 are reserved). */
    public static final int L1STD_MAX_SPAN = 12;

    /** Doubleword {@code i} of the STE at {@code base}. */
    public static long dword(long base, int i) {
        return base + 8L * i;
    }
}
