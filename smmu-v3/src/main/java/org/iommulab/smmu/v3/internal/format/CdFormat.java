package org.iommulab.smmu.v3.internal.format;

import org.iommulab.modelkit.regs.StructField;
import org.iommulab.modelkit.regs.StructLayout;

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
    /** The CD's layout: the fields below sit in its doublewords. */
    public static final StructLayout CD = StructLayout.of("CD", CD_SIZE, "IHI0070 §5.4");

    // ---- doubleword 0 ----------------------------------------------------------------------
    public static final StructField D0_T0SZ = CD.range(0, "T0SZ", 5, 0);
    public static final StructField D0_TG0 = CD.range(0, "TG0", 7, 6);
    public static final StructField D0_IR0 = CD.range(0, "IR0", 9, 8);
    public static final StructField D0_OR0 = CD.range(0, "OR0", 11, 10);
    public static final StructField D0_SH0 = CD.range(0, "SH0", 13, 12);
    public static final StructField D0_EPD0 = CD.bit(0, "EPD0", 14);
    public static final StructField D0_ENDI = CD.bit(0, "ENDI", 15);
    public static final StructField D0_T1SZ = CD.range(0, "T1SZ", 21, 16);
    public static final StructField D0_TG1 = CD.range(0, "TG1", 23, 22);
    public static final StructField D0_IR1 = CD.range(0, "IR1", 25, 24);
    public static final StructField D0_OR1 = CD.range(0, "OR1", 27, 26);
    public static final StructField D0_SH1 = CD.range(0, "SH1", 29, 28);
    public static final StructField D0_EPD1 = CD.bit(0, "EPD1", 30);
    public static final StructField D0_V = CD.bit(0, "V", 31);
    public static final StructField D0_IPS = CD.range(0, "IPS", 34, 32);
    public static final StructField D0_AFFD = CD.bit(0, "AFFD", 35);
    public static final StructField D0_WXN = CD.bit(0, "WXN", 36);
    public static final StructField D0_UWXN = CD.bit(0, "UWXN", 37);
    public static final StructField D0_TBI0 = CD.bit(0, "TBI0", 38);
    public static final StructField D0_TBI1 = CD.bit(0, "TBI1", 39);
    public static final StructField D0_PAN = CD.bit(0, "PAN", 40);
    public static final StructField D0_AA64 = CD.bit(0, "AA64", 41);
    public static final StructField D0_HD = CD.bit(0, "HD", 42);
    public static final StructField D0_HA = CD.bit(0, "HA", 43);
    public static final StructField D0_S = CD.bit(0, "S", 44);
    public static final StructField D0_R = CD.bit(0, "R", 45);
    public static final StructField D0_A = CD.bit(0, "A", 46);
    public static final StructField D0_ASET = CD.bit(0, "ASET", 47);
    public static final StructField D0_ASID = CD.range(0, "ASID", 63, 48);

    /** TG0 encoding: 0 = 4K, 1 = 64K, 2 = 16K, 3 reserved. */
    public static final int TG0_4K = 0;
    public static final int TG0_64K = 1;
    public static final int TG0_16K = 2;
    /** TG1 encoding differs: 1 = 16K, 2 = 4K, 3 = 64K, 0 reserved. */
    public static final int TG1_16K = 1;
    public static final int TG1_4K = 2;
    public static final int TG1_64K = 3;

    // ---- doublewords 1 and 2 ---------------------------------------------------------------
    public static final StructField D1_NSCFG0 = CD.bit(1, "NSCFG0", 0);
    public static final StructField D1_HAD0 = CD.bit(1, "HAD0", 1);
    /** TTB0[55:4], used in place. */
    public static final StructField D1_TTB0 = CD.range(1, "TTB0", 55, 4);
    public static final StructField D2_NSCFG1 = CD.bit(2, "NSCFG1", 0);
    public static final StructField D2_HAD1 = CD.bit(2, "HAD1", 1);
    public static final StructField D2_TTB1 = CD.range(2, "TTB1", 55, 4);

    // ---- doubleword 3: MAIR0 [31:0], MAIR1 [63:32] ------------------------------------------
    public static final StructField D3_MAIR = CD.range(3, "MAIR", 63, 0);

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
