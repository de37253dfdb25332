package org.iommulab.smmu.v3.internal.driver;

import java.util.concurrent.CopyOnWriteArrayList;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.iommu.PageTableCensus;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.IoPgtableFlushOps;
import org.iommulab.iopgtable.lpae.LpaeStage;

/**
 * A paging domain (DMA, DMA_FQ, UNMANAGED), Linux {@code struct arm_smmu_domain} with
 * {@code arm_smmu_domain_finalise}: an ASID (stage 1) or VMID (stage 2) and an io-pgtable, the
 * LPAE writer of generic-iommu, whose TLB callbacks become TLBI_NH_VA / TLBI_S2_IPA commands
 * (range form with RIL) ending in CMD_SYNC ({@code arm_smmu_flush_ops}). In nested mode the
 * domain is a stage-1 table over the driver's identity stage 2. Attaching writes the master's
 * CD and STEs hitlessly; detaching makes them abort.
 */
final class SmmuV3Domain implements IommuDomain, AttachedDomain, IoPgtableFlushOps {
    private final SmmuV3Driver driver;
    private final DomainType type;
    private final DriverConfig.Stage stage;
    private final LpaeConfig cfg;
    private final int asid;
    private final int vmid;
    private final NestedParent parent;
    private final CopyOnWriteArrayList<Master> attached = new CopyOnWriteArrayList<>();
    private final TlbInvalidator tlb;
    private LpaePageTable table;
    private boolean freed;

    private SmmuV3Domain(SmmuV3Driver driver, DomainType type, LpaeConfig cfg, int asid, int vmid, NestedParent parent) {
        this.driver = driver;
        this.type = type;
        this.stage = driver.config().stage;
        this.cfg = cfg;
        this.asid = asid;
        this.vmid = vmid;
        this.parent = parent;
        SmmuV3Bringup hw = driver.hw();
        this.tlb = new TlbInvalidator(hw.cmdq, new CommandBatch(hw.cmdq), hw.info.ril, stage != DriverConfig.Stage.S2, asid, vmid,
                Long.numberOfTrailingZeros(cfg.pgsizeBitmap()));
    }

    /** Linux {@code arm_smmu_domain_alloc_paging} and {@code _finalise}; null when out of ids or memory. */
    static SmmuV3Domain create(SmmuV3Driver driver, DomainType type) {
        SmmuV3Bringup hw = driver.hw();
        DriverConfig dc = driver.config();
        long pgsize = driver.pgsizeBitmap();
        LpaeConfig cfg;
        int asid = 0;
        int vmid = 0;
        if (dc.stage == DriverConfig.Stage.S2) {
            cfg = LpaeConfig.of(LpaeStage.STAGE2, pgsize, hw.info.oas, hw.info.oas);
            vmid = hw.vmids.allocate();
            if (vmid < 0) {
                return null;
            }
        } else {
            cfg = LpaeConfig.of(LpaeStage.STAGE1, pgsize, dc.ias, hw.info.oas);
            asid = hw.asids.allocate();
            if (asid < 0) {
                return null;
            }
            // Stage-1 STEs carry VMID 0; a nested one carries its parent's.
            vmid = hw.parent != null ? hw.parent.vmid : 0;
        }
        SmmuV3Domain d = new SmmuV3Domain(driver, type, cfg, asid, vmid, hw.parent);
        d.table = LpaePageTable.allocate(cfg, driver.memory(), driver.allocator(), d);
        if (d.table == null) {
            d.releaseIds();
            return null;
        }
        return d;
    }

    @Override
    public DomainType type() {
        return type;
    }

    @Override
    public int attachDevice(DmaDevice device) {
        Master m = driver.master(device);
        if (m == null) {
            return IommuErrno.ENODEV;
        }
        if (freed) {
            return IommuErrno.EINVAL;
        }
        driver.attach(m, this);
        attached.addIfAbsent(m);
        return 0;
    }

    @Override
    public void detachDevice(DmaDevice device) {
        Master m = driver.master(device);
        if (m != null && attached.remove(m)) {
            driver.detach(m, this);
        }
    }

    @Override
    public void makeSte(Master master, long[] ste) {
        switch (stage) {
            case S1:
                SteEntries.stage1(ste, master.cdTable.base());
                break;
            case S2:
                SteEntries.stage2(ste, cfg, table.ttb(), vmid);
                break;
            default:
                // The CD table's IPA equals its PA under the identity stage 2.
                SteEntries.nested(ste, master.cdTable.base(), parent.cfg, parent.table.ttb(), parent.vmid);
        }
    }

    @Override
    public boolean makeCd(long[] cd) {
        if (stage == DriverConfig.Stage.S2) {
            return false;
        }
        CdEntries.stage1(cd, cfg, table.ttb(), asid);
        return true;
    }

    @Override
    public void released(Master master) {
        attached.remove(master);
    }

    /** Linux {@code arm_smmu_map_pages}: valid entries only appear, so no invalidation. */
    @Override
    public int map(long iova, long paddr, long size, int prot) {
        return table.map(iova, paddr, size, prot);
    }

    /** Linux {@code arm_smmu_unmap_pages}: leaves go into {@code gather} for {@link #iotlbSync}. */
    @Override
    public long unmap(long iova, long size, IotlbGather gather) {
        return table.unmap(iova, size, gather);
    }

    /**
     * Linux {@code arm_smmu_iotlb_sync}: a leaf range invalidation. Tables the writer unlinked
     * were invalidated ({@link #tlbFlushWalk}) before it freed them.
     */
    @Override
    public void iotlbSync(IotlbGather gather) {
        if (gather.isEmpty()) {
            return;
        }
        tlb.invalidateRange(gather.start(), gather.end() - gather.start() + 1, gather.pageSize(), true);
    }

    /** Linux {@code arm_smmu_flush_iotlb_all}. */
    @Override
    public void flushIotlbAll() {
        tlbFlushAll();
    }

    // ---- io-pgtable TLB callbacks (arm_smmu_flush_ops) -----------------------------------------

    /** Linux {@code arm_smmu_tlb_inv_context}. */
    @Override
    public void tlbFlushAll() {
        tlb.invalidateAll();
    }

    /**
     * Linux {@code arm_smmu_tlb_inv_walk}: a non-leaf range invalidation (leaves and walk-cache
     * entries of the range), then CMD_SYNC. The writer calls it for the span of each table it
     * unlinks, up to 512 GiB for a level-1 table: without RIL, beyond one last-level table's
     * worth of per-granule commands ({@code granule / 8}, Linux's {@code CMDQ_MAX_TLBI_OPS}) the
     * ASID or VMID is invalidated instead, as Linux's SVA invalidation does
     * ({@code arm_smmu_mm_arch_invalidate_secondary_tlbs}).
     */
    @Override
    public void tlbFlushWalk(long iova, long size, long granule) {
        if (!driver.hw().info.ril && size / granule > granule >>> 3) {
            tlb.invalidateAll();
        } else {
            tlb.invalidateRange(iova, size, granule, false);
        }
    }

    /**
     * Linux {@code arm_smmu_tlb_inv_page_nosync} via {@code iommu_iotlb_gather_add_page}: a
     * gather holds one page size and one contiguous range, so a different size or a disjoint
     * page syncs what is gathered first.
     */
    @Override
    public void tlbAddPage(IotlbGather gather, long iova, long granule) {
        if (!gather.isEmpty() && (gather.pageSize() != granule
                || iova + granule < gather.start() || iova > gather.end() + 1)) {
            iotlbSync(gather);
            gather.reset();
        }
        gather.add(iova, granule, granule);
    }

    /**
     * {@link #tlbAddPage} for a run: only its first page can find a gather of another size or
     * one it does not adjoin (and sync it); every later page adjoins the one before, so the
     * calls would only widen the gather, to the run's end.
     */
    @Override
    public void tlbAddPages(IotlbGather gather, long iova, int count, long granule) {
        tlbAddPage(gather, iova, granule);
        if (count > 1) {
            gather.add(iova + granule, (count - 1) * granule, granule);
        }
    }

    // ---- the rest of the domain ----------------------------------------------------------------

    /** The census walk of the domain's LPAE tables ({@link LpaePageTable#census()}); null without tables. */
    @Override
    public PageTableCensus pageTableCensus() {
        LpaePageTable t = table;
        return t == null ? null : t.census();
    }

    @Override
    public long iovaToPhys(long iova) {
        return table.iovaToPhys(iova);
    }

    @Override
    public long pgsizeBitmap() {
        return cfg.pgsizeBitmap();
    }

    @Override
    public long apertureStart() {
        return 0;
    }

    @Override
    public long apertureEnd() {
        return (1L << cfg.ias()) - 1;
    }

    @Override
    public long counter(BackendCounter counter) {
        switch (counter) {
            case IOTLB_HITS: {
                long n = 0;
                for (Master m : attached) {
                    n += m.port.hits();
                }
                return n;
            }
            case IOTLB_MISSES: {
                long n = 0;
                for (Master m : attached) {
                    n += m.port.misses();
                }
                return n;
            }
            case IOTLB_INVALIDATIONS:
                return tlb.issued();
            default:
                return -1;
        }
    }

    /** Linux {@code arm_smmu_domain_free_paging}: invalidates by ASID/VMID, frees tables and ids. */
    @Override
    public synchronized void free() {
        if (!attached.isEmpty()) {
            throw new IllegalStateException("domain still has " + attached.size() + " device(s) attached");
        }
        if (freed) {
            return;
        }
        freed = true;
        tlbFlushAll();
        table.free();
        releaseIds();
    }

    private void releaseIds() {
        SmmuV3Bringup hw = driver.hw();
        if (stage == DriverConfig.Stage.S2) {
            hw.vmids.free(vmid);
        } else {
            hw.asids.free(asid);
        }
    }

    int asid() {
        return asid;
    }

    int vmid() {
        return vmid;
    }

    @Override
    public String toString() {
        return type + " domain (" + stage + (stage == DriverConfig.Stage.S2 ? " vmid " + vmid : " asid " + asid) + ", "
                + cfg + ")";
    }
}
