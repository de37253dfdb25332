package org.iommulab.iommu.generic.internal.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.iommu.PageTableCensus;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iommu.generic.internal.format.DeviceTableEntry;
import org.iommulab.iopgtable.IoPgtableFlushOps;
import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;

/**
 * A generic-IOMMU domain: one stage-1 LPAE table (4 KiB granule) written by
 * {@link LpaePageTable}, tagged in the IOTLB by its domain ID. Attaching a device points its
 * streams' device-table entries at the table; TLB maintenance is the driver's range and domain
 * invalidation commands, counted as {@link BackendCounter#IOTLB_INVALIDATIONS}.
 */
final class GenericDomain implements IommuDomain, IoPgtableFlushOps {
    private final GenericIommuDriver driver;
    private final DomainType type;
    private final int did;
    private final LpaePageTable table;
    private final long word0;
    private final List<DmaDevice> devices = new ArrayList<>();
    private final AtomicLong invalidations = new AtomicLong();
    private boolean freed;

    private GenericDomain(GenericIommuDriver driver, DomainType type, int did, LpaeConfig cfg, PhysicalMemory mem,
            PageAllocator alloc) {
        this.driver = driver;
        this.type = type;
        this.did = did;
        this.table = LpaePageTable.allocate(cfg, mem, alloc, this);
        this.word0 = DeviceTableEntry.word0(DeviceTableEntry.TG_4K, cfg.ias(), cfg.oas(), false, did);
    }

    /** A domain, or null when its table cannot be allocated. */
    static GenericDomain create(GenericIommuDriver driver, DomainType type, int did, int iasBits, int oasBits,
            PhysicalMemory mem, PageAllocator alloc) {
        LpaeConfig cfg = LpaeConfig.of(LpaeStage.STAGE1, GenericIommuDriver.PGSIZE_BITMAP, iasBits, oasBits);
        GenericDomain d = new GenericDomain(driver, type, did, cfg, mem, alloc);
        return d.table == null ? null : d;
    }

    int domainId() {
        return did;
    }

    LpaePageTable pageTable() {
        return table;
    }

    @Override
    public DomainType type() {
        return type;
    }

    @Override
    public synchronized int attachDevice(DmaDevice device) {
        if (freed) {
            return IommuErrno.ENODEV;
        }
        if (!driver.servesDevice(device)) {
            return IommuErrno.ENODEV;
        }
        for (int sid : device.descriptor().streamIds()) {
            driver.writeDte(sid, word0, table.ttb());
        }
        if (!devices.contains(device)) {
            devices.add(device);
        }
        return 0;
    }

    @Override
    public synchronized void detachDevice(DmaDevice device) {
        if (!devices.remove(device)) {
            return;
        }
        for (int sid : device.descriptor().streamIds()) {
            driver.writeDte(sid, 0, 0);
        }
    }

    @Override
    public int map(long iova, long paddr, long size, int prot) {
        return table.map(iova, paddr, size, prot);
    }

    /**
     * Linux {@code iommu_map_sg}'s loop in one call of the writer ({@link LpaePageTable#mapRuns}):
     * the same tables and, on failure, the same single range invalidation as the default's
     * {@code iommu_unmap} + {@code iotlb_sync} (the writer's walk flush is this driver's
     * INV_RANGE), with one lock and one walk per last-level table instead of one per run.
     */
    @Override
    public int mapRuns(long iova, long[] phys, long[] len, int n, int prot) {
        return table.mapRuns(iova, phys, len, n, prot);
    }

    @Override
    public long unmap(long iova, long size, IotlbGather gather) {
        return table.unmap(iova, size, gather);
    }

    /** Linux {@code iotlb_sync}: one range invalidation for what the gather holds. */
    @Override
    public void iotlbSync(IotlbGather gather) {
        if (gather == null || gather.isEmpty()) {
            return;
        }
        invalidations.incrementAndGet();
        driver.invalidateRange(did, gather.start(), gather.end() - gather.start() + 1);
    }

    @Override
    public void flushIotlbAll() {
        invalidations.incrementAndGet();
        driver.invalidateDomain(did);
    }

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
        return table.config().pgsizeBitmap();
    }

    @Override
    public long apertureStart() {
        return 0;
    }

    @Override
    public long apertureEnd() {
        return (1L << table.config().ias()) - 1;
    }

    @Override
    public long counter(BackendCounter counter) {
        switch (counter) {
            case IOTLB_HITS:
                return driver.hits(did);
            case IOTLB_MISSES:
                return driver.misses(did);
            case IOTLB_INVALIDATIONS:
                return invalidations.get();
            default:
                return -1;
        }
    }

    @Override
    public synchronized void free() {
        if (freed) {
            return;
        }
        if (!devices.isEmpty()) {
            throw new IllegalStateException("domain " + did + " still has " + devices.size() + " device(s) attached");
        }
        freed = true;
        // Invalidate first (releaseDomainId issues INV_DOMAIN), so that no IOTLB entry outlives
        // the tables and the domain ID can be reused.
        driver.releaseDomainId(did);
        table.free();
    }

    // ---- IoPgtableFlushOps: the writer's TLB maintenance ------------------------------------------

    @Override
    public void tlbFlushAll() {
        flushIotlbAll();
    }

    /**
     * Linux {@code tlb_flush_walk}: INV_RANGE of the span, then SYNC. This IOMMU caches leaves
     * only (no walk cache), so dropping the range's leaves is all a freed table needs; one
     * command covers any span.
     */
    @Override
    public void tlbFlushWalk(long iova, long size, long granule) {
        invalidations.incrementAndGet();
        driver.invalidateRange(did, iova, size);
    }

    @Override
    public void tlbAddPage(IotlbGather gather, long iova, long granule) {
        gather.add(iova, granule, granule);
    }

    /** {@link #tlbAddPage} widens the gather by each page: a run widens it once, to the same range. */
    @Override
    public void tlbAddPages(IotlbGather gather, long iova, int count, long granule) {
        gather.add(iova, count * granule, granule);
    }

    @Override
    public String toString() {
        return "generic domain " + did + " (" + type + ") " + table;
    }
}
