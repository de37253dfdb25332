package org.iommulab.smmu.v3.internal.driver;

import static org.iommulab.smmu.v3.internal.format.CdFormat.*;

import java.util.Arrays;

import org.iommulab.iopgtable.lpae.LpaeConfig;

/**
 * CD contents as Linux builds them ({@code arm_smmu_make_s1_cd}: TTB0 only with EPD1, inner
 * shareable write-back walks, AA64, R = 1 so faults are recorded, A = 1 to abort, ASET, the
 * ASID) and which bits the SMMU uses ({@code arm_smmu_get_cd_used}), for {@link EntryWriter}.
 */
final class CdEntries {
    private static final int RGN_WBWA = 1;
    private static final int SH_ISH = 3;

    private CdEntries() {
    }

    static void clear(long[] cd) {
        Arrays.fill(cd, 0);
    }

    static void stage1(long[] cd, LpaeConfig cfg, long ttb0, int asid) {
        Arrays.fill(cd, 0);
        cd[0] = D0_T0SZ.of(cfg.t0sz()) | D0_TG0.of(cfg.tg0()) | D0_IR0.of(RGN_WBWA) | D0_OR0.of(RGN_WBWA)
                | D0_SH0.of(SH_ISH) | D0_EPD1.of(1) | D0_V.of(1) | D0_IPS.of(cfg.ps()) | D0_AA64.of(1) | D0_R.of(1)
                | D0_A.of(1) | D0_ASET.of(1) | D0_ASID.of(asid);
        cd[1] = D1_TTB0.bits(ttb0);
        cd[3] = cfg.mair();
    }

    /** Linux {@code arm_smmu_get_cd_used}. */
    static void usedBits(long[] ent, long[] used) {
        used[0] = D0_V.mask();
        if (!D0_V.isSet(ent[0])) {
            return;
        }
        Arrays.fill(used, -1L);
        // EPD0 means T0SZ/TG0/IR0/OR0/SH0/TTB0 are IGNORED.
        if (D0_EPD0.isSet(ent[0])) {
            used[0] &= ~(D0_T0SZ.mask() | D0_TG0.mask() | D0_IR0.mask() | D0_OR0.mask() | D0_SH0.mask());
            used[1] &= ~D1_TTB0.mask();
        }
    }
}
