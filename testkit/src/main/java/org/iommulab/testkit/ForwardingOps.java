package org.iommulab.testkit;

import java.util.List;

import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.iommu.PageTableCensus;
import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;

/**
 * DmaOps that hand every call to another, for test backends that change one or two operations
 * of a real backend (merge sg lists, refuse a sync, count) and override only those; see
 * {@link WrappingBackend} for putting them in front of a backend.
 *
 * <p>Thread safety: adds none and takes none away: as thread-safe as {@code inner} and the
 * overrides.
 */
public class ForwardingOps implements DmaOps {
    protected final DmaOps inner;

    public ForwardingOps(DmaOps inner) {
        this.inner = inner;
    }

    @Override
    public long mapPhys(long phys, long size, DmaDirection dir, int attrs) {
        return inner.mapPhys(phys, size, dir, attrs);
    }

    @Override
    public void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs) {
        inner.unmapPhys(dmaAddr, size, dir, attrs);
    }

    @Override
    public long mapResource(long phys, long size, DmaDirection dir, int attrs) {
        return inner.mapResource(phys, size, dir, attrs);
    }

    @Override
    public void unmapResource(long dmaAddr, long size, DmaDirection dir, int attrs) {
        inner.unmapResource(dmaAddr, size, dir, attrs);
    }

    @Override
    public int mapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        return inner.mapSg(sg, nents, dir, attrs);
    }

    @Override
    public void unmapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        inner.unmapSg(sg, nents, dir, attrs);
    }

    @Override
    public void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir) {
        inner.syncSingleForCpu(dmaAddr, size, dir);
    }

    @Override
    public void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir) {
        inner.syncSingleForDevice(dmaAddr, size, dir);
    }

    @Override
    public void syncSgForCpu(SgTable sg, int nents, DmaDirection dir) {
        inner.syncSgForCpu(sg, nents, dir);
    }

    @Override
    public void syncSgForDevice(SgTable sg, int nents, DmaDirection dir) {
        inner.syncSgForDevice(sg, nents, dir);
    }

    @Override
    public CoherentAllocation allocCoherent(long size, int attrs) {
        return inner.allocCoherent(size, attrs);
    }

    @Override
    public void freeCoherent(CoherentAllocation buffer) {
        inner.freeCoherent(buffer);
    }

    @Override
    public boolean dmaSupported(long mask) {
        return inner.dmaSupported(mask);
    }

    @Override
    public long requiredMask() {
        return inner.requiredMask();
    }

    @Override
    public long maxMappingSize() {
        return inner.maxMappingSize();
    }

    @Override
    public long optMappingSize() {
        return inner.optMappingSize();
    }

    // The defaults too: a wrapper in front of an IOMMU backend must not hide its MSI mapping,
    // its reserved regions or its page-table census behind DmaOps' "none" answers.

    @Override
    public long prepareMsi(long doorbellPhys) {
        return inner.prepareMsi(doorbellPhys);
    }

    @Override
    public List<ReservedRegion> reservedRegions() {
        return inner.reservedRegions();
    }

    @Override
    public PageTableCensus pageTableCensus() {
        return inner.pageTableCensus();
    }
}
