package org.iommulab.platform.internal.testing;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.AccessType;

/**
 * An identity-mapping backend that records nothing and allocates nothing per call, for tests
 * that count the platform's own allocations on the hot path.
 */
public final class QuietBackend implements DmaBackend, DeviceBinding, DmaOps, TranslationPort {
    private final String name;

    public QuietBackend(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean accepts(DmaDevice device) {
        return true;
    }

    @Override
    public DeviceBinding attach(DmaDevice device) {
        return this;
    }

    @Override
    public DmaOps ops() {
        return this;
    }

    @Override
    public TranslationPort port() {
        return this;
    }

    @Override
    public long counter(BackendCounter counter) {
        return -1;
    }

    @Override
    public void detach() {
    }

    @Override
    public long mapPhys(long phys, long size, DmaDirection dir, int attrs) {
        return phys;
    }

    @Override
    public void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs) {
    }

    @Override
    public long mapResource(long phys, long size, DmaDirection dir, int attrs) {
        return phys;
    }

    @Override
    public void unmapResource(long dmaAddr, long size, DmaDirection dir, int attrs) {
    }

    @Override
    public int mapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        for (int i = 0; i < nents; i++) {
            sg.setDmaSegment(i, sg.cpuPhys(i), sg.cpuLength(i));
        }
        sg.setNents(nents);
        return nents;
    }

    @Override
    public void unmapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
    }

    @Override
    public void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir) {
    }

    @Override
    public void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir) {
    }

    @Override
    public void syncSgForCpu(SgTable sg, int nents, DmaDirection dir) {
    }

    @Override
    public void syncSgForDevice(SgTable sg, int nents, DmaDirection dir) {
    }

    @Override
    public CoherentAllocation allocCoherent(long size, int attrs) {
        return null;
    }

    @Override
    public void freeCoherent(CoherentAllocation buffer) {
    }

    @Override
    public boolean dmaSupported(long mask) {
        return true;
    }

    @Override
    public long requiredMask() {
        return -1L;
    }

    @Override
    public long maxMappingSize() {
        return Long.MAX_VALUE;
    }

    @Override
    public long optMappingSize() {
        return 1 << 20;
    }

    @Override
    public long translate(int streamId, long busAddr, AccessType access) {
        return busAddr;
    }

    @Override
    public int pageShift() {
        return 12;
    }
}
