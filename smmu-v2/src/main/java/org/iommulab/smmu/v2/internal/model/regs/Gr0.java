package org.iommulab.smmu.v2.internal.model.regs;

import static org.iommulab.modelkit.regs.Access.RO;
import static org.iommulab.modelkit.regs.Access.RW;
import static org.iommulab.modelkit.regs.Access.W1C;
import static org.iommulab.modelkit.regs.Access.WO;

import java.util.List;

import org.iommulab.modelkit.regs.Field;
import org.iommulab.modelkit.regs.Register;

/**
 * Global register space 0 (page 0): configuration, identification, global faults, global TLB
 * maintenance and stream mapping. Offsets and fields from ARM IHI0062 (SMMU architecture
 * version 2) chapter "Global Address Space 0", cross-checked against Linux
 * {@code drivers/iommu/arm/arm-smmu/arm-smmu.h} and the MMU-500 TRM (DDI0517) register
 * summary as generated in Xilinx QEMU {@code hw/misc/arm-smmu.c}.
 */
public final class Gr0 {
    private static final String S = "IHI0062 Global Address Space 0: ";
    /** Elements each register array has room for: 0x400 bytes, up to the next array or the page end. */
    private static final int ROOM = 256;

    private Gr0() {
    }

    // ---- sCR0, 0x000 ---------------------------------------------------------------------------
    public static final Field SCR0_CLIENTPD = Field.bit("CLIENTPD", 0);
    public static final Field SCR0_GFRE = Field.bit("GFRE", 1);
    public static final Field SCR0_GFIE = Field.bit("GFIE", 2);
    public static final Field SCR0_EXIDENABLE = Field.bit("EXIDENABLE", 3);
    public static final Field SCR0_GCFGFRE = Field.bit("GCFGFRE", 4);
    public static final Field SCR0_GCFGFIE = Field.bit("GCFGFIE", 5);
    public static final Field SCR0_USFCFG = Field.bit("USFCFG", 10);
    public static final Field SCR0_VMIDPNE = Field.bit("VMIDPNE", 11);
    public static final Field SCR0_PTM = Field.bit("PTM", 12);
    public static final Field SCR0_FB = Field.bit("FB", 13);
    public static final Field SCR0_BSU = Field.range("BSU", 15, 14);
    public static final Field SCR0_VMID16EN = Field.bit("VMID16EN", 31);
    /** EXIDENABLE is not implemented (ID0.EXIDS=0): RES0. */
    public static final Register SCR0 = Register.r32("sCR0", 0x000, RW, S + "sCR0").fields(SCR0_CLIENTPD, SCR0_GFRE,
            SCR0_GFIE, SCR0_GCFGFRE, SCR0_GCFGFIE, SCR0_USFCFG, SCR0_VMIDPNE, SCR0_PTM, SCR0_FB, SCR0_BSU, SCR0_VMID16EN);

    // ---- ID0..ID2, ID7 ---------------------------------------------------------------------------
    public static final Field ID0_NUMSMRG = Field.range("NUMSMRG", 7, 0);
    public static final Field ID0_EXIDS = Field.bit("EXIDS", 8);
    public static final Field ID0_NUMSIDB = Field.range("NUMSIDB", 12, 9);
    public static final Field ID0_CTTW = Field.bit("CTTW", 14);
    public static final Field ID0_NUMIRPT = Field.range("NUMIRPT", 23, 16);
    public static final Field ID0_PTFS_NO_AARCH32 = Field.bit("PTFS_NO_AARCH32", 25);
    public static final Field ID0_PTFS_NO_AARCH32S = Field.bit("PTFS_NO_AARCH32S", 24);
    public static final Field ID0_ATOSNS = Field.bit("ATOSNS", 26);
    public static final Field ID0_SMS = Field.bit("SMS", 27);
    public static final Field ID0_NTS = Field.bit("NTS", 28);
    public static final Field ID0_S2TS = Field.bit("S2TS", 29);
    public static final Field ID0_S1TS = Field.bit("S1TS", 30);
    public static final Register ID0 = Register.r32("ID0", 0x020, RO, S + "ID0").fields(ID0_NUMSMRG, ID0_EXIDS,
            ID0_NUMSIDB, ID0_CTTW, ID0_NUMIRPT, ID0_PTFS_NO_AARCH32S, ID0_PTFS_NO_AARCH32, ID0_ATOSNS, ID0_SMS, ID0_NTS,
            ID0_S2TS, ID0_S1TS).implemented(0xffff_ffffL);

    public static final Field ID1_NUMCB = Field.range("NUMCB", 7, 0);
    public static final Field ID1_NUMS2CB = Field.range("NUMS2CB", 23, 16);
    public static final Field ID1_NUMPAGENDXB = Field.range("NUMPAGENDXB", 30, 28);
    public static final Field ID1_PAGESIZE = Field.bit("PAGESIZE", 31);
    public static final Register ID1 = Register.r32("ID1", 0x024, RO, S + "ID1").fields(ID1_NUMCB, ID1_NUMS2CB,
            ID1_NUMPAGENDXB, ID1_PAGESIZE).implemented(0xffff_ffffL);

    public static final Field ID2_IAS = Field.range("IAS", 3, 0);
    public static final Field ID2_OAS = Field.range("OAS", 7, 4);
    public static final Field ID2_UBS = Field.range("UBS", 11, 8);
    public static final Field ID2_PTFS_4K = Field.bit("PTFS_4K", 12);
    public static final Field ID2_PTFS_16K = Field.bit("PTFS_16K", 13);
    public static final Field ID2_PTFS_64K = Field.bit("PTFS_64K", 14);
    public static final Field ID2_VMID16 = Field.bit("VMID16", 15);
    public static final Register ID2 = Register.r32("ID2", 0x028, RO, S + "ID2").fields(ID2_IAS, ID2_OAS, ID2_UBS,
            ID2_PTFS_4K, ID2_PTFS_16K, ID2_PTFS_64K, ID2_VMID16).implemented(0xffff_ffffL);

    public static final Field ID7_MINOR = Field.range("MINOR", 3, 0);
    public static final Field ID7_MAJOR = Field.range("MAJOR", 7, 4);
    public static final Register ID7 = Register.r32("ID7", 0x03c, RO, S + "ID7").fields(ID7_MINOR, ID7_MAJOR);

    // ---- global faults ------------------------------------------------------------------------
    public static final Register SGFAR = Register.r64("sGFAR", 0x040, RW, S + "sGFAR");

    public static final Field SGFSR_ICF = Field.bit("ICF", 0);
    public static final Field SGFSR_USF = Field.bit("USF", 1);
    public static final Field SGFSR_SMCF = Field.bit("SMCF", 2);
    public static final Field SGFSR_UCBF = Field.bit("UCBF", 3);
    public static final Field SGFSR_UCIF = Field.bit("UCIF", 4);
    public static final Field SGFSR_CAF = Field.bit("CAF", 5);
    public static final Field SGFSR_EF = Field.bit("EF", 6);
    public static final Field SGFSR_PF = Field.bit("PF", 7);
    public static final Field SGFSR_UUT = Field.bit("UUT", 8);
    public static final Field SGFSR_MULTI = Field.bit("MULTI", 31);
    public static final Register SGFSR = Register.r32("sGFSR", 0x048, W1C, S + "sGFSR").fields(SGFSR_ICF, SGFSR_USF,
            SGFSR_SMCF, SGFSR_UCBF, SGFSR_UCIF, SGFSR_CAF, SGFSR_EF, SGFSR_PF, SGFSR_UUT, SGFSR_MULTI);
    /** Every sGFSR fault bit. */
    public static final long SGFSR_FAULT = SGFSR.implemented();
    /** Writes set sGFSR bits directly (state restore; Linux's selftest uses the CB variant). */
    public static final Register SGFSRRESTORE = Register.r32("sGFSRRESTORE", 0x04c, WO, S + "sGFSRRESTORE")
            .implemented(SGFSR_FAULT);

    public static final Field SGFSYNR0_NESTED = Field.bit("NESTED", 0);
    public static final Field SGFSYNR0_WNR = Field.bit("WNR", 1);
    public static final Field SGFSYNR0_PNU = Field.bit("PNU", 2);
    public static final Field SGFSYNR0_IND = Field.bit("IND", 3);
    public static final Field SGFSYNR0_NSSTATE = Field.bit("NSSTATE", 4);
    public static final Field SGFSYNR0_NSATTR = Field.bit("NSATTR", 5);
    public static final Register SGFSYNR0 = Register.r32("sGFSYNR0", 0x050, RW, S + "sGFSYNR0").fields(SGFSYNR0_NESTED,
            SGFSYNR0_WNR, SGFSYNR0_PNU, SGFSYNR0_IND, SGFSYNR0_NSSTATE, SGFSYNR0_NSATTR);
    /** sGFSYNR1.StreamID: Linux's global fault handler prints {@code (u16)gfsynr1} as the SID. */
    public static final Field SGFSYNR1_STREAMID = Field.range("STREAMID", 15, 0);
    public static final Register SGFSYNR1 = Register.r32("sGFSYNR1", 0x054, RW, S + "sGFSYNR1").fields(SGFSYNR1_STREAMID)
            .implemented(0xffff_ffffL);
    public static final Register SGFSYNR2 = Register.r32("sGFSYNR2", 0x058, RW,
            S + "sGFSYNR2 (IMPLEMENTATION DEFINED)");

    // ---- global TLB maintenance ------------------------------------------------------------------
    public static final Field TLBIVMID_VMID = Field.range("VMID", 15, 0);
    public static final Register TLBIVMID = Register.r32("TLBIVMID", 0x064, WO, S + "TLBIVMID").fields(TLBIVMID_VMID);
    public static final Register TLBIALLNSNH = Register.r32("TLBIALLNSNH", 0x068, WO, S + "TLBIALLNSNH").implemented(0);
    public static final Register STLBGSYNC = Register.r32("sTLBGSYNC", 0x070, WO, S + "sTLBGSYNC").implemented(0);
    public static final Field STLBGSTATUS_GSACTIVE = Field.bit("GSACTIVE", 0);
    public static final Register STLBGSTATUS = Register.r32("sTLBGSTATUS", 0x074, RO, S + "sTLBGSTATUS")
            .fields(STLBGSTATUS_GSACTIVE);

    // ---- stream mapping ---------------------------------------------------------------------------
    public static final Field SMR_ID = Field.range("ID", 14, 0);
    public static final Field SMR_MASK = Field.range("MASK", 30, 16);
    public static final Field SMR_VALID = Field.bit("VALID", 31);
    /** ID and MASK are implemented up to ID0.NUMSIDB bits; the model narrows this per instance. */
    public static final Register SMR = Register.array32("SMR", 0x800, ROOM, RW, S + "SMRn").fields(SMR_ID, SMR_MASK,
            SMR_VALID);

    public static final Field S2CR_CBNDX = Field.range("CBNDX", 7, 0);
    public static final Field S2CR_SHCFG = Field.range("SHCFG", 9, 8);
    public static final Field S2CR_MTCFG = Field.bit("MTCFG", 11);
    public static final Field S2CR_MEMATTR = Field.range("MEMATTR", 15, 12);
    public static final Field S2CR_TYPE = Field.range("TYPE", 17, 16);
    public static final Field S2CR_NSCFG = Field.range("NSCFG", 19, 18);
    public static final Field S2CR_RACFG = Field.range("RACFG", 21, 20);
    public static final Field S2CR_WACFG = Field.range("WACFG", 23, 22);
    public static final Field S2CR_PRIVCFG = Field.range("PRIVCFG", 25, 24);
    public static final Field S2CR_INSTCFG = Field.range("INSTCFG", 27, 26);
    public static final Field S2CR_TRANSIENTCFG = Field.range("TRANSIENTCFG", 29, 28);
    /** S2CR.TYPE values (Linux {@code enum arm_smmu_s2cr_type}); 3 is reserved. */
    public static final int S2CR_TYPE_TRANS = 0;
    public static final int S2CR_TYPE_BYPASS = 1;
    public static final int S2CR_TYPE_FAULT = 2;
    /** EXIDVALID (bit 10) is RES0 without EXIDS. */
    public static final Register S2CR = Register.array32("S2CR", 0xc00, ROOM, RW, S + "S2CRn").fields(S2CR_CBNDX,
            S2CR_SHCFG, S2CR_MTCFG, S2CR_MEMATTR, S2CR_TYPE, S2CR_NSCFG, S2CR_RACFG, S2CR_WACFG, S2CR_PRIVCFG, S2CR_INSTCFG,
            S2CR_TRANSIENTCFG);

    /** Every GR0 register this model implements. */
    public static final List<Register> ALL = List.of(SCR0, ID0, ID1, ID2, ID7, SGFAR, SGFSR, SGFSRRESTORE, SGFSYNR0,
            SGFSYNR1, SGFSYNR2, TLBIVMID, TLBIALLNSNH, STLBGSYNC, STLBGSTATUS, SMR, S2CR);
}
