package org.iommulab.smmu.v3.internal.driver;

import java.util.concurrent.atomic.LongAdder;

import org.iommulab.smmu.v3.internal.format.CmdFormat;

/**
 * A domain's IOTLB maintenance, Linux {@code arm_smmu_tlb_inv_context} and
 * {@code __arm_smmu_tlb_inv_range}: by ASID (stage 1, TLBI_NH_ASID) or VMID (stage 2,
 * TLBI_S12_VMALL) for everything; by range with TLBI_NH_VA or TLBI_S2_IPA, one command per
 * granule without RIL, or with RIL as few range commands as the 5-bit NUM allows (each covers
 * {@code (NUM+1) << SCALE} pages of the leaf size, TG its granule, TTL the level of a leaf
 * invalidation). Every batch ends with CMD_SYNC.
 *
 * <p>Thread-safe. A range that one command covers (every single-page unmap, and with RIL any
 * run of up to 31 pages times a power of two) is issued as that command and a CMD_SYNC
 * straight into the queue ({@link CommandQueue#issueWithSync}), lock-free as Linux issues it
 * from the caller's stack: the strict unmap path shares no lock, with the domain's other CPUs
 * or with the SMMU's other domains. Longer ranges gather into the domain's one {@link CommandBatch} under its lock (Linux
 * keeps the batch on the stack; here one is reused so that nothing is allocated).
 */
final class TlbInvalidator {
    /** Linux CMDQ_TLBI_RANGE_NUM_MAX. */
    static final int RANGE_NUM_MAX = 31;

    private final CommandQueue cmdq;
    private final CommandBatch batch;
    private final boolean ril;
    private final boolean stage1;
    private final int asid;
    private final int vmid;
    /** log2 of the domain's smallest page: Linux's {@code __ffs(pgsize_bitmap)}. */
    private final int pgShift;
    /** TG for the domain's page size: page sizes of 12, 14, 16 (log2) give 1, 2, 3. */
    private final int tg;
    /**
     * Range commands issued alone, outside {@link #batch}: a striped counter, since every CPU
     * unmapping in this domain adds to it and the queue it issues into takes no lock.
     */
    private final LongAdder direct = new LongAdder();
    /** The range command's opcode: TLBI_NH_VA (stage 1) or TLBI_S2_IPA. */
    private final int op;
    /** Its first doubleword with this domain's opcode, ASID and VMID, NUM and SCALE 0: encoded once. */
    private final long d0Base;
    /** Its second doubleword's TG field with RIL ({@code tg}), 0 without: encoded once. */
    private final long d1Tg;

    TlbInvalidator(CommandQueue cmdq, CommandBatch batch, boolean ril, boolean stage1, int asid, int vmid, int pgShift) {
        this.cmdq = cmdq;
        this.batch = batch;
        this.ril = ril;
        this.stage1 = stage1;
        this.asid = asid;
        this.vmid = vmid;
        this.pgShift = pgShift;
        this.tg = (pgShift - 10) / 2;
        this.op = stage1 ? CmdFormat.TLBI_NH_VA : CmdFormat.TLBI_S2_IPA;
        this.d0Base = Commands.tlbiRangeD0(op, asid, vmid, 0, 0);
        this.d1Tg = Commands.tlbiRangeD1(op, 0, false, ril ? tg : 0, 0);
    }

    /** Linux {@code arm_smmu_tlb_inv_context}. */
    int invalidateAll() {
        synchronized (batch) {
            if (stage1) {
                Commands.tlbiNhAsid(batch.scratch(), asid, vmid);
            } else {
                Commands.tlbiS12Vmall(batch.scratch(), vmid);
            }
            batch.addScratch();
            return batch.submit();
        }
    }

    /** TLBI commands issued for this domain (the IOTLB_INVALIDATIONS count). */
    long issued() {
        synchronized (batch) {
            return batch.issued() + direct.sum();
        }
    }

    /**
     * Linux {@code arm_smmu_tlb_inv_range_domain}: invalidates {@code [iova, iova+size)} mapped
     * with leaves of {@code granule} bytes; {@code leaf} when only leaf entries changed.
     */
    int invalidateRange(long iova, long size, long granule, boolean leaf) {
        if (size == 0) {
            return 0;
        }
        long end = iova + size;
        long numPages = 0;
        int ttl = 0;
        long invRange = granule;
        if (ril) {
            numPages = Math.max(1, size >>> pgShift);
            if (leaf) {
                // Determine what level the granule is at.
                ttl = 4 - ((63 - Long.numberOfLeadingZeros(granule)) - 3) / (pgShift - 3);
            } else if ((numPages & RANGE_NUM_MAX) == 1) {
                // Avoid the corner case where both SCALE and NUM would be 0.
                numPages++;
            }
        }
        int tgField = ril ? tg : 0;
        // The first command of the loop below, worked out ahead: when it alone covers the range,
        // it goes to the queue directly with its CMD_SYNC.
        int num = 0;
        int scale = 0;
        if (ril) {
            scale = Long.numberOfTrailingZeros(numPages);
            num = (int) ((numPages >>> scale) & RANGE_NUM_MAX);
            invRange = (long) num << (scale + pgShift);
            num -= 1;
        }
        if (Long.compareUnsigned(iova + invRange, end) >= 0) {
            direct.increment();
            // Commands.tlbiRangeD0/D1 with the domain's constant fields taken from d0Base and d1Tg.
            return cmdq.issueWithSync(d0Base | CmdFormat.D0_NUM.of(num) | CmdFormat.D0_SCALE.of(scale),
                    Commands.tlbiAddress(op, iova) | d1Tg | CmdFormat.D1_LEAF.of(leaf ? 1 : 0) | CmdFormat.D1_TTL.of(ttl));
        }
        synchronized (batch) {
            while (Long.compareUnsigned(iova, end) < 0) {
                num = 0;
                scale = 0;
                if (ril) {
                    // The range is 5 bits' worth of the aligned size remaining.
                    scale = Long.numberOfTrailingZeros(numPages);
                    num = (int) ((numPages >>> scale) & RANGE_NUM_MAX);
                    invRange = (long) num << (scale + pgShift);
                    numPages -= (long) num << scale;
                    num -= 1;
                }
                Commands.tlbiRange(batch.scratch(), op, asid, vmid, iova, leaf, tgField, ttl, num, scale);
                batch.addScratch();
                iova += invRange;
            }
            return batch.submit();
        }
    }
}
