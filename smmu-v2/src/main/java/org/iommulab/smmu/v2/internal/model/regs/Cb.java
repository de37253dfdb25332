package org.iommulab.smmu.v2.internal.model.regs;

import static org.iommulab.modelkit.regs.Access.RO;
import static org.iommulab.modelkit.regs.Access.RW;
import static org.iommulab.modelkit.regs.Access.W1C;
import static org.iommulab.modelkit.regs.Access.WO;

import java.util.List;

import org.iommulab.modelkit.regs.Field;
import org.iommulab.modelkit.regs.Register;

/**
 * A translation context bank's registers (page {@code NUMPAGE + n}), AArch64 (VA64) format.
 * From ARM IHI0062 chapter "Translation Context Bank Address Space", with Linux
 * {@code arm-smmu.h} (TCR/VTCR/TCR2 layouts of {@code arm_smmu_lpae_tcr}, {@code _tcr2},
 * {@code _vtcr}; FSYNR0 fields) and the MMU-500 register summary in Xilinx QEMU.
 */
public final class Cb {
    private static final String S = "IHI0062 Translation Context Bank: ";

    private Cb() {
    }

    // ---- SCTLR, 0x000 -------------------------------------------------------------------------
    public static final Field SCTLR_M = Field.bit("M", 0);
    public static final Field SCTLR_TRE = Field.bit("TRE", 1);
    public static final Field SCTLR_AFE = Field.bit("AFE", 2);
    public static final Field SCTLR_AFFD = Field.bit("AFFD", 3);
    public static final Field SCTLR_E = Field.bit("E", 4);
    public static final Field SCTLR_CFRE = Field.bit("CFRE", 5);
    public static final Field SCTLR_CFIE = Field.bit("CFIE", 6);
    public static final Field SCTLR_CFCFG = Field.bit("CFCFG", 7);
    public static final Field SCTLR_HUPCF = Field.bit("HUPCF", 8);
    public static final Field SCTLR_WXN = Field.bit("WXN", 9);
    public static final Field SCTLR_UWXN = Field.bit("UWXN", 10);
    public static final Field SCTLR_ASIDPNE = Field.bit("ASIDPNE", 12);
    public static final Register SCTLR = Register.r32("SCTLR", 0x000, RW, S + "SCTLR").fields(SCTLR_M, SCTLR_TRE,
            SCTLR_AFE, SCTLR_AFFD, SCTLR_E, SCTLR_CFRE, SCTLR_CFIE, SCTLR_CFCFG, SCTLR_HUPCF, SCTLR_WXN, SCTLR_UWXN,
            SCTLR_ASIDPNE).implemented(0x3fff_f7ffL);
    /** IMPLEMENTATION DEFINED; kept, no effect. */
    public static final Register ACTLR = Register.r32("ACTLR", 0x004, RW, S + "ACTLR");
    public static final Field RESUME_TERMINATE = Field.bit("TnR", 0);
    public static final Register RESUME = Register.r32("RESUME", 0x008, WO, S + "RESUME").fields(RESUME_TERMINATE);

    // ---- TCR2, TTBRn, TCR, MAIRn -----------------------------------------------------------------
    public static final Field TCR2_PASIZE = Field.range("PASIZE", 2, 0);
    public static final Field TCR2_AS = Field.bit("AS", 4);
    public static final Field TCR2_TBI0 = Field.bit("TBI0", 5);
    public static final Field TCR2_TBI1 = Field.bit("TBI1", 6);
    public static final Field TCR2_SEP = Field.range("SEP", 17, 15);
    public static final Register TCR2 = Register.r32("TCR2", 0x010, RW, S + "TCR2").fields(TCR2_PASIZE, TCR2_AS,
            TCR2_TBI0, TCR2_TBI1, TCR2_SEP);

    public static final Field TTBR_ADDR = Field.range("BADDR", 47, 0);
    public static final Field TTBR_ASID = Field.range("ASID", 63, 48);
    public static final Register TTBR0 = Register.r64("TTBR0", 0x020, RW, S + "TTBR0").fields(TTBR_ADDR, TTBR_ASID);
    public static final Register TTBR1 = Register.r64("TTBR1", 0x028, RW, S + "TTBR1").fields(TTBR_ADDR, TTBR_ASID);

    public static final Field TCR_T0SZ = Field.range("T0SZ", 5, 0);
    public static final Field TCR_EPD0 = Field.bit("EPD0", 7);
    public static final Field TCR_IRGN0 = Field.range("IRGN0", 9, 8);
    public static final Field TCR_ORGN0 = Field.range("ORGN0", 11, 10);
    public static final Field TCR_SH0 = Field.range("SH0", 13, 12);
    public static final Field TCR_TG0 = Field.range("TG0", 15, 14);
    public static final Field TCR_T1SZ = Field.range("T1SZ", 21, 16);
    public static final Field TCR_A1 = Field.bit("A1", 22);
    public static final Field TCR_EPD1 = Field.bit("EPD1", 23);
    public static final Field TCR_TG1 = Field.range("TG1", 31, 30);
    /** Stage-2 view of the same register (VTCR): start level and physical size. */
    public static final Field VTCR_SL0 = Field.range("SL0", 7, 6);
    public static final Field VTCR_PS = Field.range("PS", 18, 16);
    /** TG0 encodings (Linux {@code ARM_LPAE_TCR_TG0_*}). */
    public static final int TG0_4K = 0;
    public static final int TG0_64K = 1;
    public static final int TG0_16K = 2;
    public static final Register TCR = Register.r32("TCR", 0x030, RW, S + "TCR (VTCR for stage 2)").fields(TCR_T0SZ,
            TCR_EPD0, TCR_IRGN0, TCR_ORGN0, TCR_SH0, TCR_TG0, TCR_T1SZ, TCR_A1, TCR_EPD1, TCR_TG1, VTCR_SL0, VTCR_PS)
            .implemented(0xffff_ffffL);
    public static final Register CONTEXTIDR = Register.r32("CONTEXTIDR", 0x034, RW, S + "CONTEXTIDR");
    public static final Register MAIR0 = Register.r32("MAIR0", 0x038, RW, S + "MAIR0");
    public static final Register MAIR1 = Register.r32("MAIR1", 0x03c, RW, S + "MAIR1");

    // ---- PAR, fault status and syndrome ----------------------------------------------------------
    /** PAR.F: the ATS1* operation faulted; then bits [8:1] hold the FSR-style cause. */
    public static final Field PAR_F = Field.bit("F", 0);
    public static final Field PAR_FAULT_CAUSE = Field.range("FST", 8, 1);
    public static final Field PAR_PLVL = Field.range("PLVL", 33, 32);
    public static final Field PAR_PA = Field.range("PA", 47, 12);
    public static final Register PAR = Register.r64("PAR", 0x050, RW, S + "PAR (64-bit format)").fields(PAR_F,
            PAR_FAULT_CAUSE, PAR_PA, PAR_PLVL).implemented(-1L);

    public static final Field FSR_TF = Field.bit("TF", 1);
    public static final Field FSR_AFF = Field.bit("AFF", 2);
    public static final Field FSR_PF = Field.bit("PF", 3);
    public static final Field FSR_EF = Field.bit("EF", 4);
    public static final Field FSR_TLBMCF = Field.bit("TLBMCF", 5);
    public static final Field FSR_TLBLKF = Field.bit("TLBLKF", 6);
    public static final Field FSR_ASF = Field.bit("ASF", 7);
    public static final Field FSR_UUT = Field.bit("UUT", 8);
    public static final Field FSR_SS = Field.bit("SS", 30);
    public static final Field FSR_MULTI = Field.bit("MULTI", 31);
    public static final Register FSR = Register.r32("FSR", 0x058, W1C, S + "FSR").fields(FSR_TF, FSR_AFF, FSR_PF,
            FSR_EF, FSR_TLBMCF, FSR_TLBLKF, FSR_ASF, FSR_UUT, FSR_SS, FSR_MULTI);
    /** Linux {@code ARM_SMMU_CB_FSR_FAULT}: every fault bit. */
    public static final long FSR_FAULT = FSR.implemented();
    public static final Register FSRRESTORE = Register.r32("FSRRESTORE", 0x05c, WO, S + "FSRRESTORE")
            .implemented(FSR_FAULT);
    public static final Register FAR = Register.r64("FAR", 0x060, RW, S + "FAR");

    public static final Field FSYNR0_PLVL = Field.range("PLVL", 1, 0);
    public static final Field FSYNR0_WNR = Field.bit("WNR", 4);
    public static final Field FSYNR0_PNU = Field.bit("PNU", 5);
    public static final Field FSYNR0_IND = Field.bit("IND", 6);
    public static final Field FSYNR0_NSATTR = Field.bit("NSATTR", 8);
    public static final Field FSYNR0_ATOF = Field.bit("ATOF", 9);
    public static final Field FSYNR0_PTWF = Field.bit("PTWF", 10);
    public static final Field FSYNR0_AFR = Field.bit("AFR", 11);
    public static final Field FSYNR0_S1CBNDX = Field.range("S1CBNDX", 23, 16);
    public static final Register FSYNR0 = Register.r32("FSYNR0", 0x068, RW, S + "FSYNR0").fields(FSYNR0_PLVL,
            FSYNR0_WNR, FSYNR0_PNU, FSYNR0_IND, FSYNR0_NSATTR, FSYNR0_ATOF, FSYNR0_PTWF, FSYNR0_AFR, FSYNR0_S1CBNDX);
    public static final Register FSYNR1 = Register.r32("FSYNR1", 0x06c, RW,
            S + "FSYNR1 (IMPLEMENTATION DEFINED)");
    public static final Register IPAFAR = Register.r64("IPAFAR", 0x070, RW, S + "IPAFAR");

    // ---- TLB maintenance ---------------------------------------------------------------------------
    /** TLBIVA/VAL/VAA/VAAL (AArch64): VA[55:12] in bits [43:0], ASID in [63:48]. */
    public static final Field TLBI_VA = Field.range("VA", 43, 0);
    public static final Field TLBI_ASID = Field.range("ASID", 63, 48);
    /** TLBIIPAS2(L): IPA[47:12] in bits [35:0]. */
    public static final Field TLBI_IPA = Field.range("IPA", 35, 0);
    public static final Field TLBIASID_ASID = Field.range("ASID", 15, 0);
    public static final Register TLBIVA = Register.r64("TLBIVA", 0x600, WO, S + "TLBIVA").fields(TLBI_VA, TLBI_ASID);
    public static final Register TLBIVAA = Register.r64("TLBIVAA", 0x608, WO, S + "TLBIVAA").fields(TLBI_VA);
    public static final Register TLBIASID = Register.r32("TLBIASID", 0x610, WO, S + "TLBIASID").fields(TLBIASID_ASID);
    public static final Register TLBIALL = Register.r32("TLBIALL", 0x618, WO, S + "TLBIALL").implemented(0);
    public static final Register TLBIVAL = Register.r64("TLBIVAL", 0x620, WO, S + "TLBIVAL").fields(TLBI_VA, TLBI_ASID);
    public static final Register TLBIVAAL = Register.r64("TLBIVAAL", 0x628, WO, S + "TLBIVAAL").fields(TLBI_VA);
    public static final Register TLBIIPAS2 = Register.r64("TLBIIPAS2", 0x630, WO, S + "TLBIIPAS2").fields(TLBI_IPA);
    public static final Register TLBIIPAS2L = Register.r64("TLBIIPAS2L", 0x638, WO, S + "TLBIIPAS2L").fields(TLBI_IPA);
    public static final Register TLBSYNC = Register.r32("TLBSYNC", 0x7f0, WO, S + "TLBSYNC").implemented(0);
    public static final Field TLBSTATUS_SACTIVE = Field.bit("SACTIVE", 0);
    public static final Register TLBSTATUS = Register.r32("TLBSTATUS", 0x7f4, RO, S + "TLBSTATUS")
            .fields(TLBSTATUS_SACTIVE);

    // ---- address translation operations --------------------------------------------------------------
    /** ATS1PR/PW: privileged read/write stage-1 (or full, for nested) translation of VA[63:12]. */
    public static final Field ATS_VA = Field.range("VA", 63, 12);
    public static final Register ATS1PR = Register.r64("ATS1PR", 0x800, WO, S + "ATS1PR").fields(ATS_VA);
    public static final Register ATS1PW = Register.r64("ATS1PW", 0x808, WO, S + "ATS1PW").fields(ATS_VA);
    public static final Field ATSR_ACTIVE = Field.bit("ACTIVE", 0);
    public static final Register ATSR = Register.r32("ATSR", 0x8f0, RO, S + "ATSR").fields(ATSR_ACTIVE);

    public static final List<Register> ALL = List.of(SCTLR, ACTLR, RESUME, TCR2, TTBR0, TTBR1, TCR, CONTEXTIDR, MAIR0,
            MAIR1, PAR, FSR, FSRRESTORE, FAR, FSYNR0, FSYNR1, IPAFAR, TLBIVA, TLBIVAA, TLBIASID, TLBIALL, TLBIVAL,
            TLBIVAAL, TLBIIPAS2, TLBIIPAS2L, TLBSYNC, TLBSTATUS, ATS1PR, ATS1PW, ATSR);
}
