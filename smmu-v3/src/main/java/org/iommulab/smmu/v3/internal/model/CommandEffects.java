package org.iommulab.smmu.v3.internal.model;

import static org.iommulab.smmu.v3.internal.format.CmdFormat.*;

import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.model.ste.ConfigCache;
import org.iommulab.smmu.v3.internal.model.tlb.Iotlb;

/**
 * What the TLB invalidation commands remove (IHI0070 §4.4). Stage-1 commands (TLBI_NH_*) act on
 * stage-1 and combined nested entries, matching the VMID when stage 2 is implemented; stage-2
 * commands act by VMID, and TLBI_S2_IPA only on stage-2 entries: like the Arm ARM's
 * {@code TLBI IPAS2E1}, it need not remove combined stage-1+2 entries, which software removes
 * with TLBI_S12_VMALL or TLBI_NH_* (gem5 keeps them "as per the spec" too).
 *
 * <p>Range form (SMMUv3.2, IDR3.RIL): TG != 0 selects a granule of {@code 2^(TG*2+10)} bytes
 * and the range {@code [Address, Address + (NUM+1) * 2^SCALE granules)}; a non-zero TTL limits
 * it to leaves of that level. QEMU once sized notifier ranges with the raw TG ("Fix addr_mask
 * for range-based invalidation", 2020). TG == 0 invalidates the leaves containing Address, and
 * TTL is then ignored. Without RIL, TG, NUM, SCALE and TTL are RES0 and ignored.
 */
final class CommandEffects {
    private static final int STAGE1_KINDS = 1 << Iotlb.KIND_S1 | 1 << Iotlb.KIND_NESTED;
    private static final int ALL_KINDS = STAGE1_KINDS | 1 << Iotlb.KIND_S2;

    private final SmmuV3Features features;
    private final ConfigCache configs;
    private final Iotlb iotlb;
    private long invalidationCommands;
    private long entriesInvalidated;

    CommandEffects(SmmuV3Features features, ConfigCache configs, Iotlb iotlb) {
        this.features = features;
        this.configs = configs;
        this.iotlb = iotlb;
    }

    int stage1(int op, long d0, long d1) {
        // VMID is matched only when stage 2 is implemented (QEMU's queue_stage2_supported).
        int vmid = features.stage2() ? D0_VMID.getInt(d0) : -1;
        switch (op) {
            case TLBI_NH_ALL:
                recordInvalidation(iotlb.invalidate(STAGE1_KINDS, -1, vmid, 0, -1L, 0));
                return Queue.CERROR_NONE;
            case TLBI_NH_ASID:
                recordInvalidation(iotlb.invalidate(STAGE1_KINDS, D0_ASID.getInt(d0), vmid, 0, -1L, 0));
                return Queue.CERROR_NONE;
            case TLBI_NH_VA:
                return range(STAGE1_KINDS, D0_ASID.getInt(d0), vmid, D1_VA.bits(d1), d0, d1);
            default:
                return range(STAGE1_KINDS, -1, vmid, D1_VA.bits(d1), d0, d1);
        }
    }

    int stage2(int op, long d0, long d1) {
        int vmid = D0_VMID.getInt(d0);
        if (op == TLBI_S12_VMALL) {
            recordInvalidation(iotlb.invalidate(ALL_KINDS, -1, vmid, 0, -1L, 0));
            return Queue.CERROR_NONE;
        }
        return range(1 << Iotlb.KIND_S2, -1, vmid, D1_IPA.bits(d1), d0, d1);
    }

    private int range(int kinds, int asid, int vmid, long addr, long d0, long d1) {
        int tg = features.ril() ? D1_TG.getInt(d1) : 0;
        if (tg == 0) {
            recordInvalidation(iotlb.invalidate(kinds, asid, vmid, addr, addr, 0));
            return Queue.CERROR_NONE;
        }
        int granule = granuleShift(tg);
        long start = addr & -(1L << granule);
        long pages = (D0_NUM.get(d0) + 1) << D0_SCALE.getInt(d0);
        long end = start + (pages << granule) - 1;
        if (Long.compareUnsigned(end, start) < 0) {
            end = -1L;
        }
        int ttl = D1_TTL.getInt(d1);
        recordInvalidation(iotlb.invalidate(kinds, asid, vmid, start, end, ttl));
        return Queue.CERROR_NONE;
    }

    void recordInvalidation(int entries) {
        invalidationCommands++;
        entriesInvalidated += entries;
    }

    long invalidationCommands() {
        return invalidationCommands;
    }

    long entriesInvalidated() {
        return entriesInvalidated;
    }

    ConfigCache configs() {
        return configs;
    }
}
