package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.testing.TestPlatforms.platform;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.MemoryAccess;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.IdentityBackend;
import org.junit.jupiter.api.Test;

/**
 * With the checker on, the hot paths allocate nothing: a single map/unmap pair (with its
 * mapping-error check, cache-line tracking, CPU-range index and, on an isolating backend, the
 * sub-page exposure measure), an sg map/unmap, syncs, and clean CPU accesses (allocated,
 * unmapped memory; a mapped TO_DEVICE buffer read). Counted with the JVM's per-thread allocation
 * counter over many iterations after a warm-up; not a timing assertion.
 */
class CheckerAllocationTest {
    private static final int WARM_UP = 30_000;
    private static final int ITERATIONS = 100_000;
    /** Far below one object per iteration (at least 16 bytes x 100 000): only the counter's own reads. */
    private static final long SLACK = 16 * 1024;

    @Test
    void mapUnmapSyncAndCleanCpuAccessesAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "this JVM counts allocations per thread");
        threads.setThreadAllocatedMemoryEnabled(true);

        FakeDrivers drivers = new FakeDrivers();
        DevicePlatform platform = platform(drivers, CheckerSettings.DEFAULT);
        IdentityBackend backend = new IdentityBackend("quiet");
        platform.addBackend(backend, props(backend, 0, DmaBackend.ISOLATION_PROPERTY, true));
        platform.addDevice(CheckerFixture.device().build());
        DmaApi api = drivers.api("dev0");
        MemoryAccess cpu = api.cpu();
        PageAllocator alloc = platform.allocator();
        long rx = alloc.allocPages(1, Zone.NORMAL);
        long tx = alloc.allocPages(1, Zone.NORMAL);
        long scratch = alloc.kmalloc(256, Zone.NORMAL);
        SgTable sg = SgTable.of(new long[] {alloc.allocPages(1, Zone.NORMAL), alloc.allocPages(1, Zone.NORMAL)},
                new int[] {4096, 4096});
        byte[] data = new byte[64];

        long sink = run(api, cpu, rx, tx, scratch, sg, data, WARM_UP);
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        sink += run(api, cpu, rx, tx, scratch, sg, data, ITERATIONS);
        long allocated = threads.getThreadAllocatedBytes(id) - before;

        assertTrue(allocated < SLACK, allocated + " bytes allocated over " + ITERATIONS + " iterations (sink " + sink + ")");
        assertEquals(0, platform.findings().size(), "the loop is clean: " + platform.findings());
        assertEquals(0, platform.liveMappings("dev0"));
    }

    private static long run(DmaApi api, MemoryAccess cpu, long rx, long tx, long scratch, SgTable sg, byte[] data, int n) {
        long sink = 0;
        for (int i = 0; i < n; i++) {
            long d = api.mapPhys(rx, 4096, DmaDirection.FROM_DEVICE, 0);
            if (api.mappingError(d)) {
                throw new AssertionError("map failed");
            }
            api.syncSingleForCpu(d, 4096, DmaDirection.FROM_DEVICE);
            sink += cpu.readLong(rx + 8);
            api.syncSingleForDevice(d, 4096, DmaDirection.FROM_DEVICE);
            api.unmapPhys(d, 4096, DmaDirection.FROM_DEVICE, 0);

            long t = api.mapPhys(tx, 4096, DmaDirection.TO_DEVICE, 0);
            api.mappingError(t);
            sink += cpu.readInt(tx);
            api.unmapPhys(t, 4096, DmaDirection.TO_DEVICE, 0);

            api.mapSgtable(sg, DmaDirection.BIDIRECTIONAL, 0);
            api.unmapSgtable(sg, DmaDirection.BIDIRECTIONAL, 0);

            cpu.write(scratch, data, 0, data.length);
            cpu.writeLong(scratch + 64, i);
        }
        return sink;
    }
}
