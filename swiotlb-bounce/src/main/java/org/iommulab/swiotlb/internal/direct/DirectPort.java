package org.iommulab.swiotlb.internal.direct;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.api.platform.PhysicalMemory;

/**
 * The device side of dma-direct: no IOMMU, no isolation. A bus address becomes a physical
 * address through the inverse range map ({@code dma_to_phys}); any RAM is reachable, whatever
 * was mapped, as on a machine without an IOMMU. An address with no RAM behind it is an
 * external abort: the interconnect answers with an error.
 *
 * <p>{@link #pageShift()} is the largest block, at most 1 GiB, whose every naturally aligned
 * instance lies wholly inside or outside each DMA range and each RAM region: within such a
 * block the translation is one offset and the RAM test one answer, so the bus master may
 * reuse a result for the whole block and chunk its accesses by gigabytes (30 on the default
 * layout). A range map or memory layout with finer boundaries gets a smaller block.
 */
final class DirectPort implements TranslationPort {
    /** 1 GiB: a block, like an arm64 level-1 block mapping. */
    static final int MAX_BLOCK_SHIFT = 30;

    private final DmaDevice dev;
    private final DmaRangeMap map;
    private final PhysicalMemory memory;
    private final String backend;
    private final int pageShift;

    DirectPort(DmaDevice dev, DmaRangeMap map, String backend) {
        this.dev = dev;
        this.map = map;
        this.memory = dev.memory();
        this.backend = backend;
        this.pageShift = map.blockShift(memory.regions(), MAX_BLOCK_SHIFT);
    }

    @Override
    public long translate(int streamId, long busAddr, AccessType access) {
        long phys = map.dmaToPhys(busAddr);
        if (phys == DmaRangeMap.NO_PHYS) {
            throw fault(streamId, busAddr, access, String.format("bus address 0x%x is outside the device's dma-ranges", busAddr));
        }
        if (!memory.isRam(phys, 1)) {
            throw fault(streamId, busAddr, access, String.format("bus address 0x%x reaches 0x%x, which is not RAM", busAddr, phys));
        }
        return phys;
    }

    private DmaFaultException fault(int streamId, long busAddr, AccessType access, String detail) {
        DmaFault fault = DmaFault.builder(FaultKind.EXTERNAL_ABORT)
                .device(dev.name(), streamId)
                .address(busAddr, access)
                .origin(FaultOrigin.ACCESS)
                .backend(backend)
                .detail(detail)
                .build();
        dev.reportFault(fault);
        return new DmaFaultException(fault);
    }

    @Override
    public int pageShift() {
        return pageShift;
    }
}
