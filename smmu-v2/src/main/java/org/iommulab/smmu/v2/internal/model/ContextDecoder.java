package org.iommulab.smmu.v2.internal.model;

import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr1;

/**
 * Decodes a context bank's registers into a {@link TranslationConfig} (decoding apart from
 * walking). Follows IHI0062's context bank types and the AArch64 (VA64) register formats:
 * stage 1 from TCR (T0SZ, TG0, EPD0), TCR2 (PASize, AS) and TTBR0 (base, ASID); stage 2 from
 * VTCR (T0SZ, SL0, TG0, PS) and TTBR0; the VMID from CBAR or, with sCR0.VMID16EN, CBA2R.
 * Configurations this model does not implement (AArch32 formats, big-endian tables, the stall
 * fault model) decode to {@link FaultReason#NOT_MODELLED}.
 */
final class ContextDecoder {
    private final SmmuV2Params params;

    ContextDecoder(SmmuV2Params params) {
        this.params = params;
    }

    TranslationConfig decode(ContextBank[] banks, int index, boolean vmid16) {
        ContextBank b = banks[index];
        int vmid = vmid(b, vmid16);
        int type = (int) Gr1.CBAR_TYPE.get(b.cbar);
        boolean typeOk = switch (type) {
            case Gr1.CBAR_TYPE_S2_TRANS -> params.stage2();
            case Gr1.CBAR_TYPE_S1_TRANS_S2_TRANS -> params.nested();
            default -> params.stage1();
        };
        if (!typeOk) {
            return TranslationConfig.failed(index, vmid, FaultReason.INVALID_CONTEXT,
                    "CBAR" + index + ".TYPE=" + type + " needs a stage ID0 does not report");
        }
        String nm = notModelled(b);
        if (nm != null) {
            return TranslationConfig.failed(index, vmid, FaultReason.NOT_MODELLED, "context bank " + index + ": " + nm);
        }
        boolean m = Cb.SCTLR_M.isSet(b.sctlr);
        if (type == Gr1.CBAR_TYPE_S2_TRANS) {
            if (!m) {
                return TranslationConfig.bypass(index, vmid);
            }
            Object s2 = stage2(b, index, vmid);
            if (s2 instanceof TranslationConfig failed) {
                return failed;
            }
            LpaeTranslationConfig c2 = (LpaeTranslationConfig) s2;
            return new TranslationConfig(index, -1, vmid, -1, null, c2, false, false, leafShifts(c2.granule()), null, null);
        }
        LpaeTranslationConfig c1 = null;
        int asid = -1;
        if (m) {
            Object s1 = stage1(b, index, vmid);
            if (s1 instanceof TranslationConfig failed) {
                return failed;
            }
            c1 = (LpaeTranslationConfig) s1;
            long a = Cb.TTBR_ASID.get(b.ttbr0);
            asid = (int) (Cb.TCR2_AS.isSet(b.tcr2) ? a : a & 0xff);
        }
        boolean epd0 = m && Cb.TCR_EPD0.isSet(b.tcr);
        if (type == Gr1.CBAR_TYPE_S1_TRANS_S2_BYPASS) {
            return c1 == null ? TranslationConfig.bypass(index, vmid)
                    : new TranslationConfig(index, -1, vmid, asid, c1, null, false, epd0, leafShifts(c1.granule()), null,
                            null);
        }
        if (type == Gr1.CBAR_TYPE_S1_TRANS_S2_FAULT) {
            return new TranslationConfig(index, -1, vmid, asid, c1, null, true, epd0,
                    c1 == null ? 0 : leafShifts(c1.granule()), null, null);
        }
        // Nested: CBAR[15:8] names the stage-2 bank, which must itself be a stage-2 context.
        int s2Index = (int) Gr1.CBAR_CBNDX.get(b.cbar);
        if (s2Index >= banks.length || s2Index == index
                || Gr1.CBAR_TYPE.get(banks[s2Index].cbar) != Gr1.CBAR_TYPE_S2_TRANS) {
            return TranslationConfig.failed(index, vmid, FaultReason.BAD_NESTED_STAGE2,
                    "CBAR" + index + ".CBNDX=" + s2Index + " is not a stage-2 context bank");
        }
        ContextBank b2 = banks[s2Index];
        int vmid2 = vmid(b2, vmid16);
        String nm2 = notModelled(b2);
        if (nm2 != null) {
            return TranslationConfig.failed(index, vmid2, FaultReason.NOT_MODELLED, "context bank " + s2Index + ": " + nm2);
        }
        LpaeTranslationConfig c2 = null;
        if (Cb.SCTLR_M.isSet(b2.sctlr)) {
            Object s2 = stage2(b2, s2Index, vmid2);
            if (s2 instanceof TranslationConfig failed) {
                return failed;
            }
            c2 = (LpaeTranslationConfig) s2;
        }
        long shifts = (c1 == null ? 0 : leafShifts(c1.granule())) | (c2 == null ? 0 : leafShifts(c2.granule()));
        if (c1 == null && c2 == null) {
            return TranslationConfig.bypass(index, vmid2);
        }
        return new TranslationConfig(index, s2Index, vmid2, asid, c1, c2, false, epd0, shifts, null, null);
    }

    private static int vmid(ContextBank b, boolean vmid16) {
        return (int) (vmid16 ? Gr1.CBA2R_VMID16.get(b.cba2r) : Gr1.CBAR_VMID.get(b.cbar));
    }

    private static String notModelled(ContextBank b) {
        if (!Gr1.CBA2R_VA64.isSet(b.cba2r)) {
            return "AArch32 context format (CBA2R.VA64=0)";
        }
        if (Cb.SCTLR_E.isSet(b.sctlr)) {
            return "big-endian translation tables (SCTLR.E=1)";
        }
        if (Cb.SCTLR_CFCFG.isSet(b.sctlr)) {
            return "stall fault model (SCTLR.CFCFG=1)";
        }
        return null;
    }

    /** Stage 1 from TCR/TCR2/TTBR0, or a failed config. */
    private Object stage1(ContextBank b, int index, int vmid) {
        LpaeGranule g = granule((int) Cb.TCR_TG0.get(b.tcr));
        if (g == null) {
            return TranslationConfig.failed(index, vmid, FaultReason.BAD_GRANULE,
                    "TCR" + index + ".TG0=" + Cb.TCR_TG0.get(b.tcr));
        }
        int in = 64 - (int) Cb.TCR_T0SZ.get(b.tcr);
        if (in > params.ias() || in <= g.shift()) {
            return TranslationConfig.failed(index, vmid, FaultReason.BAD_TXSZ, String.format(
                    "TCR%d.T0SZ=%d gives a %d-bit VA; this SMMU translates up to %d bits", index, 64 - in, in, params.ias()));
        }
        // PASize beyond what ID2.IAS reports is treated as the largest supported (IHI0062).
        int out = Math.min(SmmuV2Params.sizeBits((int) Cb.TCR2_PASIZE.get(b.tcr2)), params.ias());
        return build(LpaeTranslationConfig.builder(LpaeStage.STAGE1, g).inputSize(in).outputSize(out)
                .ttb(Cb.TTBR_ADDR.get(b.ttbr0)).accessFlagFaultDisabled(Cb.SCTLR_AFFD.isSet(b.sctlr)), index, vmid);
    }

    /** Stage 2 from VTCR/TTBR0, or a failed config. */
    private Object stage2(ContextBank b, int index, int vmid) {
        LpaeGranule g = granule((int) Cb.TCR_TG0.get(b.tcr));
        if (g == null) {
            return TranslationConfig.failed(index, vmid, FaultReason.BAD_GRANULE,
                    "VTCR" + index + ".TG0=" + Cb.TCR_TG0.get(b.tcr));
        }
        int in = 64 - (int) Cb.TCR_T0SZ.get(b.tcr);
        if (in > params.ias() || in <= g.shift()) {
            return TranslationConfig.failed(index, vmid, FaultReason.BAD_TXSZ, String.format(
                    "VTCR%d.T0SZ=%d gives a %d-bit IPA; ID2.IAS is %d bits", index, 64 - in, in, params.ias()));
        }
        int sl0 = (int) Cb.VTCR_SL0.get(b.tcr);
        if (sl0 == 3) {
            return TranslationConfig.failed(index, vmid, FaultReason.BAD_START_LEVEL, "VTCR" + index + ".SL0=3 is reserved");
        }
        // Arm ARM VTCR_EL2.SL0: 4K granule 0/1/2 -> level 2/1/0; 16K and 64K 0/1/2 -> level 3/2/1.
        int start = g == LpaeGranule.G4K ? 2 - sl0 : 3 - sl0;
        int out = Math.min(SmmuV2Params.sizeBits((int) Cb.VTCR_PS.get(b.tcr)), params.oas());
        return build(LpaeTranslationConfig.builder(LpaeStage.STAGE2, g).inputSize(in).startLevel(start).outputSize(out)
                .ttb(Cb.TTBR_ADDR.get(b.ttbr0)).accessFlagFaultDisabled(Cb.SCTLR_AFFD.isSet(b.sctlr)), index, vmid);
    }

    private static Object build(LpaeTranslationConfig.Builder builder, int index, int vmid) {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            FaultReason r = msg.contains("table base") ? FaultReason.BAD_TTB
                    : msg.contains("start level") ? FaultReason.BAD_START_LEVEL : FaultReason.BAD_TXSZ;
            return TranslationConfig.failed(index, vmid, r, "context bank " + index + ": " + msg);
        }
    }

    /** TG0 to a granule this SMMU reports in ID2, or null. */
    private LpaeGranule granule(int tg0) {
        return switch (tg0) {
            case Cb.TG0_4K -> params.granule4k() ? LpaeGranule.G4K : null;
            case Cb.TG0_16K -> params.granule16k() ? LpaeGranule.G16K : null;
            case Cb.TG0_64K -> params.granule64k() ? LpaeGranule.G64K : null;
            default -> null;
        };
    }

    /** Leaf sizes of a granule with output sizes up to 48 bits (Arm ARM D8.3: block levels). */
    static long leafShifts(LpaeGranule g) {
        return switch (g) {
            case G4K -> (1L << 12) | (1L << 21) | (1L << 30);
            case G16K -> (1L << 14) | (1L << 25);
            case G64K -> (1L << 16) | (1L << 29);
        };
    }
}
