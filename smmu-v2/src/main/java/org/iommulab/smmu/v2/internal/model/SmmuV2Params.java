package org.iommulab.smmu.v2.internal.model;

import org.iommulab.smmu.v2.internal.model.regs.Gr0;

/**
 * What one SMMUv2 instance implements, fixed at build time as in silicon (an MMU-500 is
 * configured when it is synthesised): counts, page size, address sizes, granules, stages, TLB
 * size, and the simulator's own knob, the TLB sync latency. The ID registers report it; the
 * driver discovers it only from them. Immutable; {@link #validate()} says what is wrong.
 *
 * @param smrGroups stream match register groups, ID0.NUMSMRG (1..128)
 * @param contextBanks context banks, ID1.NUMCB (1..128)
 * @param pageSize register page size, 4096 or 65536 (ID1.PAGESIZE)
 * @param ias IPA size in bits, ID2.IAS; also the VA size this model reports in ID2.UBS
 * @param oas PA size in bits, ID2.OAS
 * @param granule4k ID2.PTFS_4K
 * @param granule16k ID2.PTFS_16K
 * @param granule64k ID2.PTFS_64K
 * @param stage1 ID0.S1TS
 * @param stage2 ID0.S2TS
 * @param nested ID0.NTS (needs both stages)
 * @param streamIdBits ID0.NUMSIDB (1..15; extended 16-bit stream IDs are not modelled)
 * @param tlbEntries entries of each context bank's TLB (a power of two, 4..65536)
 * @param syncPolls reads of TLBSTATUS / sTLBGSTATUS that see SACTIVE / GSACTIVE set after a
 *        sync before the sync completes (0: completes at once)
 */
public record SmmuV2Params(int smrGroups, int contextBanks, int pageSize, int ias, int oas, boolean granule4k,
        boolean granule16k, boolean granule64k, boolean stage1, boolean stage2, boolean nested, int streamIdBits,
        int tlbEntries, int syncPolls) {

    /** A typical MMU-500: 48 SMRs, 16 banks, 4K pages, 48-bit addresses, all granules and stages. */
    public static SmmuV2Params mmu500() {
        return new SmmuV2Params(48, 16, 4096, 48, 48, true, true, true, true, true, true, 15, 128, 2);
    }

    /** A copy with other counts. */
    public SmmuV2Params withCounts(int smrs, int banks) {
        return new SmmuV2Params(smrs, banks, pageSize, ias, oas, granule4k, granule16k, granule64k, stage1, stage2,
                nested, streamIdBits, tlbEntries, syncPolls);
    }

    /** A copy with other stages. */
    public SmmuV2Params withStages(boolean s1, boolean s2, boolean nest) {
        return new SmmuV2Params(smrGroups, contextBanks, pageSize, ias, oas, granule4k, granule16k, granule64k, s1, s2,
                nest, streamIdBits, tlbEntries, syncPolls);
    }

    /** A copy with another register page size, TLB size and sync latency. */
    public SmmuV2Params withTiming(int page, int tlb, int polls) {
        return new SmmuV2Params(smrGroups, contextBanks, page, ias, oas, granule4k, granule16k, granule64k, stage1,
                stage2, nested, streamIdBits, tlb, polls);
    }

    /** A copy with other address sizes and granules. */
    public SmmuV2Params withAddressing(int inBits, int outBits, boolean g4k, boolean g16k, boolean g64k) {
        return new SmmuV2Params(smrGroups, contextBanks, pageSize, inBits, outBits, g4k, g16k, g64k, stage1, stage2,
                nested, streamIdBits, tlbEntries, syncPolls);
    }

    /**
     * @throws IllegalArgumentException naming the first parameter that is out of range
     */
    public SmmuV2Params validate() {
        check(smrGroups >= 1 && smrGroups <= 128, "SMR groups must be 1..128, got " + smrGroups);
        check(contextBanks >= 1 && contextBanks <= 128, "context banks must be 1..128, got " + contextBanks);
        check(pageSize == 4096 || pageSize == 65536, "page size must be 4096 or 65536, got " + pageSize);
        check(sizeCode(ias) >= 0, "IAS must be one of 32, 36, 40, 42, 44, 48, got " + ias);
        check(sizeCode(oas) >= 0, "OAS must be one of 32, 36, 40, 42, 44, 48, got " + oas);
        check(granule4k || granule16k || granule64k, "at least one translation granule must be supported");
        check(stage1 || stage2, "at least one translation stage must be supported");
        check(!nested || stage1 && stage2, "nested translation needs both stages");
        check(streamIdBits >= 1 && streamIdBits <= 15, "stream ID bits must be 1..15, got " + streamIdBits);
        check(tlbEntries >= 4 && tlbEntries <= 65536 && Integer.bitCount(tlbEntries) == 1,
                "TLB entries must be a power of two in 4..65536, got " + tlbEntries);
        check(syncPolls >= 0 && syncPolls <= 1_000_000, "sync polls must be 0..1000000, got " + syncPolls);
        return this;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** ID2.IAS/OAS/UBS and TCR2.PASIZE / VTCR.PS encoding of an address size, or -1. */
    public static int sizeCode(int bits) {
        switch (bits) {
            case 32: return 0;
            case 36: return 1;
            case 40: return 2;
            case 42: return 3;
            case 44: return 4;
            case 48: return 5;
            default: return -1;
        }
    }

    /** The address size an ID2/PASIZE/PS code stands for (Linux {@code arm_smmu_id_size_to_bits}). */
    public static int sizeBits(int code) {
        switch (code) {
            case 0: return 32;
            case 1: return 36;
            case 2: return 40;
            case 3: return 42;
            case 4: return 44;
            default: return 48;
        }
    }

    /** log2 of the register page size. */
    public int pageShift() {
        return pageSize == 65536 ? 16 : 12;
    }

    /** Pages of global space, ID1.NUMPAGE = 2^(NUMPAGENDXB+1): enough for every bank, at least 2. */
    public int numPage() {
        int n = 2;
        while (n < contextBanks) {
            n <<= 1;
        }
        return n;
    }

    /** Bytes of the register space: global half plus context-bank half, {@code 2 * NUMPAGE * page}. */
    public long size() {
        return 2L * numPage() * pageSize;
    }

    /** Banks that can only do stage 2 (ID1.NUMS2CB): all of them on a stage-2-only SMMU, else none. */
    public int s2OnlyBanks() {
        return stage1 ? 0 : contextBanks;
    }

    /** Smallest granule shift supported: the block a translation result always holds for. */
    public int minGranuleShift() {
        return granule4k ? 12 : granule16k ? 14 : 16;
    }

    public int id0() {
        long v = Gr0.ID0_NUMSMRG.of(smrGroups) | Gr0.ID0_NUMSIDB.of(streamIdBits) | Gr0.ID0_CTTW.of(1)
                | Gr0.ID0_NUMIRPT.of(contextBanks) | Gr0.ID0_PTFS_NO_AARCH32.of(1)
                | Gr0.ID0_PTFS_NO_AARCH32S.of(1) | Gr0.ID0_SMS.of(1) | Gr0.ID0_NTS.of(nested ? 1 : 0)
                | Gr0.ID0_S2TS.of(stage2 ? 1 : 0) | Gr0.ID0_S1TS.of(stage1 ? 1 : 0);
        return (int) v;
    }

    public int id1() {
        long v = Gr0.ID1_NUMCB.of(contextBanks) | Gr0.ID1_NUMS2CB.of(s2OnlyBanks())
                | Gr0.ID1_NUMPAGENDXB.of(Integer.numberOfTrailingZeros(numPage()) - 1)
                | Gr0.ID1_PAGESIZE.of(pageSize == 65536 ? 1 : 0);
        return (int) v;
    }

    public int id2() {
        long v = Gr0.ID2_IAS.of(sizeCode(ias)) | Gr0.ID2_OAS.of(sizeCode(oas)) | Gr0.ID2_UBS.of(sizeCode(ias))
                | Gr0.ID2_PTFS_4K.of(granule4k ? 1 : 0) | Gr0.ID2_PTFS_16K.of(granule16k ? 1 : 0)
                | Gr0.ID2_PTFS_64K.of(granule64k ? 1 : 0) | Gr0.ID2_VMID16.of(1);
        return (int) v;
    }

    /** ID7: architecture major 2, minor 1 (an MMU-500 reports r2p1-style values here). */
    public int id7() {
        return (int) (Gr0.ID7_MAJOR.of(2) | Gr0.ID7_MINOR.of(1));
    }
}
