package org.iommulab.smmu.v3.internal.format;

/**
 * The Context Descriptor (IHI0070 §5.4): 64 bytes, eight little-endian doublewords, holding
 * the stage-1 translation regime (TCR fields, TTB0/TTB1, MAIR, ASID). Fields are named after
 * the spec; Linux {@code CTXDESC_CD_*} uses the same positions.
 */
public final class CdFormat {
    private CdFormat() {
    }

    public static final int CD_SIZE = 64;
    public static final int CD_DWORDS = 8;

    // ---- doubleword 0 ----------------------------------------------------------------------
    public static final Field D0_T0SZ = Field.of("T0SZ", 5, 0);
    public static final Field D0_TG0 = Field.of("TG0", 7, 6);
    public static final Field D0_IR0 = Field.of("IR0", 9, 8);
    public static final Field D0_OR0 = Field.of("OR0", 11, 10);
    public static final Field D0_SH0 = Field.of("SH0", 13, 12);
    public static final Field D0_EPD0 = Field.bit("EPD0", 14);
    public static final Field D0_ENDI = Field.bit("ENDI", 15);
    public static final Field D0_T1SZ = Field.of("T1SZ", 21, 16);
    public static final Field D0_TG1 = Field.of("TG1", 23, 22);
    public static final Field D0_IR1 = Field.of("IR1", 25, 24);
    public static final Field D0_OR1 = Field.of("OR1", 27, 26);
    public static final Field D0_SH1 = Field.of("SH1", 29, 28);
    public static final Field D0_EPD1 = Field.bit("EPD1", 30);
    public static final Field D0_V = Field.bit("V", 31);
    public static final Field D0_IPS = Field.of("IPS", 34, 32);
    public static final Field D0_AFFD = Field.bit("AFFD", 35);
    public static final Field D0_WXN = Field.bit("WXN", 36);
    public static final Field D0_UWXN = Field.bit("UWXN", 37);
    public static final Field D0_TBI0 = Field.bit("TBI0", 38);
    public static final Field D0_TBI1 = Field.bit("TBI1", 39);
    public static final Field D0_PAN = Field.bit("PAN", 40);
    public static final Field D0_AA64 = Field.bit("AA64", 41);
    public static final Field D0_HD = Field.bit("HD", 42);
    public static final Field D0_HA = Field.bit("HA", 43);
    public static final Field D0_S = Field.bit("S", 44);
    public static final Field D0_R = Field.bit("R", 45);
    public static final Field D0_A = Field.bit("A", 46);
    public static final Field D0_ASET = Field.bit("ASET", 47);
    public static final Field D0_ASID = Field.of("ASID", 63, 48);

    /** TG0 encoding: 0 = 4K, 1 = 64K, 2 = 16K, 3 reserved. */
    public static final int TG0_4K = 0;
    public static final int TG0_64K = 1;
    public static final int TG0_16K = 2;
    /** TG1 encoding differs: 1 = 16K, 2 = 4K, 3 = 64K, 0 reserved. */
    public static final int TG1_16K = 1;
    public static final int TG1_4K = 2;
    public static final int TG1_64K = 3;

    // ---- doublewords 1 and 2 ---------------------------------------------------------------
    public static final Field D1_NSCFG0 = Field.bit("NSCFG0", 0);
    public static final Field D1_HAD0 = Field.bit("HAD0", 1);
    /** TTB0[55:4], used in place. */
    public static final Field D1_TTB0 = Field.of("TTB0", 55, 4);
    public static final Field D2_NSCFG1 = Field.bit("NSCFG1", 0);
    public static final Field D2_HAD1 = Field.bit("HAD1", 1);
    public static final Field D2_TTB1 = Field.of("TTB1", 55, 4);

    // ---- doubleword 3: MAIR0 [31:0], MAIR1 [63:32] ------------------------------------------
    public static final Field D3_MAIR = Field.of("MAIR", 63, 0);

    /** The address-size encoding of IPS/PS/OAS fields: 32, 36, 40, 42, 44, 48, 52 bits. */
    public static int addressBits(int encoding) {
        switch (encoding) {
            case 0: return 32;
            case 1: return 36;
            case 2: return 40;
            case 3: return 42;
            case 4: return 44;
            case 5: return 48;
            case 6: return 52;
            default: return -1;
        }
    }

    /** The IPS/PS/OAS encoding of {@code bits}, or -1. */
    public static int addressEncoding(int bits) {
        for (int e = 0; e <= 6; e++) {
            if (addressBits(e) == bits) {
                return e;
            }
        }
        return -1;
    }
}
