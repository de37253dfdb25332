package org.iommulab.smmu.v3.internal.driver;

import static org.iommulab.smmu.v3.internal.format.SteFormat.*;

import java.util.Arrays;

import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaeGranule;

/**
 * STE contents as Linux builds them ({@code arm_smmu_make_abort_ste},
 * {@code arm_smmu_make_bypass_ste}, {@code arm_smmu_make_cdtable_ste},
 * {@code arm_smmu_make_s2_domain_ste}, and the nested combination iommufd builds) and which of
 * their bits the SMMU uses ({@code arm_smmu_get_ste_used}), for {@link EntryWriter}.
 */
final class SteEntries {
    /** Linux STRTAB_STE_1_S1C_CACHE_WBRA and ARM_SMMU_SH_ISH. */
    private static final int CACHE_WBRA = 1;
    private static final int SH_ISH = 3;
    /** VTCR IR0/OR0: write-back read/write-allocate (ARM_LPAE_TCR_RGN_WBWA). */
    private static final int RGN_WBWA = 1;

    private SteEntries() {
    }

    static void abort(long[] ste) {
        Arrays.fill(ste, 0);
        ste[0] = D0_V.of(1) | D0_CONFIG.of(CONFIG_ABORT);
    }

    static void bypass(long[] ste) {
        Arrays.fill(ste, 0);
        ste[0] = D0_V.of(1) | D0_CONFIG.of(CONFIG_BYPASS);
        ste[1] = D1_SHCFG.of(SHCFG_INCOMING);
    }

    /** Stage 1 through the master's CD table (one CD: S1CDMax 0), {@code arm_smmu_make_cdtable_ste}. */
    static void stage1(long[] ste, long cdTable) {
        Arrays.fill(ste, 0);
        ste[0] = D0_V.of(1) | D0_CONFIG.of(CONFIG_S1) | D0_S1FMT.of(0) | D0_S1CONTEXTPTR.bits(cdTable)
                | D0_S1CDMAX.of(0);
        ste[1] = stage1Dword1();
    }

    /** Stage 2 only, {@code arm_smmu_make_s2_domain_ste}. */
    static void stage2(long[] ste, LpaeConfig s2, long s2ttb, int vmid) {
        Arrays.fill(ste, 0);
        ste[0] = D0_V.of(1) | D0_CONFIG.of(CONFIG_S2);
        ste[1] = D1_SHCFG.of(SHCFG_INCOMING);
        ste[2] = stage2Dword2(s2, vmid);
        ste[3] = D3_S2TTB.bits(s2ttb);
    }

    /** Stage 1 nested on stage 2: the CD table pointer is an IPA. */
    static void nested(long[] ste, long cdTableIpa, LpaeConfig s2, long s2ttb, int vmid) {
        Arrays.fill(ste, 0);
        ste[0] = D0_V.of(1) | D0_CONFIG.of(CONFIG_NESTED) | D0_S1CONTEXTPTR.bits(cdTableIpa);
        ste[1] = stage1Dword1() | D1_SHCFG.of(SHCFG_INCOMING);
        ste[2] = stage2Dword2(s2, vmid);
        ste[3] = D3_S2TTB.bits(s2ttb);
    }

    private static long stage1Dword1() {
        return D1_S1DSS.of(S1DSS_SSID0) | D1_S1CIR.of(CACHE_WBRA) | D1_S1COR.of(CACHE_WBRA) | D1_S1CSH.of(SH_ISH)
                | D1_STRW.of(STRW_NSEL1);
    }

    private static long stage2Dword2(LpaeConfig s2, int vmid) {
        return D2_S2VMID.of(vmid) | D2_S2T0SZ.of(s2.t0sz()) | D2_S2SL0.of(s2.sl0()) | D2_S2IR0.of(RGN_WBWA)
                | D2_S2OR0.of(RGN_WBWA) | D2_S2SH0.of(SH_ISH) | D2_S2TG.of(s2tg(s2.granule())) | D2_S2PS.of(s2.ps())
                | D2_S2AA64.of(1) | D2_S2R.of(1);
    }

    static int s2tg(LpaeGranule g) {
        switch (g) {
            case G4K: return S2TG_4K;
            case G64K: return S2TG_64K;
            default: return S2TG_16K;
        }
    }

    /** Linux {@code arm_smmu_get_ste_used}. */
    static void usedBits(long[] ent, long[] used) {
        used[0] = D0_V.mask();
        if (!D0_V.isSet(ent[0])) {
            return;
        }
        used[0] |= D0_CONFIG.mask();
        int cfg = D0_CONFIG.getInt(ent[0]);
        if ((cfg & 0b100) != 0 && (cfg & 1) != 0) {
            used[0] |= D0_S1FMT.mask() | D0_S1CONTEXTPTR.mask() | D0_S1CDMAX.mask();
            used[1] |= D1_S1DSS.mask() | D1_S1CIR.mask() | D1_S1COR.mask() | D1_S1CSH.mask() | D1_S1STALLD.mask()
                    | D1_STRW.mask() | D1_EATS.mask();
            used[2] |= D2_S2VMID.mask();
            if (D1_S1DSS.getInt(ent[1]) == S1DSS_BYPASS) {
                used[1] |= D1_SHCFG.mask();
            }
        }
        if ((cfg & 0b100) != 0 && (cfg & 2) != 0) {
            used[1] |= D1_EATS.mask() | D1_SHCFG.mask();
            used[2] |= D2_S2VMID.mask() | D2_VTCR.mask() | D2_S2AA64.mask() | D2_S2ENDI.mask() | D2_S2AFFD.mask()
                    | D2_S2PTW.mask() | D2_S2S.mask() | D2_S2R.mask();
            used[3] |= D3_S2TTB.mask();
        }
        if (cfg == CONFIG_BYPASS) {
            used[1] |= D1_SHCFG.mask();
        }
    }
}
