package org.iommulab.devices.internal.testing;

import java.util.concurrent.atomic.AtomicInteger;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.MemoryAccess;

/**
 * A device's real DmaApi whose creating calls ({@code map*}, {@code allocCoherent}) start to
 * fail from the {@code n}-th on, with the {@link DmaUsageException} the platform throws while it
 * releases a driver for a swap; releases and syncs always pass. Lets a test stop a driver's run
 * at any one of its mappings, as a swap can.
 */
public final class RefusingDmaApi implements DmaApi {
    private final DmaApi api;
    private final int refuseFrom;
    private final AtomicInteger creating = new AtomicInteger();

    /** @param refuseFrom the first creating call (1-based) that is refused */
    public RefusingDmaApi(DmaApi api, int refuseFrom) {
        this.api = api;
        this.refuseFrom = refuseFrom;
    }

    /** Creating calls made so far, the refused ones included. */
    public int creatingCalls() {
        return creating.get();
    }

    private void create(String call) {
        if (creating.incrementAndGet() >= refuseFrom) {
            throw new DmaUsageException("device " + api.device().name() + " is being swapped (test): its driver is being released, so "
                    + call + " is refused and nothing was mapped");
        }
    }

    @Override
    public DeviceDescriptor device() {
        return api.device();
    }

    @Override
    public String backendName() {
        return api.backendName();
    }

    @Override
    public MemoryAccess cpu() {
        return api.cpu();
    }

    @Override
    public long enableMsi() {
        // MSI setup is not a mapping call the swap refuses: the probe of a PCI driver does it.
        return api.enableMsi();
    }

    @Override
    public BusMaster busMaster() {
        return api.busMaster();
    }

    @Override
    public int setMask(long mask) {
        return api.setMask(mask);
    }

    @Override
    public int setCoherentMask(long mask) {
        return api.setCoherentMask(mask);
    }

    @Override
    public long mask() {
        return api.mask();
    }

    @Override
    public long coherentMask() {
        return api.coherentMask();
    }

    @Override
    public long requiredMask() {
        return api.requiredMask();
    }

    @Override
    public long maxMappingSize() {
        return api.maxMappingSize();
    }

    @Override
    public long optMappingSize() {
        return api.optMappingSize();
    }

    @Override
    public long mapPage(long pagePhys, long offset, long size, DmaDirection dir, int attrs) {
        create("dma_map_page_attrs");
        return api.mapPage(pagePhys, offset, size, dir, attrs);
    }

    @Override
    public void unmapPage(long dmaAddr, long size, DmaDirection dir, int attrs) {
        api.unmapPage(dmaAddr, size, dir, attrs);
    }

    @Override
    public long mapPhys(long phys, long size, DmaDirection dir, int attrs) {
        create("dma_map_phys");
        return api.mapPhys(phys, size, dir, attrs);
    }

    @Override
    public void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs) {
        api.unmapPhys(dmaAddr, size, dir, attrs);
    }

    @Override
    public long mapResource(long phys, long size, DmaDirection dir, int attrs) {
        create("dma_map_resource");
        return api.mapResource(phys, size, dir, attrs);
    }

    @Override
    public void unmapResource(long dmaAddr, long size, DmaDirection dir, int attrs) {
        api.unmapResource(dmaAddr, size, dir, attrs);
    }

    @Override
    public boolean mappingError(long dmaAddr) {
        return api.mappingError(dmaAddr);
    }

    @Override
    public int mapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        create("dma_map_sg_attrs");
        return api.mapSg(sg, nents, dir, attrs);
    }

    @Override
    public void unmapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        api.unmapSg(sg, nents, dir, attrs);
    }

    @Override
    public int mapSgtable(SgTable sgt, DmaDirection dir, int attrs) {
        create("dma_map_sgtable");
        return api.mapSgtable(sgt, dir, attrs);
    }

    @Override
    public void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir) {
        api.syncSingleForCpu(dmaAddr, size, dir);
    }

    @Override
    public void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir) {
        api.syncSingleForDevice(dmaAddr, size, dir);
    }

    @Override
    public void syncSgForCpu(SgTable sg, int nents, DmaDirection dir) {
        api.syncSgForCpu(sg, nents, dir);
    }

    @Override
    public void syncSgForDevice(SgTable sg, int nents, DmaDirection dir) {
        api.syncSgForDevice(sg, nents, dir);
    }

    @Override
    public CoherentAllocation allocCoherent(long size, int attrs) {
        create("dma_alloc_attrs");
        return api.allocCoherent(size, attrs);
    }

    @Override
    public void freeCoherent(long size, long cpuAddress, long dmaHandle) {
        api.freeCoherent(size, cpuAddress, dmaHandle);
    }
}
