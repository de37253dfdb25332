package org.iommulab.smmu.v2.internal.driver;

import org.iommulab.smmu.v2.internal.model.SmmuV2Params;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;

/**
 * What the driver learnt about the SMMU from its ID registers: Linux's
 * {@code struct arm_smmu_device} fields set by {@code arm_smmu_device_cfg_probe} and
 * {@code arm_smmu_test_smr_masks}. Immutable.
 */
record SmmuFeatures(boolean stage1, boolean stage2, boolean nested, boolean transOps, boolean coherentWalk,
        boolean vmid16, int numMappingGroups, int streamIdMask, int smrMaskMask, int pageShift, int numPage,
        int numContextBanks, int numS2ContextBanks, int vaSize, int ipaSize, int paSize, long pgsizeBitmap) {

    /**
     * Linux {@code arm_smmu_device_cfg_probe} (SMMUv2, AArch64 formats only): reads ID0, ID1 and
     * ID2. {@code forceStage} is Linux's {@code force_stage} module parameter (1 or 2 hides the
     * other stage and nesting; anything else hides nothing).
     *
     * @throws IllegalStateException "no translation support", "no SMRs", "impossible number of
     *         S2 context banks", as Linux fails the probe with -ENODEV
     */
    static SmmuFeatures probe(SmmuIo io, int forceStage) {
        int id = io.gr0Read(Gr0.ID0);
        if (forceStage == 1) {
            id &= ~(int) (Gr0.ID0_S2TS.mask() | Gr0.ID0_NTS.mask());
        } else if (forceStage == 2) {
            id &= ~(int) (Gr0.ID0_S1TS.mask() | Gr0.ID0_NTS.mask());
        }
        boolean s1 = Gr0.ID0_S1TS.get(id) != 0;
        boolean s2 = Gr0.ID0_S2TS.get(id) != 0;
        boolean nts = Gr0.ID0_NTS.get(id) != 0;
        if (!s1 && !s2) {
            throw new IllegalStateException("no translation support!");
        }
        boolean transOps = s1 && Gr0.ID0_ATOSNS.get(id) == 0;
        boolean cttw = Gr0.ID0_CTTW.get(id) != 0;
        // Extended (16-bit) stream IDs are not offered by the model (ID0.EXIDS = 0).
        int sidMask = (1 << Gr0.ID0_NUMSIDB.get(id)) - 1;
        if (Gr0.ID0_SMS.get(id) == 0) {
            throw new IllegalStateException("stream indexing is not supported by this driver (ID0.SMS=0)");
        }
        int groups = Gr0.ID0_NUMSMRG.getInt(id);
        if (groups == 0) {
            throw new IllegalStateException("stream-matching supported, but no SMRs present!");
        }

        id = io.gr0Read(Gr0.ID1);
        int pgshift = Gr0.ID1_PAGESIZE.get(id) != 0 ? 16 : 12;
        int numpage = 1 << (Gr0.ID1_NUMPAGENDXB.get(id) + 1);
        int s2cbs = Gr0.ID1_NUMS2CB.getInt(id);
        int cbs = Gr0.ID1_NUMCB.getInt(id);
        if (s2cbs > cbs) {
            throw new IllegalStateException("impossible number of S2 context banks!");
        }

        id = io.gr0Read(Gr0.ID2);
        int ipa = SmmuV2Params.sizeBits(Gr0.ID2_IAS.getInt(id));
        int pa = SmmuV2Params.sizeBits(Gr0.ID2_OAS.getInt(id));
        boolean vmid16 = Gr0.ID2_VMID16.get(id) != 0;
        int va = SmmuV2Params.sizeBits(Gr0.ID2_UBS.getInt(id));
        long pgsizes = 0;
        if (Gr0.ID2_PTFS_4K.get(id) != 0) {
            pgsizes |= (1L << 12) | (1L << 21) | (1L << 30);
        }
        if (Gr0.ID2_PTFS_16K.get(id) != 0) {
            pgsizes |= (1L << 14) | (1L << 25);
        }
        if (Gr0.ID2_PTFS_64K.get(id) != 0) {
            pgsizes |= (1L << 16) | (1L << 29);
        }
        io.geometry(pgshift, numpage);
        return new SmmuFeatures(s1, s2, nts, transOps, cttw, vmid16, groups, sidMask, 0, pgshift, numpage, cbs, s2cbs,
                va, ipa, pa, pgsizes);
    }

    /**
     * Linux {@code arm_smmu_test_smr_masks}: writes the widest ID, then the widest MASK, into a
     * free SMR and keeps what the hardware preserved. Runs after the reset, when every SMR is
     * free.
     */
    SmmuFeatures testSmrMasks(SmmuIo io) {
        int i = 0;
        int smr = (int) Gr0.SMR_ID.of(streamIdMask);
        io.gr0Write(Gr0.SMR, i, smr);
        int idMask = Gr0.SMR_ID.getInt(io.gr0Read(Gr0.SMR, i));
        io.gr0Write(Gr0.SMR, i, (int) Gr0.SMR_MASK.of(idMask));
        int maskMask = Gr0.SMR_MASK.getInt(io.gr0Read(Gr0.SMR, i));
        // Linux leaves the pattern behind (VALID is clear, so it matches nothing); clear it.
        io.gr0Write(Gr0.SMR, i, 0);
        return new SmmuFeatures(stage1, stage2, nested, transOps, coherentWalk, vmid16, numMappingGroups, idMask,
                maskMask, pageShift, numPage, numContextBanks, numS2ContextBanks, vaSize, ipaSize, paSize,
                pgsizeBitmap);
    }
}
