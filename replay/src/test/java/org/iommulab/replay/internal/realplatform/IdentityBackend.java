package org.iommulab.replay.internal.realplatform;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;

/**
 * A minimal backend for driving the real platform in tests: dma-direct without swiotlb
 * (dma = phys, sg entries never merged, coherent memory from the page allocator below 4 GiB).
 */
final class IdentityBackend implements DmaBackend {
    private final String name;

    IdentityBackend(String name) {
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
        return new Binding(device);
    }

    private static final class Binding implements DeviceBinding, DmaOps, TranslationPort {
        private final DmaDevice device;

        Binding(DmaDevice device) {
            this.device = device;
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
            long pages = device.allocator().allocPages((size + PageAllocator.PAGE_SIZE - 1) / PageAllocator.PAGE_SIZE, Zone.DMA32);
            return pages == PageAllocator.NO_MEMORY ? null : new CoherentAllocation(pages, pages, size);
        }

        @Override
        public void freeCoherent(CoherentAllocation buffer) {
            device.allocator().free(buffer.cpuAddress());
        }

        @Override
        public boolean dmaSupported(long mask) {
            return true;
        }

        @Override
        public long requiredMask() {
            return DmaMasks.bits(64);
        }

        @Override
        public long maxMappingSize() {
            return Long.MAX_VALUE;
        }

        @Override
        public long optMappingSize() {
            return 128 * 1024;
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
}
