package org.iommulab.smmu.v2.internal.driver;

import java.util.function.Consumer;

import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.iopgtable.IoPgtableFlushOps;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;

/**
 * A paging domain's TLB maintenance, Linux's {@code arm_smmu_s1_tlb_ops} and
 * {@code arm_smmu_s2_tlb_ops_v2}: flush-all by ASID (stage 1, context sync) or VMID (stage 2,
 * global sync); flush-walk by VA/IPA over every granule of the range, all levels (TLBIVA and
 * TLBIIPAS2 remove the leaf and the walk-cache entries for their address), then a context sync
 * (Robin Murphy's v4.5 fix "iommu/arm-smmu: Invalidate TLBs properly": the broken loop
 * invalidated only the first address of a range); add-page by VA/IPA for one leaf, last level
 * only, with the sync left to {@code iotlb_sync}. With {@code perPageBlocks} a block leaf is
 * invalidated page by page, the workaround for SMMU-500s whose TLBIVA(L) drops only the base
 * page of a block (Qualcomm, see {@code ../shared/reference/smmu.md} §6). Until the domain is
 * attached to a context bank there is nothing cached and every operation does nothing.
 */
final class ContextTlbOps implements IoPgtableFlushOps {
    private final SmmuIo io;
    private final TlbSync sync;
    private final Consumer<String> timeout;
    private final boolean perPageBlocks;
    private final long minPage;
    private volatile ContextBankConfig cfg;
    private long invalidations;

    ContextTlbOps(SmmuIo io, TlbSync sync, Consumer<String> timeout, boolean perPageBlocks, long minPage) {
        this.io = io;
        this.sync = sync;
        this.timeout = timeout;
        this.perPageBlocks = perPageBlocks;
        this.minPage = minPage;
    }

    /** The domain now owns bank {@code c}: maintenance goes there (null: no bank). */
    void bind(ContextBankConfig c) {
        cfg = c;
    }

    /** Linux {@code arm_smmu_tlb_inv_context_s1} / {@code _s2}. */
    @Override
    public synchronized void tlbFlushAll() {
        ContextBankConfig c = cfg;
        if (c == null) {
            return;
        }
        invalidations++;
        if (c.stage1()) {
            io.cbWrite(c.cbndx(), Cb.TLBIASID, c.asid());
            syncContext(c);
        } else {
            io.gr0Write(Gr0.TLBIVMID, c.vmid());
            syncGlobal();
        }
    }

    /**
     * Linux {@code arm_smmu_tlb_inv_walk_s1} / {@code _s2}: every granule, all levels, then sync,
     * so that neither a leaf nor a walk-cache entry of the range survives. The writer calls it
     * for the span of each table it unlinks, up to 512 GiB for a level-1 table: beyond one
     * last-level table's worth of granules ({@code granule / 8} operations, Linux arm64's
     * {@code MAX_TLBI_OPS}) the whole context is invalidated instead, as Linux's
     * {@code __flush_tlb_range} and the SMMUv3 driver's {@code CMDQ_MAX_TLBI_OPS} do.
     */
    @Override
    public synchronized void tlbFlushWalk(long iova, long size, long granule) {
        ContextBankConfig c = cfg;
        if (c == null) {
            return;
        }
        if (size / granule > granule >>> 3) {
            tlbFlushAll();
            return;
        }
        invRange(c, iova, size, granule, c.stage1() ? Cb.TLBIVA : Cb.TLBIIPAS2);
        syncContext(c);
    }

    /** Linux {@code arm_smmu_tlb_add_page_s1} / {@code _s2}: one leaf, last level, no sync. */
    @Override
    public synchronized void tlbAddPage(IotlbGather gather, long iova, long granule) {
        if (gather != null) {
            gather.add(iova, granule, granule);
        }
        ContextBankConfig c = cfg;
        if (c == null) {
            return;
        }
        Register leaf = c.stage1() ? Cb.TLBIVAL : Cb.TLBIIPAS2L;
        if (perPageBlocks && granule > minPage) {
            invRange(c, iova, granule, minPage, leaf);
        } else {
            invRange(c, iova, granule, granule, leaf);
        }
    }

    /** Linux {@code arm_smmu_iotlb_sync} on SMMUv2: a context sync. */
    synchronized void sync() {
        ContextBankConfig c = cfg;
        if (c != null) {
            syncContext(c);
        }
    }

    /**
     * Linux {@code arm_smmu_tlb_inv_range_s1} / {@code _s2} (AArch64): one 64-bit write per
     * granule, VA[55:12] with the ASID in bits [63:48] (stage 1) or IPA[47:12] (stage 2).
     */
    private void invRange(ContextBankConfig c, long iova, long size, long granule, Register reg) {
        long v = iova >>> 12;
        if (c.stage1()) {
            v |= (long) c.asid() << 48;
        }
        for (long done = 0; done < size; done += granule) {
            io.cbWriteQ(c.cbndx(), reg, v);
            v += granule >>> 12;
            invalidations++;
        }
    }

    /** Linux {@code arm_smmu_tlb_sync_context}. */
    private void syncContext(ContextBankConfig c) {
        if (!sync.sync(io.cbPage(c.cbndx()), Cb.TLBSYNC, Cb.TLBSTATUS)) {
            timeout.accept(TlbSync.TIMEOUT_MESSAGE + " (context bank " + c.cbndx() + ")");
        }
    }

    /** Linux {@code arm_smmu_tlb_sync_global}. */
    private void syncGlobal() {
        if (!sync.sync(0, Gr0.STLBGSYNC, Gr0.STLBGSTATUS)) {
            timeout.accept(TlbSync.TIMEOUT_MESSAGE + " (global)");
        }
    }

    /** TLB invalidation register writes issued for this domain. */
    synchronized long invalidations() {
        return invalidations;
    }
}
