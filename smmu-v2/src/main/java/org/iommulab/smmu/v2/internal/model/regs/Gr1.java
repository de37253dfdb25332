package org.iommulab.smmu.v2.internal.model.regs;

import static org.iommulab.modelkit.regs.Access.RW;

import java.util.List;

import org.iommulab.modelkit.regs.Field;
import org.iommulab.modelkit.regs.Register;

/**
 * Global register space 1 (page 1): one attribute register set per context bank. From ARM
 * IHI0062 chapter "Global Address Space 1", with Linux {@code arm-smmu.h} and the MMU-500
 * register summary (Xilinx QEMU {@code hw/misc/arm-smmu.c}, whose CBAR fields name the
 * {@code CBNDX} that replaces BPSHCFG/HYPC/FB/MemAttr for a nested context).
 */
public final class Gr1 {
    private static final String S = "IHI0062 Global Address Space 1: ";
    /** Elements each register array has room for: 0x400 bytes, up to the next array. */
    private static final int ROOM = 256;

    private Gr1() {
    }

    public static final Field CBAR_VMID = Field.range("VMID", 7, 0);
    public static final Field CBAR_BPSHCFG = Field.range("BPSHCFG", 9, 8);
    public static final Field CBAR_HYPC = Field.bit("HYPC", 10);
    public static final Field CBAR_FB = Field.bit("FB", 11);
    public static final Field CBAR_MEMATTR = Field.range("MEMATTR", 15, 12);
    /** With TYPE=S1_TRANS_S2_TRANS, bits [15:8] name the stage-2 context bank. */
    public static final Field CBAR_CBNDX = Field.range("CBNDX", 15, 8);
    public static final Field CBAR_TYPE = Field.range("TYPE", 17, 16);
    public static final Field CBAR_BSU = Field.range("BSU", 19, 18);
    public static final Field CBAR_RACFG = Field.range("RACFG", 21, 20);
    public static final Field CBAR_WACFG = Field.range("WACFG", 23, 22);
    public static final Field CBAR_IRPTNDX = Field.range("IRPTNDX", 31, 24);
    /** CBAR.TYPE values (Linux {@code enum arm_smmu_cbar_type}). */
    public static final int CBAR_TYPE_S2_TRANS = 0;
    public static final int CBAR_TYPE_S1_TRANS_S2_BYPASS = 1;
    public static final int CBAR_TYPE_S1_TRANS_S2_FAULT = 2;
    public static final int CBAR_TYPE_S1_TRANS_S2_TRANS = 3;
    public static final Register CBAR = Register.array32("CBAR", 0x000, ROOM, RW, S + "CBARn").fields(CBAR_VMID,
            CBAR_BPSHCFG, CBAR_HYPC, CBAR_FB, CBAR_MEMATTR, CBAR_CBNDX, CBAR_TYPE, CBAR_BSU, CBAR_RACFG, CBAR_WACFG,
            CBAR_IRPTNDX);

    public static final Field CBFRSYNRA_SID = Field.range("StreamID", 15, 0);
    public static final Register CBFRSYNRA = Register.array32("CBFRSYNRA", 0x400, ROOM, RW, S + "CBFRSYNRAn")
            .fields(CBFRSYNRA_SID);

    public static final Field CBA2R_VA64 = Field.bit("VA64", 0);
    public static final Field CBA2R_MONC = Field.bit("MONC", 1);
    public static final Field CBA2R_VMID16 = Field.range("VMID16", 31, 16);
    public static final Register CBA2R = Register.array32("CBA2R", 0x800, ROOM, RW, S + "CBA2Rn").fields(CBA2R_VA64,
            CBA2R_MONC, CBA2R_VMID16);

    public static final List<Register> ALL = List.of(CBAR, CBFRSYNRA, CBA2R);
}
