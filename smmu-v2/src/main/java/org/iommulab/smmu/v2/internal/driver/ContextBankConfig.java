package org.iommulab.smmu.v2.internal.driver;

import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr1;

/**
 * One context bank's register values for a paging domain: Linux's {@code struct arm_smmu_cfg}
 * and {@code struct arm_smmu_cb} as {@code arm_smmu_init_context_bank} fills them (AArch64
 * format), and {@link #write} as {@code arm_smmu_write_context_bank} programs them. Immutable.
 *
 * @param cbndx the bank
 * @param stage1 CBAR type "stage 1, stage 2 bypass" (else "stage 2")
 * @param asid stage-1 ASID ({@code cfg->asid = cbndx})
 * @param vmid VMID ({@code cbndx + 1} for stage 2; for stage 1 Linux's union makes it the ASID)
 */
record ContextBankConfig(int cbndx, boolean stage1, int asid, int vmid, long ttbr0, int tcr, int tcr2, int mair0,
        int mair1) {

    /** Linux {@code arm_smmu_init_context_bank} for an LPAE table at {@code ttb}. */
    static ContextBankConfig of(int cbndx, boolean stage1, LpaeConfig pg, long ttb) {
        // Coherent table walks: inner-shareable, write-back write-allocate (ARM_LPAE_TCR_SH_IS,
        // ARM_LPAE_TCR_RGN_WBWA), as io-pgtable-arm picks with IO_PGTABLE_QUIRK_ARM_NS unset.
        long walkAttrs = Cb.TCR_SH0.of(3) | Cb.TCR_ORGN0.of(1) | Cb.TCR_IRGN0.of(1);
        if (stage1) {
            int asid = cbndx;
            // arm_smmu_lpae_tcr: TTBR1 walks disabled (EPD1), TTBR0 translates.
            int tcr = (int) (Cb.TCR_TG0.of(pg.tg0()) | walkAttrs | Cb.TCR_T0SZ.of(pg.t0sz()) | Cb.TCR_EPD1.mask());
            // arm_smmu_lpae_tcr2: IPS, SEP_UPSTREAM, and AS for 16-bit ASIDs (AArch64).
            int tcr2 = (int) (Cb.TCR2_PASIZE.of(pg.ps()) | Cb.TCR2_SEP.of(7) | Cb.TCR2_AS.mask());
            long ttbr0 = Cb.TTBR_ASID.of(asid) | ttb;
            long mair = pg.mair();
            return new ContextBankConfig(cbndx, true, asid, asid, ttbr0, tcr, tcr2, (int) mair, (int) (mair >>> 32));
        }
        // arm_smmu_lpae_vtcr: RES1 bit 31, PS, TG0, SH0/ORGN0/IRGN0, SL0, T0SZ.
        int vtcr = (int) ((1L << 31) | Cb.VTCR_PS.of(pg.ps()) | Cb.TCR_TG0.of(pg.tg0()) | walkAttrs
                | Cb.VTCR_SL0.of(pg.sl0()) | Cb.TCR_T0SZ.of(pg.t0sz()));
        return new ContextBankConfig(cbndx, false, -1, cbndx + 1, ttb, vtcr, 0, 0, 0);
    }

    /** Linux {@code arm_smmu_write_context_bank} (SMMUv2, AArch64 format). */
    void write(SmmuIo io, boolean vmid16) {
        // CBA2R: AArch64 format; 16-bit VMIDs live here.
        int cba2r = (int) (Gr1.CBA2R_VA64.mask() | (vmid16 ? Gr1.CBA2R_VMID16.of(vmid) : 0));
        io.gr1Write(Gr1.CBA2R, cbndx, cba2r);
        // CBAR: "Use the weakest shareability/memory types, so they are overridden by the
        // ttbcr/pte." 8-bit VMIDs live here for stage 2.
        int cbar;
        if (stage1) {
            cbar = (int) (Gr1.CBAR_TYPE.of(Gr1.CBAR_TYPE_S1_TRANS_S2_BYPASS) | Gr1.CBAR_BPSHCFG.of(3)
                    | Gr1.CBAR_MEMATTR.of(0xf));
        } else {
            cbar = (int) (Gr1.CBAR_TYPE.of(Gr1.CBAR_TYPE_S2_TRANS) | (vmid16 ? 0 : Gr1.CBAR_VMID.of(vmid & 0xff)));
        }
        io.gr1Write(Gr1.CBAR, cbndx, cbar);
        if (stage1) {
            io.cbWrite(cbndx, Cb.TCR2, tcr2);
        }
        io.cbWrite(cbndx, Cb.TCR, tcr);
        io.cbWriteQ(cbndx, Cb.TTBR0, ttbr0);
        if (stage1) {
            io.cbWriteQ(cbndx, Cb.TTBR1, Cb.TTBR_ASID.of(asid));
            io.cbWrite(cbndx, Cb.MAIR0, mair0);
            io.cbWrite(cbndx, Cb.MAIR1, mair1);
        }
        long sctlr = Cb.SCTLR_CFIE.mask() | Cb.SCTLR_CFRE.mask() | Cb.SCTLR_AFE.mask() | Cb.SCTLR_TRE.mask()
                | Cb.SCTLR_M.mask() | (stage1 ? Cb.SCTLR_ASIDPNE.mask() : 0);
        io.cbWrite(cbndx, Cb.SCTLR, (int) sctlr);
    }

    /** "Unassigned context banks only need disabling." */
    static void disable(SmmuIo io, int cbndx) {
        io.cbWrite(cbndx, Cb.SCTLR, 0);
    }
}
