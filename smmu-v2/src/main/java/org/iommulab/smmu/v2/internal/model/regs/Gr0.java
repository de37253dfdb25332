package org.iommulab.smmu.v2.internal.model.regs;

import static org.iommulab.smmu.v2.internal.model.regs.Access.RO;
import static org.iommulab.smmu.v2.internal.model.regs.Access.RW;
import static org.iommulab.smmu.v2.internal.model.regs.Access.W1C;
import static org.iommulab.smmu.v2.internal.model.regs.Access.WO;

import java.util.List;

/**
 * Global register space 0 (page 0): configuration, identification, global faults, global TLB
 * maintenance and stream mapping. Offsets and fields from ARM IHI0062 (SMMU architecture
 * version 2) chapter "Global Address Space 0", cross-checked against Linux
 * {@code drivers/iommu/arm/arm-smmu/arm-smmu.h} and the MMU-500 TRM (DDI0517) register
 * summary as generated in Xilinx QEMU {@code hw/misc/arm-smmu.c}.
 */
public final class Gr0 {
    private static final String S = "IHI0062 Global Address Space 0: ";

    private Gr0() {
    }

    // ---- sCR0, 0x000 ---------------------------------------------------------------------------
    public static final Field SCR0_CLIENTPD = new Field("CLIENTPD", 0, 1);
    public static final Field SCR0_GFRE = new Field("GFRE", 1, 1);
    public static final Field SCR0_GFIE = new Field("GFIE", 2, 1);
    public static final Field SCR0_EXIDENABLE = new Field("EXIDENABLE", 3, 1);
    public static final Field SCR0_GCFGFRE = new Field("GCFGFRE", 4, 1);
    public static final Field SCR0_GCFGFIE = new Field("GCFGFIE", 5, 1);
    public static final Field SCR0_USFCFG = new Field("USFCFG", 10, 1);
    public static final Field SCR0_VMIDPNE = new Field("VMIDPNE", 11, 1);
    public static final Field SCR0_PTM = new Field("PTM", 12, 1);
    public static final Field SCR0_FB = new Field("FB", 13, 1);
    public static final Field SCR0_BSU = new Field("BSU", 14, 2);
    public static final Field SCR0_VMID16EN = new Field("VMID16EN", 31, 1);
    /** EXIDENABLE is not implemented (ID0.EXIDS=0): RES0. */
    public static final Reg SCR0 = Reg.r32("sCR0", 0x000, RW, Reg.bits(SCR0_CLIENTPD, SCR0_GFRE, SCR0_GFIE,
            SCR0_GCFGFRE, SCR0_GCFGFIE, SCR0_USFCFG, SCR0_VMIDPNE, SCR0_PTM, SCR0_FB, SCR0_BSU, SCR0_VMID16EN), S + "sCR0");

    // ---- ID0..ID2, ID7 ---------------------------------------------------------------------------
    public static final Field ID0_NUMSMRG = new Field("NUMSMRG", 0, 8);
    public static final Field ID0_EXIDS = new Field("EXIDS", 8, 1);
    public static final Field ID0_NUMSIDB = new Field("NUMSIDB", 9, 4);
    public static final Field ID0_CTTW = new Field("CTTW", 14, 1);
    public static final Field ID0_NUMIRPT = new Field("NUMIRPT", 16, 8);
    public static final Field ID0_PTFS_NO_AARCH32 = new Field("PTFS_NO_AARCH32", 25, 1);
    public static final Field ID0_PTFS_NO_AARCH32S = new Field("PTFS_NO_AARCH32S", 24, 1);
    public static final Field ID0_ATOSNS = new Field("ATOSNS", 26, 1);
    public static final Field ID0_SMS = new Field("SMS", 27, 1);
    public static final Field ID0_NTS = new Field("NTS", 28, 1);
    public static final Field ID0_S2TS = new Field("S2TS", 29, 1);
    public static final Field ID0_S1TS = new Field("S1TS", 30, 1);
    public static final Reg ID0 = Reg.r32("ID0", 0x020, RO, 0xffff_ffffL, S + "ID0");

    public static final Field ID1_NUMCB = new Field("NUMCB", 0, 8);
    public static final Field ID1_NUMS2CB = new Field("NUMS2CB", 16, 8);
    public static final Field ID1_NUMPAGENDXB = new Field("NUMPAGENDXB", 28, 3);
    public static final Field ID1_PAGESIZE = new Field("PAGESIZE", 31, 1);
    public static final Reg ID1 = Reg.r32("ID1", 0x024, RO, 0xffff_ffffL, S + "ID1");

    public static final Field ID2_IAS = new Field("IAS", 0, 4);
    public static final Field ID2_OAS = new Field("OAS", 4, 4);
    public static final Field ID2_UBS = new Field("UBS", 8, 4);
    public static final Field ID2_PTFS_4K = new Field("PTFS_4K", 12, 1);
    public static final Field ID2_PTFS_16K = new Field("PTFS_16K", 13, 1);
    public static final Field ID2_PTFS_64K = new Field("PTFS_64K", 14, 1);
    public static final Field ID2_VMID16 = new Field("VMID16", 15, 1);
    public static final Reg ID2 = Reg.r32("ID2", 0x028, RO, 0xffff_ffffL, S + "ID2");

    public static final Field ID7_MINOR = new Field("MINOR", 0, 4);
    public static final Field ID7_MAJOR = new Field("MAJOR", 4, 4);
    public static final Reg ID7 = Reg.r32("ID7", 0x03c, RO, 0xffL, S + "ID7");

    // ---- global faults ------------------------------------------------------------------------
    public static final Reg SGFAR = Reg.r64("sGFAR", 0x040, RW, -1L, S + "sGFAR");

    public static final Field SGFSR_ICF = new Field("ICF", 0, 1);
    public static final Field SGFSR_USF = new Field("USF", 1, 1);
    public static final Field SGFSR_SMCF = new Field("SMCF", 2, 1);
    public static final Field SGFSR_UCBF = new Field("UCBF", 3, 1);
    public static final Field SGFSR_UCIF = new Field("UCIF", 4, 1);
    public static final Field SGFSR_CAF = new Field("CAF", 5, 1);
    public static final Field SGFSR_EF = new Field("EF", 6, 1);
    public static final Field SGFSR_PF = new Field("PF", 7, 1);
    public static final Field SGFSR_UUT = new Field("UUT", 8, 1);
    public static final Field SGFSR_MULTI = new Field("MULTI", 31, 1);
    /** Every sGFSR fault bit. */
    public static final long SGFSR_FAULT = Reg.bits(SGFSR_ICF, SGFSR_USF, SGFSR_SMCF, SGFSR_UCBF, SGFSR_UCIF,
            SGFSR_CAF, SGFSR_EF, SGFSR_PF, SGFSR_UUT, SGFSR_MULTI);
    public static final Reg SGFSR = Reg.r32("sGFSR", 0x048, W1C, SGFSR_FAULT, S + "sGFSR");
    /** Writes set sGFSR bits directly (state restore; Linux's selftest uses the CB variant). */
    public static final Reg SGFSRRESTORE = Reg.r32("sGFSRRESTORE", 0x04c, WO, SGFSR_FAULT, S + "sGFSRRESTORE");

    public static final Field SGFSYNR0_NESTED = new Field("NESTED", 0, 1);
    public static final Field SGFSYNR0_WNR = new Field("WNR", 1, 1);
    public static final Field SGFSYNR0_PNU = new Field("PNU", 2, 1);
    public static final Field SGFSYNR0_IND = new Field("IND", 3, 1);
    public static final Field SGFSYNR0_NSSTATE = new Field("NSSTATE", 4, 1);
    public static final Field SGFSYNR0_NSATTR = new Field("NSATTR", 5, 1);
    public static final Reg SGFSYNR0 = Reg.r32("sGFSYNR0", 0x050, RW, 0x3f, S + "sGFSYNR0");
    /** sGFSYNR1.StreamID: Linux's global fault handler prints {@code (u16)gfsynr1} as the SID. */
    public static final Field SGFSYNR1_STREAMID = new Field("STREAMID", 0, 16);
    public static final Reg SGFSYNR1 = Reg.r32("sGFSYNR1", 0x054, RW, 0xffff_ffffL, S + "sGFSYNR1");
    public static final Reg SGFSYNR2 = Reg.r32("sGFSYNR2", 0x058, RW, 0xffff_ffffL, S + "sGFSYNR2 (IMPLEMENTATION DEFINED)");

    // ---- global TLB maintenance ------------------------------------------------------------------
    public static final Field TLBIVMID_VMID = new Field("VMID", 0, 16);
    public static final Reg TLBIVMID = Reg.r32("TLBIVMID", 0x064, WO, TLBIVMID_VMID.mask(), S + "TLBIVMID");
    public static final Reg TLBIALLNSNH = Reg.r32("TLBIALLNSNH", 0x068, WO, 0, S + "TLBIALLNSNH");
    public static final Reg STLBGSYNC = Reg.r32("sTLBGSYNC", 0x070, WO, 0, S + "sTLBGSYNC");
    public static final Field STLBGSTATUS_GSACTIVE = new Field("GSACTIVE", 0, 1);
    public static final Reg STLBGSTATUS = Reg.r32("sTLBGSTATUS", 0x074, RO, 1, S + "sTLBGSTATUS");

    // ---- stream mapping ---------------------------------------------------------------------------
    public static final Field SMR_ID = new Field("ID", 0, 15);
    public static final Field SMR_MASK = new Field("MASK", 16, 15);
    public static final Field SMR_VALID = new Field("VALID", 31, 1);
    /** ID and MASK are implemented up to ID0.NUMSIDB bits; the model narrows this per instance. */
    public static final Reg SMR = Reg.array32("SMR", 0x800, RW, Reg.bits(SMR_ID, SMR_MASK, SMR_VALID), S + "SMRn");

    public static final Field S2CR_CBNDX = new Field("CBNDX", 0, 8);
    public static final Field S2CR_SHCFG = new Field("SHCFG", 8, 2);
    public static final Field S2CR_MTCFG = new Field("MTCFG", 11, 1);
    public static final Field S2CR_MEMATTR = new Field("MEMATTR", 12, 4);
    public static final Field S2CR_TYPE = new Field("TYPE", 16, 2);
    public static final Field S2CR_NSCFG = new Field("NSCFG", 18, 2);
    public static final Field S2CR_RACFG = new Field("RACFG", 20, 2);
    public static final Field S2CR_WACFG = new Field("WACFG", 22, 2);
    public static final Field S2CR_PRIVCFG = new Field("PRIVCFG", 24, 2);
    public static final Field S2CR_INSTCFG = new Field("INSTCFG", 26, 2);
    public static final Field S2CR_TRANSIENTCFG = new Field("TRANSIENTCFG", 28, 2);
    /** S2CR.TYPE values (Linux {@code enum arm_smmu_s2cr_type}); 3 is reserved. */
    public static final int S2CR_TYPE_TRANS = 0;
    public static final int S2CR_TYPE_BYPASS = 1;
    public static final int S2CR_TYPE_FAULT = 2;
    /** EXIDVALID (bit 10) is RES0 without EXIDS. */
    public static final Reg S2CR = Reg.array32("S2CR", 0xc00, RW, Reg.bits(S2CR_CBNDX, S2CR_SHCFG, S2CR_MTCFG,
            S2CR_MEMATTR, S2CR_TYPE, S2CR_NSCFG, S2CR_RACFG, S2CR_WACFG, S2CR_PRIVCFG, S2CR_INSTCFG, S2CR_TRANSIENTCFG),
            S + "S2CRn");

    /** Every GR0 register this model implements. */
    public static final List<Reg> ALL = List.of(SCR0, ID0, ID1, ID2, ID7, SGFAR, SGFSR, SGFSRRESTORE, SGFSYNR0,
            SGFSYNR1, SGFSYNR2, TLBIVMID, TLBIALLNSNH, STLBGSYNC, STLBGSTATUS, SMR, S2CR);
}
