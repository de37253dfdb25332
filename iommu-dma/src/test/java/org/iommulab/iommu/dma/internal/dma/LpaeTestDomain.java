package org.iommulab.iommu.dma.internal.dma;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iopgtable.IoPgtableFlushOps;
import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;

/**
 * A bare IOMMU domain over an LPAE table of any granule, with no hardware behind it: for
 * iommu-dma tests that need a geometry the generic IOMMU does not offer (64 KiB) or a map that
 * fails on demand.
 */
final class LpaeTestDomain implements IommuDomain, IoPgtableFlushOps {
    final LpaePageTable table;
    final List<long[]> maps = new ArrayList<>();
    /** Fail the n-th map call (1-based) with this errno; 0: never. */
    int failOnMap;
    int failWith;
    int syncs;
    /** The gathered range of the last {@code iotlb_sync}, inclusive; -1 when it had none. */
    long lastSyncStart = -1;
    long lastSyncEnd = -1;

    LpaeTestDomain(long pgsizeBitmap, int ias, PhysicalMemory mem, PageAllocator alloc) {
        table = LpaePageTable.allocate(LpaeConfig.of(LpaeStage.STAGE1, pgsizeBitmap, ias, 48), mem, alloc, this);
    }

    @Override
    public DomainType type() {
        return DomainType.DMA;
    }

    @Override
    public int attachDevice(DmaDevice device) {
        return 0;
    }

    @Override
    public void detachDevice(DmaDevice device) {
    }

    @Override
    public int map(long iova, long paddr, long size, int prot) {
        if (failOnMap > 0 && maps.size() + 1 == failOnMap) {
            maps.add(new long[] {iova, paddr, size, -1});
            return failWith;
        }
        maps.add(new long[] {iova, paddr, size, prot});
        return table.map(iova, paddr, size, prot);
    }

    @Override
    public long unmap(long iova, long size, IotlbGather gather) {
        return table.unmap(iova, size, gather);
    }

    @Override
    public void iotlbSync(IotlbGather gather) {
        syncs++;
        lastSyncStart = gather == null || gather.isEmpty() ? -1 : gather.start();
        lastSyncEnd = gather == null || gather.isEmpty() ? -1 : gather.end();
    }

    /** flushIotlbAll calls, counted atomically: a lazy domain's CPUs may flush at once. */
    final java.util.concurrent.atomic.AtomicLong flushAlls = new java.util.concurrent.atomic.AtomicLong();

    /** flushIotlbAll calls still to throw (a driver's failure), counted down by each. */
    final java.util.concurrent.atomic.AtomicInteger failFlushes = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void flushIotlbAll() {
        flushAlls.incrementAndGet();
        if (failFlushes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("flush failed");
        }
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
        return -1;
    }

    @Override
    public void free() {
        table.free();
    }

    // No hardware caches anything: the flushes have nothing to do; leaves still go into the gather.

    @Override
    public void tlbFlushAll() {
    }

    @Override
    public void tlbFlushWalk(long iova, long size, long granule) {
    }

    @Override
    public void tlbAddPage(IotlbGather gather, long iova, long granule) {
        gather.add(iova, granule, granule);
    }
}
