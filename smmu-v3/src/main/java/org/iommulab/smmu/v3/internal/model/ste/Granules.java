package org.iommulab.smmu.v3.internal.model.ste;

import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.smmu.v3.internal.format.CdFormat;
import org.iommulab.smmu.v3.internal.format.SteFormat;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;

/** The three granule encodings (STE.S2TG, CD.TG0, CD.TG1 differ) and the IDR5 check. */
final class Granules {
    private Granules() {
    }

    /** VTCR/STE.S2TG: 0 = 4K, 1 = 64K, 2 = 16K; null for the reserved 3. */
    static LpaeGranule s2tg(int tg) {
        switch (tg) {
            case SteFormat.S2TG_4K: return LpaeGranule.G4K;
            case SteFormat.S2TG_64K: return LpaeGranule.G64K;
            case SteFormat.S2TG_16K: return LpaeGranule.G16K;
            default: return null;
        }
    }

    /** CD.TG0: 0 = 4K, 1 = 64K, 2 = 16K; null for the reserved 3. */
    static LpaeGranule tg0(int tg) {
        switch (tg) {
            case CdFormat.TG0_4K: return LpaeGranule.G4K;
            case CdFormat.TG0_64K: return LpaeGranule.G64K;
            case CdFormat.TG0_16K: return LpaeGranule.G16K;
            default: return null;
        }
    }

    /** CD.TG1: 1 = 16K, 2 = 4K, 3 = 64K; null for the reserved 0. */
    static LpaeGranule tg1(int tg) {
        switch (tg) {
            case CdFormat.TG1_16K: return LpaeGranule.G16K;
            case CdFormat.TG1_4K: return LpaeGranule.G4K;
            case CdFormat.TG1_64K: return LpaeGranule.G64K;
            default: return null;
        }
    }

    /** Whether IDR5 advertises {@code g}. */
    static boolean supported(SmmuV3Features f, LpaeGranule g) {
        switch (g) {
            case G4K: return f.gran4k();
            case G16K: return f.gran16k();
            default: return f.gran64k();
        }
    }

    /**
     * The effective output size of an IPS/PS encoding: reserved encodings and sizes above the
     * OAS give the OAS (IHI0070 §3.4.3, "treated as the OAS"); 52 bits only with 64K.
     */
    static int effectiveOutputSize(int encoding, int oas, LpaeGranule g) {
        int bits = CdFormat.addressBits(encoding);
        int eff = bits < 0 ? oas : Math.min(bits, oas);
        return g == LpaeGranule.G64K ? eff : Math.min(eff, 48);
    }
}
