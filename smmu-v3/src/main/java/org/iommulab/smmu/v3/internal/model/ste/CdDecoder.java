package org.iommulab.smmu.v3.internal.model.ste;

import static org.iommulab.smmu.v3.internal.format.CdFormat.*;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.iommulab.smmu.v3.internal.model.fault.SmmuFault;

/**
 * Decodes a CD (IHI0070 §5.4; QEMU {@code decode_cd}) into a {@link Stage1Config}. An ILLEGAL
 * CD records C_BAD_CD; as for STEs, values that no SMMU accepts or that ignore the ID registers
 * are {@link FaultOrigin#MISPROGRAMMED} (V = 0, TxSZ outside 16..39, reserved or unadvertised
 * granules, a TTB beyond the effective IPS), features this model never implements are
 * {@link FaultOrigin#NOT_MODELLED} (AArch32 with AA64 = 0, big-endian ENDI = 1, the stall model
 * S = 1, RAZ/WI termination A = 0 under TERM_MODEL = 1, HTTU HA/HD).
 */
final class CdDecoder {
    private final SmmuV3Features features;

    CdDecoder(SmmuV3Features features) {
        this.features = features;
    }

    Stage1Config decode(long[] cd, int sid, long cdAddress) {
        long d0 = cd[0];
        if (!D0_V.isSet(d0)) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "CD.V == 0");
        }
        if (!D0_AA64.isSet(d0)) {
            throw bad(FaultOrigin.NOT_MODELLED, sid, "CD.AA64 == 0: VMSAv8-32 stage 1 is not modelled (IDR0.TTF = AArch64)");
        }
        if (D0_ENDI.isSet(d0)) {
            throw bad(FaultOrigin.NOT_MODELLED, sid, "CD.ENDI == 1: big-endian tables are not modelled");
        }
        if (!D0_A.isSet(d0)) {
            throw bad(FaultOrigin.NOT_MODELLED, sid,
                    "CD.A == 0 (RAZ/WI termination) is ILLEGAL with IDR0.TERM_MODEL == 1: not modelled");
        }
        if (D0_S.isSet(d0)) {
            throw bad(FaultOrigin.NOT_MODELLED, sid, "CD.S == 1: the stall model is not modelled (IDR0.STALL_MODEL == 0b01)");
        }
        if (D0_HA.isSet(d0) || D0_HD.isSet(d0)) {
            throw bad(FaultOrigin.NOT_MODELLED, sid, "CD.HA/HD set: hardware AF/dirty update (HTTU) is not modelled");
        }
        LpaeTranslationConfig tt0 = D0_EPD0.isSet(d0) ? null
                : regime(sid, 0, D0_T0SZ.getInt(d0), Granules.tg0(D0_TG0.getInt(d0)), D0_TG0.getInt(d0),
                        D1_TTB0.bits(cd), D1_HAD0.isSet(cd), d0);
        LpaeTranslationConfig tt1 = D0_EPD1.isSet(d0) ? null
                : regime(sid, 1, D0_T1SZ.getInt(d0), Granules.tg1(D0_TG1.getInt(d0)), D0_TG1.getInt(d0),
                        D2_TTB1.bits(cd), D2_HAD1.isSet(cd), d0);
        return new Stage1Config(tt0, tt1, D0_TBI0.isSet(d0), D0_TBI1.isSet(d0), D0_ASID.getInt(d0), D0_R.isSet(d0),
                cdAddress);
    }

    private LpaeTranslationConfig regime(int sid, int half, int tsz, LpaeGranule g, int tgField, long ttb, boolean had,
            long d0) {
        if (tsz < 16 || tsz > 39) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "CD.T" + half + "SZ " + tsz + " outside 16..39");
        }
        if (g == null) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "CD.TG" + half + " " + tgField + " is reserved");
        }
        if (!Granules.supported(features, g)) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "CD.TG" + half + " selects " + g + ", which IDR5 does not advertise");
        }
        int ips = Granules.effectiveOutputSize(D0_IPS.getInt(d0), features.oasBits(), g);
        if ((ttb >>> ips) != 0) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, String.format("CD.TTB%d 0x%x is beyond the effective IPS of %d bits",
                    half, ttb, ips));
        }
        int inputSize = 64 - tsz;
        int bits = g.bitsPerLevel();
        int levels = (inputSize - g.shift() + bits - 1) / bits;
        int startBits = inputSize - g.shift() - bits * (levels - 1);
        long tableBytes = Math.max(64L, 8L << startBits);
        try {
            return LpaeTranslationConfig.builder(LpaeStage.STAGE1, g).inputSize(inputSize).ttb(ttb & -tableBytes)
                    .outputSize(ips).accessFlagFaultDisabled(D0_AFFD.isSet(d0)).hierarchicalAttributesDisabled(had)
                    .build();
        } catch (IllegalArgumentException e) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "TTB" + half + ": " + e.getMessage());
        }
    }

    static SmmuFault bad(FaultOrigin origin, int sid, String detail) {
        return SmmuFault.config(EventFormat.C_BAD_CD, true, FaultKind.BAD_CONFIG, origin,
                String.format("sid 0x%x: %s", sid & 0xffff_ffffL, detail));
    }
}
