package org.iommulab.smmu.v2.internal.model.regs;

import static org.iommulab.smmu.v2.internal.model.regs.Access.RO;
import static org.iommulab.smmu.v2.internal.model.regs.Access.RW;
import static org.iommulab.smmu.v2.internal.model.regs.Access.W1C;
import static org.iommulab.smmu.v2.internal.model.regs.Access.WO;

import java.util.List;

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
    public static final Field SCTLR_M = new Field("M", 0, 1);
    public static final Field SCTLR_TRE = new Field("TRE", 1, 1);
    public static final Field SCTLR_AFE = new Field("AFE", 2, 1);
    public static final Field SCTLR_AFFD = new Field("AFFD", 3, 1);
    public static final Field SCTLR_E = new Field("E", 4, 1);
    public static final Field SCTLR_CFRE = new Field("CFRE", 5, 1);
    public static final Field SCTLR_CFIE = new Field("CFIE", 6, 1);
    public static final Field SCTLR_CFCFG = new Field("CFCFG", 7, 1);
    public static final Field SCTLR_HUPCF = new Field("HUPCF", 8, 1);
    public static final Field SCTLR_WXN = new Field("WXN", 9, 1);
    public static final Field SCTLR_UWXN = new Field("UWXN", 10, 1);
    public static final Field SCTLR_ASIDPNE = new Field("ASIDPNE", 12, 1);
    public static final Reg SCTLR = Reg.r32("SCTLR", 0x000, RW, 0x3fff_f7ffL, S + "SCTLR");
    /** IMPLEMENTATION DEFINED; kept, no effect. */
    public static final Reg ACTLR = Reg.r32("ACTLR", 0x004, RW, 0xffff_ffffL, S + "ACTLR");
    public static final Field RESUME_TERMINATE = new Field("TnR", 0, 1);
    public static final Reg RESUME = Reg.r32("RESUME", 0x008, WO, 1, S + "RESUME");

    // ---- TCR2, TTBRn, TCR, MAIRn -----------------------------------------------------------------
    public static final Field TCR2_PASIZE = new Field("PASIZE", 0, 3);
    public static final Field TCR2_AS = new Field("AS", 4, 1);
    public static final Field TCR2_TBI0 = new Field("TBI0", 5, 1);
    public static final Field TCR2_TBI1 = new Field("TBI1", 6, 1);
    public static final Field TCR2_SEP = new Field("SEP", 15, 3);
    public static final Reg TCR2 = Reg.r32("TCR2", 0x010, RW, Reg.bits(TCR2_PASIZE, TCR2_AS, TCR2_TBI0, TCR2_TBI1,
            TCR2_SEP), S + "TCR2");

    public static final Field TTBR_ADDR = new Field("BADDR", 0, 48);
    public static final Field TTBR_ASID = new Field("ASID", 48, 16);
    public static final Reg TTBR0 = Reg.r64("TTBR0", 0x020, RW, -1L, S + "TTBR0");
    public static final Reg TTBR1 = Reg.r64("TTBR1", 0x028, RW, -1L, S + "TTBR1");

    public static final Field TCR_T0SZ = new Field("T0SZ", 0, 6);
    public static final Field TCR_EPD0 = new Field("EPD0", 7, 1);
    public static final Field TCR_IRGN0 = new Field("IRGN0", 8, 2);
    public static final Field TCR_ORGN0 = new Field("ORGN0", 10, 2);
    public static final Field TCR_SH0 = new Field("SH0", 12, 2);
    public static final Field TCR_TG0 = new Field("TG0", 14, 2);
    public static final Field TCR_T1SZ = new Field("T1SZ", 16, 6);
    public static final Field TCR_A1 = new Field("A1", 22, 1);
    public static final Field TCR_EPD1 = new Field("EPD1", 23, 1);
    public static final Field TCR_TG1 = new Field("TG1", 30, 2);
    /** Stage-2 view of the same register (VTCR): start level and physical size. */
    public static final Field VTCR_SL0 = new Field("SL0", 6, 2);
    public static final Field VTCR_PS = new Field("PS", 16, 3);
    /** TG0 encodings (Linux {@code ARM_LPAE_TCR_TG0_*}). */
    public static final int TG0_4K = 0;
    public static final int TG0_64K = 1;
    public static final int TG0_16K = 2;
    public static final Reg TCR = Reg.r32("TCR", 0x030, RW, 0xffff_ffffL, S + "TCR (VTCR for stage 2)");
    public static final Reg CONTEXTIDR = Reg.r32("CONTEXTIDR", 0x034, RW, 0xffff_ffffL, S + "CONTEXTIDR");
    public static final Reg MAIR0 = Reg.r32("MAIR0", 0x038, RW, 0xffff_ffffL, S + "MAIR0");
    public static final Reg MAIR1 = Reg.r32("MAIR1", 0x03c, RW, 0xffff_ffffL, S + "MAIR1");

    // ---- PAR, fault status and syndrome ----------------------------------------------------------
    /** PAR.F: the ATS1* operation faulted; then bits [8:1] hold the FSR-style cause. */
    public static final Field PAR_F = new Field("F", 0, 1);
    public static final Field PAR_FAULT_CAUSE = new Field("FST", 1, 8);
    public static final Field PAR_PLVL = new Field("PLVL", 32, 2);
    public static final Field PAR_PA = new Field("PA", 12, 36);
    public static final Reg PAR = Reg.r64("PAR", 0x050, RW, -1L, S + "PAR (64-bit format)");

    public static final Field FSR_TF = new Field("TF", 1, 1);
    public static final Field FSR_AFF = new Field("AFF", 2, 1);
    public static final Field FSR_PF = new Field("PF", 3, 1);
    public static final Field FSR_EF = new Field("EF", 4, 1);
    public static final Field FSR_TLBMCF = new Field("TLBMCF", 5, 1);
    public static final Field FSR_TLBLKF = new Field("TLBLKF", 6, 1);
    public static final Field FSR_ASF = new Field("ASF", 7, 1);
    public static final Field FSR_UUT = new Field("UUT", 8, 1);
    public static final Field FSR_SS = new Field("SS", 30, 1);
    public static final Field FSR_MULTI = new Field("MULTI", 31, 1);
    /** Linux {@code ARM_SMMU_CB_FSR_FAULT}: every fault bit. */
    public static final long FSR_FAULT = Reg.bits(FSR_TF, FSR_AFF, FSR_PF, FSR_EF, FSR_TLBMCF, FSR_TLBLKF, FSR_ASF,
            FSR_UUT, FSR_SS, FSR_MULTI);
    public static final Reg FSR = Reg.r32("FSR", 0x058, W1C, FSR_FAULT, S + "FSR");
    public static final Reg FSRRESTORE = Reg.r32("FSRRESTORE", 0x05c, WO, FSR_FAULT, S + "FSRRESTORE");
    public static final Reg FAR = Reg.r64("FAR", 0x060, RW, -1L, S + "FAR");

    public static final Field FSYNR0_PLVL = new Field("PLVL", 0, 2);
    public static final Field FSYNR0_WNR = new Field("WNR", 4, 1);
    public static final Field FSYNR0_PNU = new Field("PNU", 5, 1);
    public static final Field FSYNR0_IND = new Field("IND", 6, 1);
    public static final Field FSYNR0_NSATTR = new Field("NSATTR", 8, 1);
    public static final Field FSYNR0_ATOF = new Field("ATOF", 9, 1);
    public static final Field FSYNR0_PTWF = new Field("PTWF", 10, 1);
    public static final Field FSYNR0_AFR = new Field("AFR", 11, 1);
    public static final Field FSYNR0_S1CBNDX = new Field("S1CBNDX", 16, 8);
    public static final Reg FSYNR0 = Reg.r32("FSYNR0", 0x068, RW, Reg.bits(FSYNR0_PLVL, FSYNR0_WNR, FSYNR0_PNU,
            FSYNR0_IND, FSYNR0_NSATTR, FSYNR0_ATOF, FSYNR0_PTWF, FSYNR0_AFR, FSYNR0_S1CBNDX), S + "FSYNR0");
    public static final Reg FSYNR1 = Reg.r32("FSYNR1", 0x06c, RW, 0xffff_ffffL, S + "FSYNR1 (IMPLEMENTATION DEFINED)");
    public static final Reg IPAFAR = Reg.r64("IPAFAR", 0x070, RW, -1L, S + "IPAFAR");

    // ---- TLB maintenance ---------------------------------------------------------------------------
    /** TLBIVA/VAL/VAA/VAAL (AArch64): VA[55:12] in bits [43:0], ASID in [63:48]. */
    public static final Field TLBI_VA = new Field("VA", 0, 44);
    public static final Field TLBI_ASID = new Field("ASID", 48, 16);
    /** TLBIIPAS2(L): IPA[47:12] in bits [35:0]. */
    public static final Field TLBI_IPA = new Field("IPA", 0, 36);
    public static final Field TLBIASID_ASID = new Field("ASID", 0, 16);
    public static final Reg TLBIVA = Reg.r64("TLBIVA", 0x600, WO, TLBI_VA.mask() | TLBI_ASID.mask(), S + "TLBIVA");
    public static final Reg TLBIVAA = Reg.r64("TLBIVAA", 0x608, WO, TLBI_VA.mask(), S + "TLBIVAA");
    public static final Reg TLBIASID = Reg.r32("TLBIASID", 0x610, WO, TLBIASID_ASID.mask(), S + "TLBIASID");
    public static final Reg TLBIALL = Reg.r32("TLBIALL", 0x618, WO, 0, S + "TLBIALL");
    public static final Reg TLBIVAL = Reg.r64("TLBIVAL", 0x620, WO, TLBI_VA.mask() | TLBI_ASID.mask(), S + "TLBIVAL");
    public static final Reg TLBIVAAL = Reg.r64("TLBIVAAL", 0x628, WO, TLBI_VA.mask(), S + "TLBIVAAL");
    public static final Reg TLBIIPAS2 = Reg.r64("TLBIIPAS2", 0x630, WO, TLBI_IPA.mask(), S + "TLBIIPAS2");
    public static final Reg TLBIIPAS2L = Reg.r64("TLBIIPAS2L", 0x638, WO, TLBI_IPA.mask(), S + "TLBIIPAS2L");
    public static final Reg TLBSYNC = Reg.r32("TLBSYNC", 0x7f0, WO, 0, S + "TLBSYNC");
    public static final Field TLBSTATUS_SACTIVE = new Field("SACTIVE", 0, 1);
    public static final Reg TLBSTATUS = Reg.r32("TLBSTATUS", 0x7f4, RO, 1, S + "TLBSTATUS");

    // ---- address translation operations --------------------------------------------------------------
    /** ATS1PR/PW: privileged read/write stage-1 (or full, for nested) translation of VA[63:12]. */
    public static final Field ATS_VA = new Field("VA", 12, 52);
    public static final Reg ATS1PR = Reg.r64("ATS1PR", 0x800, WO, ATS_VA.mask(), S + "ATS1PR");
    public static final Reg ATS1PW = Reg.r64("ATS1PW", 0x808, WO, ATS_VA.mask(), S + "ATS1PW");
    public static final Field ATSR_ACTIVE = new Field("ACTIVE", 0, 1);
    public static final Reg ATSR = Reg.r32("ATSR", 0x8f0, RO, 1, S + "ATSR");

    public static final List<Reg> ALL = List.of(SCTLR, ACTLR, RESUME, TCR2, TTBR0, TTBR1, TCR, CONTEXTIDR, MAIR0,
            MAIR1, PAR, FSR, FSRRESTORE, FAR, FSYNR0, FSYNR1, IPAFAR, TLBIVA, TLBIVAA, TLBIASID, TLBIALL, TLBIVAL,
            TLBIVAAL, TLBIIPAS2, TLBIIPAS2L, TLBSYNC, TLBSTATUS, ATS1PR, ATS1PW, ATSR);
}
