package org.iommulab.smmu.v3.internal.format;

import org.iommulab.modelkit.regs.StructField;
import org.iommulab.modelkit.regs.StructLayout;

/**
 * Event queue records (IHI0070 §7.3): 32 bytes, four little-endian doublewords. The model
 * writes them, the driver decodes them (Linux {@code EVTQ_*}). Fields not defined for an
 * event number are RES0.
 */
public final class EventFormat {
    private EventFormat() {
    }

    public static final int EVT_SIZE = 32;
    public static final int EVT_DWORDS = 4;
    /** An event record's layout: the fields below sit in its four doublewords. */
    public static final StructLayout EVT = StructLayout.of("EVT", EVT_SIZE, "IHI0070 §7.3");

    // ---- event numbers (§7.3) ----------------------------------------------------------------
    public static final int F_UUT = 0x01;
    public static final int C_BAD_STREAMID = 0x02;
    public static final int F_STE_FETCH = 0x03;
    public static final int C_BAD_STE = 0x04;
    public static final int F_BAD_ATS_TREQ = 0x05;
    public static final int F_STREAM_DISABLED = 0x06;
    public static final int F_TRANSL_FORBIDDEN = 0x07;
    public static final int C_BAD_SUBSTREAMID = 0x08;
    public static final int F_CD_FETCH = 0x09;
    public static final int C_BAD_CD = 0x0a;
    public static final int F_WALK_EABT = 0x0b;
    public static final int F_TRANSLATION = 0x10;
    public static final int F_ADDR_SIZE = 0x11;
    public static final int F_ACCESS = 0x12;
    public static final int F_PERMISSION = 0x13;
    public static final int F_TLB_CONFLICT = 0x20;
    public static final int F_CFG_CONFLICT = 0x21;
    public static final int E_PAGE_REQUEST = 0x24;
    public static final int F_VMS_FETCH = 0x25;

    // ---- doubleword 0 ------------------------------------------------------------------------
    public static final StructField D0_ID = EVT.range(0, "ID", 7, 0);
    public static final StructField D0_SSV = EVT.bit(0, "SSV", 11);
    public static final StructField D0_SSID = EVT.range(0, "SubstreamID", 31, 12);
    public static final StructField D0_SID = EVT.range(0, "StreamID", 63, 32);

    // ---- doubleword 1 ------------------------------------------------------------------------
    public static final StructField D1_STAG = EVT.range(1, "STAG", 15, 0);
    public static final StructField D1_STALL = EVT.bit(1, "Stall", 31);
    public static final StructField D1_PNU = EVT.bit(1, "PnU", 33);
    public static final StructField D1_IND = EVT.bit(1, "InD", 34);
    /** 1 = read, 0 = write. */
    public static final StructField D1_RNW = EVT.bit(1, "RnW", 35);
    /** 1 = the fault arose at stage 2. */
    public static final StructField D1_S2 = EVT.bit(1, "S2", 39);
    /** 0 = CD (CD fetch), 1 = TTD (stage-1 table fetch), 2 = IN (the input address). */
    public static final StructField D1_CLASS = EVT.range(1, "CLASS", 41, 40);

    public static final int CLASS_CD = 0;
    public static final int CLASS_TT = 1;
    public static final int CLASS_IN = 2;

    // ---- doublewords 2 and 3 -----------------------------------------------------------------
    /** InputAddr[63:0]. */
    public static final StructField D2_INPUT_ADDR = EVT.range(2, "InputAddr", 63, 0);
    /** IPA[55:12] of a stage-2 fault, used in place. */
    public static final StructField D3_IPA = EVT.range(3, "IPA", 55, 12);
    /** FetchAddr[55:3] of F_STE_FETCH, F_CD_FETCH, F_WALK_EABT, used in place. */
    public static final StructField D3_FETCH_ADDR = EVT.range(3, "FetchAddr", 55, 3);

    /** True for the events whose doubleword 3 is FetchAddr rather than IPA. */
    public static boolean hasFetchAddr(int id) {
        return id == F_STE_FETCH || id == F_CD_FETCH || id == F_WALK_EABT;
    }

    /** True for the translation-related events carrying RnW, S2, CLASS, InputAddr and IPA. */
    public static boolean isTranslationFault(int id) {
        return id == F_WALK_EABT || id == F_TRANSLATION || id == F_ADDR_SIZE || id == F_ACCESS || id == F_PERMISSION;
    }

    /** The spec's name of an event number. */
    public static String name(int id) {
        switch (id) {
            case F_UUT: return "F_UUT";
            case C_BAD_STREAMID: return "C_BAD_STREAMID";
            case F_STE_FETCH: return "F_STE_FETCH";
            case C_BAD_STE: return "C_BAD_STE";
            case F_BAD_ATS_TREQ: return "F_BAD_ATS_TREQ";
            case F_STREAM_DISABLED: return "F_STREAM_DISABLED";
            case F_TRANSL_FORBIDDEN: return "F_TRANSL_FORBIDDEN";
            case C_BAD_SUBSTREAMID: return "C_BAD_SUBSTREAMID";
            case F_CD_FETCH: return "F_CD_FETCH";
            case C_BAD_CD: return "C_BAD_CD";
            case F_WALK_EABT: return "F_WALK_EABT";
            case F_TRANSLATION: return "F_TRANSLATION";
            case F_ADDR_SIZE: return "F_ADDR_SIZE";
            case F_ACCESS: return "F_ACCESS";
            case F_PERMISSION: return "F_PERMISSION";
            case F_TLB_CONFLICT: return "F_TLB_CONFLICT";
            case F_CFG_CONFLICT: return "F_CFG_CONFLICT";
            case E_PAGE_REQUEST: return "E_PAGE_REQUEST";
            case F_VMS_FETCH: return "F_VMS_FETCH";
            default: return String.format("event 0x%02x", id);
        }
    }
}
