package org.iommulab.smmu.v2.internal.model.regs;

import static org.iommulab.smmu.v2.internal.model.regs.Access.RW;

import java.util.List;

/**
 * Global register space 1 (page 1): one attribute register set per context bank. From ARM
 * IHI0062 chapter "Global Address Space 1", with Linux {@code arm-smmu.h} and the MMU-500
 * register summary (Xilinx QEMU {@code hw/misc/arm-smmu.c}, whose CBAR fields name the
 * {@code CBNDX} that replaces BPSHCFG/HYPC/FB/MemAttr for a nested context).
 */
public final class Gr1 {
    private static final String S = "IHI0062 Global Address Space 1: ";

    private Gr1() {
    }

    public static final Field CBAR_VMID = new Field("VMID", 0, 8);
    public static final Field CBAR_BPSHCFG = new Field("BPSHCFG", 8, 2);
    public static final Field CBAR_HYPC = new Field("HYPC", 10, 1);
    public static final Field CBAR_FB = new Field("FB", 11, 1);
    public static final Field CBAR_MEMATTR = new Field("MEMATTR", 12, 4);
    /** With TYPE=S1_TRANS_S2_TRANS, bits [15:8] name the stage-2 context bank. */
    public static final Field CBAR_CBNDX = new Field("CBNDX", 8, 8);
    public static final Field CBAR_TYPE = new Field("TYPE", 16, 2);
    public static final Field CBAR_BSU = new Field("BSU", 18, 2);
    public static final Field CBAR_RACFG = new Field("RACFG", 20, 2);
    public static final Field CBAR_WACFG = new Field("WACFG", 22, 2);
    public static final Field CBAR_IRPTNDX = new Field("IRPTNDX", 24, 8);
    /** CBAR.TYPE values (Linux {@code enum arm_smmu_cbar_type}). */
    public static final int CBAR_TYPE_S2_TRANS = 0;
    public static final int CBAR_TYPE_S1_TRANS_S2_BYPASS = 1;
    public static final int CBAR_TYPE_S1_TRANS_S2_FAULT = 2;
    public static final int CBAR_TYPE_S1_TRANS_S2_TRANS = 3;
    public static final Reg CBAR = Reg.array32("CBAR", 0x000, RW, 0xffff_ffffL, S + "CBARn");

    public static final Field CBFRSYNRA_SID = new Field("StreamID", 0, 16);
    public static final Reg CBFRSYNRA = Reg.array32("CBFRSYNRA", 0x400, RW, CBFRSYNRA_SID.mask(), S + "CBFRSYNRAn");

    public static final Field CBA2R_VA64 = new Field("VA64", 0, 1);
    public static final Field CBA2R_MONC = new Field("MONC", 1, 1);
    public static final Field CBA2R_VMID16 = new Field("VMID16", 16, 16);
    public static final Reg CBA2R = Reg.array32("CBA2R", 0x800, RW, Reg.bits(CBA2R_VA64, CBA2R_MONC, CBA2R_VMID16),
            S + "CBA2Rn");

    public static final List<Reg> ALL = List.of(CBAR, CBFRSYNRA, CBA2R);
}
