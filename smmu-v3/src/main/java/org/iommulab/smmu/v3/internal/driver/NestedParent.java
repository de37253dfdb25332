package org.iommulab.smmu.v3.internal.driver;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iopgtable.IoPgtableFlushOps;
import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;

/**
 * In nested mode, the stage 2 a hypervisor would own (Linux's nesting parent domain,
 * {@code IOMMU_HWPT_ALLOC_NEST_PARENT}): an identity map of every RAM region, IPA = PA, with
 * the largest blocks alignment allows, under one VMID. Every nested STE points its stage 2 at
 * it, so stage-1 tables and CDs, whose addresses are IPAs, are fetched through it. It never
 * changes while in use, so it needs no TLB maintenance until it is freed.
 */
final class NestedParent implements IoPgtableFlushOps {
    final LpaeConfig cfg;
    final LpaePageTable table;
    final int vmid;

    private NestedParent(LpaeConfig cfg, LpaePageTable table, int vmid) {
        this.cfg = cfg;
        this.table = table;
        this.vmid = vmid;
    }

    /** The identity stage 2, or null when memory ran out. */
    static NestedParent create(PhysicalMemory memory, PageAllocator allocator, LpaeGranule granule, int oas, int vmid) {
        LpaeConfig cfg = LpaeConfig.of(LpaeStage.STAGE2, granule.pageSizes(oas), oas, oas);
        NestedParent p = new NestedParent(cfg, null, vmid);
        LpaePageTable table = LpaePageTable.allocate(cfg, memory, allocator, p);
        if (table == null) {
            return null;
        }
        for (MemoryRegion r : memory.regions()) {
            if (table.map(r.base(), r.base(), r.size(), IommuProt.READ | IommuProt.WRITE) != 0) {
                table.free();
                return null;
            }
        }
        return new NestedParent(cfg, table, vmid);
    }

    @Override
    public void tlbFlushAll() {
    }

    @Override
    public void tlbFlushWalk(long iova, long size, long granule) {
    }

    @Override
    public void tlbAddPage(IotlbGather gather, long iova, long granule) {
    }
}
