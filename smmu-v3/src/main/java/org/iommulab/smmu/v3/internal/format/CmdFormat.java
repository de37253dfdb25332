package org.iommulab.smmu.v3.internal.format;

import org.iommulab.modelkit.regs.StructField;
import org.iommulab.modelkit.regs.StructLayout;

/**
 * Command queue entries (IHI0070 §4): 16 bytes, two little-endian doublewords. Opcodes from
 * §4.1.1; field positions as Linux {@code CMDQ_*} and QEMU {@code CMD_*} declare them.
 */
public final class CmdFormat {
    private CmdFormat() {
    }

    public static final int CMD_SIZE = 16;
    /** A command's layout: the fields below sit in its two doublewords. */
    public static final StructLayout CMD = StructLayout.of("CMD", CMD_SIZE, "IHI0070 §4");

    // ---- opcodes (§4.1.1) --------------------------------------------------------------------
    public static final int PREFETCH_CONFIG = 0x01;
    public static final int PREFETCH_ADDR = 0x02;
    public static final int CFGI_STE = 0x03;
    /** CFGI_STE_RANGE; with Range = 31 it is CFGI_ALL. */
    public static final int CFGI_STE_RANGE = 0x04;
    public static final int CFGI_CD = 0x05;
    public static final int CFGI_CD_ALL = 0x06;
    public static final int CFGI_VMS_PIDM = 0x07;
    public static final int TLBI_NH_ALL = 0x10;
    public static final int TLBI_NH_ASID = 0x11;
    public static final int TLBI_NH_VA = 0x12;
    public static final int TLBI_NH_VAA = 0x13;
    public static final int TLBI_EL3_ALL = 0x18;
    public static final int TLBI_EL3_VA = 0x1a;
    public static final int TLBI_EL2_ALL = 0x20;
    public static final int TLBI_EL2_ASID = 0x21;
    public static final int TLBI_EL2_VA = 0x22;
    public static final int TLBI_EL2_VAA = 0x23;
    public static final int TLBI_S12_VMALL = 0x28;
    public static final int TLBI_S2_IPA = 0x2a;
    public static final int TLBI_NSNH_ALL = 0x30;
    public static final int ATC_INV = 0x40;
    public static final int PRI_RESP = 0x41;
    public static final int RESUME = 0x44;
    public static final int STALL_TERM = 0x45;
    public static final int SYNC = 0x46;

    // ---- doubleword 0 ------------------------------------------------------------------------
    public static final StructField D0_OP = CMD.range(0, "Opcode", 7, 0);
    public static final StructField D0_SSEC = CMD.bit(0, "SSec", 10);
    public static final StructField D0_SSV = CMD.bit(0, "SSV", 11);
    public static final StructField D0_SSID = CMD.range(0, "SubstreamID", 31, 12);
    public static final StructField D0_SID = CMD.range(0, "StreamID", 63, 32);
    /** TLBI range: NUM (pages - 1 in units of 2^SCALE) and SCALE, SMMUv3.2 (IDR3.RIL). */
    public static final StructField D0_NUM = CMD.range(0, "NUM", 16, 12);
    public static final StructField D0_SCALE = CMD.range(0, "SCALE", 24, 20);
    public static final StructField D0_VMID = CMD.range(0, "VMID", 47, 32);
    public static final StructField D0_ASID = CMD.range(0, "ASID", 63, 48);
    /** CMD_SYNC completion signal: 0 none, 1 IRQ, 2 SEV. */
    public static final StructField D0_CS = CMD.range(0, "CS", 13, 12);
    public static final StructField D0_MSH = CMD.range(0, "MSH", 23, 22);
    public static final StructField D0_MSIATTR = CMD.range(0, "MSIAttr", 27, 24);
    public static final StructField D0_MSIDATA = CMD.range(0, "MSIData", 63, 32);
    public static final StructField D0_ATC_GLOBAL = CMD.bit(0, "Global", 9);

    public static final int CS_NONE = 0;
    public static final int CS_IRQ = 1;
    public static final int CS_SEV = 2;

    // ---- doubleword 1 ------------------------------------------------------------------------
    /** CFGI_CD / TLBI: only leaf entries need invalidating. */
    public static final StructField D1_LEAF = CMD.bit(1, "Leaf", 0);
    /** CFGI_STE_RANGE: 2^(Range+1) StreamIDs. */
    public static final StructField D1_RANGE = CMD.range(1, "Range", 4, 0);
    /** TLBI: level of the leaf entries (0 = unknown), a hint the SMMU may use. */
    public static final StructField D1_TTL = CMD.range(1, "TTL", 9, 8);
    /** TLBI: granule of the range (0 = not a range; 1 = 4K, 2 = 16K, 3 = 64K). */
    public static final StructField D1_TG = CMD.range(1, "TG", 11, 10);
    /** TLBI_NH_VA/VAA address [63:12], used in place. */
    public static final StructField D1_VA = CMD.range(1, "Address", 63, 12);
    /** TLBI_S2_IPA address [51:12], used in place. */
    public static final StructField D1_IPA = CMD.range(1, "IPA", 51, 12);
    public static final StructField D1_MSIADDR = CMD.range(1, "MSIAddress", 51, 2);
    public static final StructField D1_ATC_SIZE = CMD.range(1, "Size", 5, 0);
    public static final StructField D1_PREFETCH_SIZE = CMD.range(1, "Size", 4, 0);

    /** log2 of the range granule a TG value selects ({@code tg * 2 + 10}), or -1 for TG 0. */
    public static int granuleShift(int tg) {
        return tg == 0 ? -1 : tg * 2 + 10;
    }

    /** The name of an opcode, for messages. */
    public static String name(int op) {
        switch (op) {
            case PREFETCH_CONFIG: return "CMD_PREFETCH_CONFIG";
            case PREFETCH_ADDR: return "CMD_PREFETCH_ADDR";
            case CFGI_STE: return "CMD_CFGI_STE";
            case CFGI_STE_RANGE: return "CMD_CFGI_STE_RANGE";
            case CFGI_CD: return "CMD_CFGI_CD";
            case CFGI_CD_ALL: return "CMD_CFGI_CD_ALL";
            case CFGI_VMS_PIDM: return "CMD_CFGI_VMS_PIDM";
            case TLBI_NH_ALL: return "CMD_TLBI_NH_ALL";
            case TLBI_NH_ASID: return "CMD_TLBI_NH_ASID";
            case TLBI_NH_VA: return "CMD_TLBI_NH_VA";
            case TLBI_NH_VAA: return "CMD_TLBI_NH_VAA";
            case TLBI_EL3_ALL: return "CMD_TLBI_EL3_ALL";
            case TLBI_EL3_VA: return "CMD_TLBI_EL3_VA";
            case TLBI_EL2_ALL: return "CMD_TLBI_EL2_ALL";
            case TLBI_EL2_ASID: return "CMD_TLBI_EL2_ASID";
            case TLBI_EL2_VA: return "CMD_TLBI_EL2_VA";
            case TLBI_EL2_VAA: return "CMD_TLBI_EL2_VAA";
            case TLBI_S12_VMALL: return "CMD_TLBI_S12_VMALL";
            case TLBI_S2_IPA: return "CMD_TLBI_S2_IPA";
            case TLBI_NSNH_ALL: return "CMD_TLBI_NSNH_ALL";
            case ATC_INV: return "CMD_ATC_INV";
            case PRI_RESP: return "CMD_PRI_RESP";
            case RESUME: return "CMD_RESUME";
            case STALL_TERM: return "CMD_STALL_TERM";
            case SYNC: return "CMD_SYNC";
            default: return String.format("opcode 0x%02x", op);
        }
    }
}
