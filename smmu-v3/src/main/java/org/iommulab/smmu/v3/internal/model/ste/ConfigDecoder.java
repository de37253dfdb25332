package org.iommulab.smmu.v3.internal.model.ste;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.smmu.v3.internal.format.CdFormat;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.format.SteFormat;
import org.iommulab.smmu.v3.internal.model.SmmuMemory;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.iommulab.smmu.v3.internal.model.fault.SmmuFault;

/**
 * Builds a stream's {@link StreamConfig} from memory (QEMU's {@code smmuv3_decode_config}):
 * finds and fetches the STE, decodes it, and for stage 1 fetches the CD (through stage 2 first
 * when nested: its address is an IPA, so a stage-2 fault here has CLASS = CD) and decodes it.
 * Throws {@link SmmuFault} with the event the first problem raises. Used under the model's lock.
 */
public final class ConfigDecoder {
    private final SmmuMemory memory;
    private final StreamTableLookup lookup;
    private final SteDecoder ste;
    private final CdDecoder cd;
    private final long[] steWords = new long[SteFormat.STE_DWORDS];
    private final long[] cdWords = new long[CdFormat.CD_DWORDS];

    public ConfigDecoder(SmmuMemory memory, SmmuV3Features features) {
        this.memory = memory;
        this.lookup = new StreamTableLookup(memory, features.sidBits());
        this.ste = new SteDecoder(features);
        this.cd = new CdDecoder(features);
    }

    /**
     * @throws SmmuFault C_BAD_STREAMID, F_STE_FETCH, C_BAD_STE, F_CD_FETCH, C_BAD_CD, or a
     *         stage-2 fault of the CD address
     */
    public StreamConfig decode(int sid, long strtabBase, int strtabCfg, boolean recInvSid, Stage2Walk s2walk) {
        long steAddr = lookup.steAddress(sid, strtabBase, strtabCfg, recInvSid);
        if (!memory.readDwords(steAddr, steWords, SteFormat.STE_DWORDS)) {
            throw SmmuFault.fetch(EventFormat.F_STE_FETCH, steAddr, String.format("STE fetch at 0x%x aborted", steAddr));
        }
        int config = ste.config(steWords, sid);
        int vmid = ste.vmid(steWords);
        if (config < 0) {
            return new StreamConfig(StreamConfig.Kind.ABORT, sid, null, null, vmid, "STE.Config abort");
        }
        if (config == SteFormat.CONFIG_BYPASS) {
            return new StreamConfig(StreamConfig.Kind.BYPASS, sid, null, null, vmid, "STE.Config bypass");
        }
        Stage2Config s2 = (config & 0b010) != 0 ? ste.stage2(steWords, sid) : null;
        if ((config & 0b001) == 0) {
            return new StreamConfig(StreamConfig.Kind.TRANSLATE, sid, null, s2, vmid, s2 + attributes());
        }
        SteDecoder.Stage1Part part = ste.stage1(steWords, sid);
        if (part == null) {
            return new StreamConfig(StreamConfig.Kind.DISABLED, sid, null, s2, vmid, "S1DSS terminates non-substream traffic");
        }
        if (part.bypass) {
            return new StreamConfig(s2 == null ? StreamConfig.Kind.BYPASS : StreamConfig.Kind.TRANSLATE, sid, null, s2,
                    vmid, "S1DSS bypass, " + s2);
        }
        long cdAddr = part.contextPtr;
        if (s2 != null) {
            cdAddr = s2walk.translate(s2, cdAddr, EventFormat.CLASS_CD);
        }
        if (!memory.readDwords(cdAddr, cdWords, CdFormat.CD_DWORDS)) {
            throw SmmuFault.fetch(EventFormat.F_CD_FETCH, cdAddr, String.format("CD fetch at 0x%x aborted", cdAddr));
        }
        Stage1Config s1 = cd.decode(cdWords, sid, cdAddr);
        return new StreamConfig(StreamConfig.Kind.TRANSLATE, sid, s1, s2, vmid,
                s1 + (s2 != null ? ", " + s2 : "") + attributes());
    }

    /**
     * The STE fields decoded but without effect here, for the summary: EATS (no ATS traffic
     * exists), STRW (RES0 without IDR0.HYP), SHCFG and S2PTW (memory attributes and types are
     * not modelled), MEV (records are never merged).
     */
    private String attributes() {
        return String.format(" [EATS %d STRW %d SHCFG %d MEV %d S2PTW %d]", SteFormat.D1_EATS.get(steWords),
                SteFormat.D1_STRW.get(steWords), SteFormat.D1_SHCFG.get(steWords), SteFormat.D1_MEV.get(steWords),
                SteFormat.D2_S2PTW.get(steWords));
    }

    /** F_STREAM_DISABLED for a stream whose non-substream traffic is terminated. */
    public static SmmuFault streamDisabled(int sid) {
        return SmmuFault.config(EventFormat.F_STREAM_DISABLED, true, FaultKind.STREAM_DISABLED, FaultOrigin.ACCESS,
                String.format("sid 0x%x: STE.S1DSS terminates transactions without a SubstreamID", sid & 0xffff_ffffL));
    }
}
