package org.iommulab.smmu.v3.internal.driver;

import org.iommulab.smmu.v3.internal.format.CmdFormat;

/**
 * A domain's IOTLB maintenance, Linux {@code arm_smmu_tlb_inv_context} and
 * {@code __arm_smmu_tlb_inv_range}: by ASID (stage 1, TLBI_NH_ASID) or VMID (stage 2,
 * TLBI_S12_VMALL) for everything; by range with TLBI_NH_VA or TLBI_S2_IPA, one command per
 * granule without RIL, or with RIL as few range commands as the 5-bit NUM allows (each covers
 * {@code (NUM+1) << SCALE} pages of the leaf size, TG its granule, TTL the level of a leaf
 * invalidation). Every batch ends with CMD_SYNC. Not thread-safe: the domain holds a lock.
 */
final class TlbInvalidator {
    /** Linux CMDQ_TLBI_RANGE_NUM_MAX. */
    static final int RANGE_NUM_MAX = 31;

    private final CommandBatch batch;
    private final boolean ril;
    private final boolean stage1;
    private final int asid;
    private final int vmid;
    /** log2 of the domain's smallest page: Linux's {@code __ffs(pgsize_bitmap)}. */
    private final int pgShift;

    TlbInvalidator(CommandBatch batch, boolean ril, boolean stage1, int asid, int vmid, int pgShift) {
        this.batch = batch;
        this.ril = ril;
        this.stage1 = stage1;
        this.asid = asid;
        this.vmid = vmid;
        this.pgShift = pgShift;
    }

    /** Linux {@code arm_smmu_tlb_inv_context}. */
    int invalidateAll() {
        if (stage1) {
            Commands.tlbiNhAsid(batch.scratch(), asid, vmid);
        } else {
            Commands.tlbiS12Vmall(batch.scratch(), vmid);
        }
        batch.addScratch();
        return batch.submit();
    }

    /**
     * Linux {@code arm_smmu_tlb_inv_range_domain}: invalidates {@code [iova, iova+size)} mapped
     * with leaves of {@code granule} bytes; {@code leaf} when only leaf entries changed.
     */
    int invalidateRange(long iova, long size, long granule, boolean leaf) {
        if (size == 0) {
            return 0;
        }
        int op = stage1 ? CmdFormat.TLBI_NH_VA : CmdFormat.TLBI_S2_IPA;
        long end = iova + size;
        long numPages = 0;
        int tg = 0;
        int ttl = 0;
        long invRange = granule;
        if (ril) {
            numPages = Math.max(1, size >>> pgShift);
            // Convert page size of 12, 14, 16 (log2) to 1, 2, 3.
            tg = (pgShift - 10) / 2;
            if (leaf) {
                // Determine what level the granule is at.
                ttl = 4 - ((63 - Long.numberOfLeadingZeros(granule)) - 3) / (pgShift - 3);
            } else if ((numPages & RANGE_NUM_MAX) == 1) {
                // Avoid the corner case where both SCALE and NUM would be 0.
                numPages++;
            }
        }
        while (Long.compareUnsigned(iova, end) < 0) {
            int num = 0;
            int scale = 0;
            if (ril) {
                // The range is 5 bits' worth of the aligned size remaining.
                scale = Long.numberOfTrailingZeros(numPages);
                num = (int) ((numPages >>> scale) & RANGE_NUM_MAX);
                invRange = (long) num << (scale + pgShift);
                numPages -= (long) num << scale;
                num -= 1;
            }
            Commands.tlbiRange(batch.scratch(), op, asid, vmid, iova, leaf, tg, ttl, num, scale);
            batch.addScratch();
            iova += invRange;
        }
        return batch.submit();
    }
}
