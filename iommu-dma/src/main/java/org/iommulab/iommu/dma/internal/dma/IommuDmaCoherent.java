package org.iommulab.iommu.dma.internal.dma;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;

/**
 * The coherent-allocation half of iommu-dma, Linux {@code iommu_dma_alloc} and
 * {@code iommu_dma_free} ({@code drivers/iommu/dma-iommu.c}): pages from the device's page
 * allocator, mapped through {@link IommuDmaOps#map} like any other buffer. The entry points
 * ({@link IommuDmaOps#allocCoherent}, {@link IommuDmaOps#freeCoherent}) check arguments and
 * fire the flush-queue timer before delegating here.
 */
final class IommuDmaCoherent {
    private final IommuDmaOps ops;

    IommuDmaCoherent(IommuDmaOps ops) {
        this.ops = ops;
    }

    /**
     * Linux {@code iommu_dma_alloc} on its contiguous path ({@code iommu_dma_alloc_pages}): zeroed
     * pages from anywhere in RAM (the IOMMU gives the device its reach), mapped bidirectionally
     * below the coherent mask. Whole pages and whole granules, so the mapping exposes nothing else.
     */
    CoherentAllocation alloc(long size, int attrs) {
        DmaDevice dev = ops.device();
        long unit = Math.max(ops.granule(), PageAllocator.PAGE_SIZE);
        long bytes = (size + unit - 1) & -unit;
        long phys = dev.allocator().allocPages(bytes / PageAllocator.PAGE_SIZE, Zone.NORMAL);
        if (phys == PageAllocator.NO_MEMORY) {
            ops.warn(attrs, "iommu-dma: no memory for a " + size + "-byte coherent buffer");
            return null;
        }
        dev.memory().fill(phys, bytes, (byte) 0);
        int prot = IommuDmaOps.prot(DmaDirection.BIDIRECTIONAL, ops.coherent(), attrs);
        long handle = ops.map(phys, size, prot, dev.coherentDmaMask(), attrs);
        if (handle == DmaMasks.MAPPING_ERROR) {
            dev.allocator().free(phys);
            return null;
        }
        return new CoherentAllocation(phys, handle, size);
    }

    /** Linux {@code iommu_dma_free}: unmap, then free the pages. */
    void free(CoherentAllocation buffer) {
        ops.unmap(buffer.dmaHandle(), buffer.size());
        ops.device().allocator().free(buffer.cpuAddress());
    }
}
