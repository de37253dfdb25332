package org.iommulab.smmu.v3.internal.model.ste;

import static org.iommulab.smmu.v3.internal.format.SteFormat.*;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.iopgtable.lpae.LpaeFormat;
import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.iommulab.smmu.v3.internal.model.fault.SmmuFault;

/**
 * Decodes an STE (IHI0070 §5.2; QEMU {@code decode_ste}, {@code decode_ste_s2_cfg}) against the
 * ID registers. An ILLEGAL STE records C_BAD_STE. Its origin says whose it is:
 * {@link FaultOrigin#MISPROGRAMMED} for values no SMMU accepts or that ignore this SMMU's ID
 * registers (V = 0, reserved encodings, a stage or granule not advertised, sizes out of range),
 * {@link FaultOrigin#NOT_MODELLED} for features real SMMUs may implement but this model never
 * does (stall: S1STALLD, S2S; HTTU: S2HA/S2HD; AArch32 tables; big-endian tables; 2-level CD
 * tables). Immutable and stateless apart from the features.
 */
final class SteDecoder {
    /** The stage-1 half of a decoded STE, before its CD is fetched. */
    static final class Stage1Part {
        final long contextPtr;
        final boolean bypass;

        Stage1Part(long contextPtr, boolean bypass) {
            this.contextPtr = contextPtr;
            this.bypass = bypass;
        }
    }

    private final SmmuV3Features features;

    SteDecoder(SmmuV3Features features) {
        this.features = features;
    }

    /** STE.Config, or -1 for "abort" (0b0xx); checks V and the stages advertised. */
    int config(long[] ste, int sid) {
        if (!D0_V.isSet(ste)) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "STE.V == 0");
        }
        int config = D0_CONFIG.getInt(ste);
        if ((config & 0b100) == 0) {
            return -1;
        }
        if ((config & 1) != 0 && !features.stage1()) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "STE.Config " + Integer.toBinaryString(config)
                    + " enables stage 1, which IDR0.S1P says is not implemented");
        }
        if ((config & 2) != 0 && !features.stage2()) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "STE.Config " + Integer.toBinaryString(config)
                    + " enables stage 2, which IDR0.S2P says is not implemented");
        }
        if (features.ats() && D1_EATS.getInt(ste) == 0b10 && config != CONFIG_NESTED) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "STE.EATS == 0b10 (split-stage ATS) needs Config == 0b111");
        }
        return config;
    }

    /** STE.S2VMID as tagged in the TLB: considered even with stage 2 bypassed, when S2P == 1. */
    int vmid(long[] ste) {
        return features.stage2() ? D2_S2VMID.getInt(ste) : -1;
    }

    /**
     * The stage-1 fields: S1ContextPtr, and the substream fields when IDR1.SSIDSIZE > 0 (with
     * SSIDSIZE == 0 they are IGNORED, so S1CDMax != 0 is valid and points at one CD; QEMU rejects
     * it). Returns null when non-substream traffic is terminated (S1DSS = 0b00 or the reserved
     * 0b11: F_STREAM_DISABLED).
     */
    Stage1Part stage1(long[] ste, int sid) {
        if (D1_S1STALLD.isSet(ste)) {
            throw bad(FaultOrigin.NOT_MODELLED, sid,
                    "STE.S1STALLD == 1 is ILLEGAL with IDR0.STALL_MODEL == 0b01: the stall model is not modelled");
        }
        long ptr = D0_S1CONTEXTPTR.bits(ste);
        int cdMax = D0_S1CDMAX.getInt(ste);
        if (features.ssidBits() == 0 || cdMax == 0) {
            return new Stage1Part(ptr, false);
        }
        if (cdMax > features.ssidBits()) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "STE.S1CDMax " + cdMax + " > IDR1.SSIDSIZE " + features.ssidBits());
        }
        if (D0_S1FMT.getInt(ste) == 0b01 || D0_S1FMT.getInt(ste) == 0b10) {
            throw bad(FaultOrigin.NOT_MODELLED, sid, "STE.S1Fmt selects a 2-level CD table; IDR0.CD2L == 0, not modelled");
        }
        switch (D1_S1DSS.getInt(ste)) {
            case S1DSS_BYPASS:
                return new Stage1Part(ptr, true);
            case S1DSS_SSID0:
                // Non-substream traffic uses CD 0 of the linear table: the first CD.
                return new Stage1Part(ptr, false);
            default:
                return null;
        }
    }

    /** The stage-2 regime: VTCR fields, S2TTB and flags, validated as QEMU and §5.2 do. */
    Stage2Config stage2(long[] ste, int sid) {
        long d2 = ste[2];
        if (!D2_S2AA64.isSet(d2)) {
            throw bad(FaultOrigin.NOT_MODELLED, sid, "STE.S2AA64 == 0: VMSAv8-32 LPAE stage 2 is not modelled (IDR0.TTF = AArch64)");
        }
        if (D2_S2ENDI.isSet(d2)) {
            throw bad(FaultOrigin.NOT_MODELLED, sid, "STE.S2ENDI == 1: big-endian tables are not modelled (IDR0.TTENDIAN = LE)");
        }
        if (D2_S2HA.isSet(d2) || D2_S2HD.isSet(d2)) {
            throw bad(FaultOrigin.NOT_MODELLED, sid, "STE.S2HA/S2HD set: hardware AF/dirty update (HTTU) is not modelled");
        }
        if (D2_S2S.isSet(d2)) {
            throw bad(FaultOrigin.NOT_MODELLED, sid, "STE.S2S == 1: the stall model is not modelled (IDR0.STALL_MODEL == 0b01)");
        }
        LpaeGranule g = Granules.s2tg(D2_S2TG.getInt(d2));
        if (g == null) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "STE.S2TG == 0b11 is reserved");
        }
        if (!Granules.supported(features, g)) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "STE.S2TG selects " + g + ", which IDR5 does not advertise");
        }
        int sl0 = D2_S2SL0.getInt(d2);
        if (sl0 == 3) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "STE.S2SL0 == 0b11 is reserved without FEAT_TTST/LPA2");
        }
        int startLevel = g == LpaeGranule.G4K ? 2 - sl0 : 3 - sl0;
        int oas = features.oasBits();
        int ps = Granules.effectiveOutputSize(D2_S2PS.getInt(d2), oas, g);
        long ttb = D3_S2TTB.bits(ste);
        if ((ttb >>> ps) != 0) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, String.format(
                    "STE.S2TTB 0x%x is beyond the effective S2PS of %d bits", ttb, ps));
        }
        int t0sz = D2_S2T0SZ.getInt(d2);
        // AArch64 only, so IAS == OAS; without IDR3.STT, S2T0SZ is at most 39.
        if (t0sz > 39 || t0sz < 64 - oas) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "STE.S2T0SZ " + t0sz + " outside " + (64 - oas) + "..39");
        }
        int inputSize = 64 - t0sz;
        int startBits = inputSize - LpaeFormat.levelShift(startLevel, g);
        if (startBits < 1 || startBits > g.bitsPerLevel() + 4) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, String.format(
                    "STE.S2SL0 %d (start level %d) cannot resolve a %d-bit IPA with %s: %d index bits, "
                            + "more than 16 concatenated tables or none", sl0, startLevel, inputSize, g, startBits));
        }
        long tableBytes = Math.max(64L, 8L << startBits);
        LpaeTranslationConfig tables;
        try {
            tables = LpaeTranslationConfig.builder(LpaeStage.STAGE2, g).inputSize(inputSize).startLevel(startLevel)
                    .ttb(ttb & -tableBytes).outputSize(ps).accessFlagFaultDisabled(D2_S2AFFD.isSet(d2)).build();
        } catch (IllegalArgumentException e) {
            throw bad(FaultOrigin.MISPROGRAMMED, sid, "stage 2: " + e.getMessage());
        }
        return new Stage2Config(tables, vmid(ste), D2_S2R.isSet(d2));
    }

    static SmmuFault bad(FaultOrigin origin, int sid, String detail) {
        return SmmuFault.config(EventFormat.C_BAD_STE, true, FaultKind.BAD_CONFIG, origin,
                String.format("sid 0x%x: %s", sid & 0xffff_ffffL, detail));
    }
}
