package org.iommulab.app.internal.hotpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.Zone;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A checked dma_map_page + dma_mapping_error + dma_unmap_page of 4 KiB allocates nothing on any
 * backend once warm: the platform's checker and live table, the backend (dma-direct, swiotlb's
 * slots, iommu-dma's IOVA caches) and, behind iommu-dma, the driver's page tables, the
 * invalidation and the model's IOTLB and command processing. Counted with the JVM's per-thread
 * allocation counter over {@value #PAIRS} pairs after a warm-up, as the platform's
 * CheckerAllocationTest does; an allocation count, not a timing assertion.
 */
class HotPathAllocationTest {
    private static final int WARM_UP = 30_000;
    private static final int PAIRS = 100_000;
    /**
     * Far below one object per pair (16 bytes x 100,000 = 1.6 MB): room for the counter's own
     * reads and a stray lazy initialisation, nothing per pair.
     */
    private static final long SLACK = 8 * 1024;

    @ParameterizedTest
    @ValueSource(strings = {"direct", "swiotlb", "generic", "smmu-v2", "smmu-v3", "generic-lazy", "smmu-v2-lazy",
        "smmu-v3-lazy"})
    void checkedMapUnmapAllocatesNothing(String backend) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "this JVM counts allocations per thread");
        threads.setThreadAllocatedMemoryEnabled(true);
        OneBackendRig rig = new OneBackendRig(backend, 1);
        DmaApi api = rig.apis[0];
        long buffer = rig.allocator.allocPages(1, Zone.NORMAL);

        long sink = pairs(api, buffer, WARM_UP);
        @SuppressWarnings("deprecation")
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        sink += pairs(api, buffer, PAIRS);
        long allocated = threads.getThreadAllocatedBytes(id) - before;

        assertTrue(allocated < SLACK, backend + ": " + allocated + " bytes allocated over " + PAIRS
                + " map+unmap pairs (sink " + sink + ")");
        assertEquals(0, rig.platform.findings().size(), "the loop is clean: " + rig.platform.findings());
        assertEquals(0, rig.platform.liveMappings("dev0"));
    }

    private static long pairs(DmaApi api, long buffer, int n) {
        long sink = 0;
        for (int i = 0; i < n; i++) {
            DmaDirection dir = (i & 1) == 0 ? DmaDirection.TO_DEVICE : DmaDirection.FROM_DEVICE;
            long dma = api.mapPhys(buffer, 4096, dir, DmaAttrs.NONE);
            if (api.mappingError(dma)) {
                throw new AssertionError("map " + i + " failed");
            }
            api.unmapPhys(dma, 4096, dir, DmaAttrs.NONE);
            sink += dma;
        }
        return sink;
    }
}
