package org.iommulab.smmu.v3.internal.model;

import static org.iommulab.smmu.v3.internal.format.CmdFormat.*;

import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.model.ste.ConfigCache;
import org.iommulab.modelkit.tlb.Iotlb;
import org.iommulab.smmu.v3.internal.model.tlb.TlbEntries;

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
 *
 * <p>The IOTLB visits only what a command selects: the VMID's or the (VMID, ASID) pair's
 * entries, or for a short range the pages it covers.
 */
final class CommandEffects {
    private static final int STAGE1_KINDS = 1 << TlbEntries.KIND_S1 | 1 << TlbEntries.KIND_NESTED;
    private static final int ALL_KINDS = STAGE1_KINDS | 1 << TlbEntries.KIND_S2;
    private static final int ANY = Iotlb.ANY;

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
        // VMID is matched only when stage 2 is implemented (QEMU's queue_stage2_supported);
        // without it every entry carries VMID -1 (StreamConfig#vmid), so -1 selects them all.
        int vmid = features.stage2() ? D0_VMID.getInt(d0) : -1;
        switch (op) {
            case TLBI_NH_ALL:
                recordInvalidation(iotlb.invalidate(STAGE1_KINDS, vmid, ANY));
                return Queue.CERROR_NONE;
            case TLBI_NH_ASID:
                recordInvalidation(iotlb.invalidate(STAGE1_KINDS, vmid, D0_ASID.getInt(d0)));
                return Queue.CERROR_NONE;
            case TLBI_NH_VA:
                return range(STAGE1_KINDS, D0_ASID.getInt(d0), vmid, D1_VA.bits(d1), d0, d1);
            default:
                return range(STAGE1_KINDS, ANY, vmid, D1_VA.bits(d1), d0, d1);
        }
    }

    int stage2(int op, long d0, long d1) {
        int vmid = D0_VMID.getInt(d0);
        if (op == TLBI_S12_VMALL) {
            recordInvalidation(iotlb.invalidate(ALL_KINDS, vmid, ANY));
            return Queue.CERROR_NONE;
        }
        return range(1 << TlbEntries.KIND_S2, ANY, vmid, D1_IPA.bits(d1), d0, d1);
    }

    /** An address or range TLBI; {@code asid} is {@link Iotlb#ANY} for the forms without one. */
    private int range(int kinds, int asid, int vmid, long addr, long d0, long d1) {
        int tg = features.ril() ? D1_TG.getInt(d1) : 0;
        if (tg == 0) {
            recordInvalidation(iotlb.invalidateAddress(kinds, vmid, asid, addr));
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
        recordInvalidation(iotlb.invalidateRange(kinds, vmid, asid, start, end, ttl == 0 ? ANY : ttl));
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
