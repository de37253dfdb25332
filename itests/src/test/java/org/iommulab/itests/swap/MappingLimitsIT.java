package org.iommulab.itests.swap;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.inject.Inject;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.itests.support.Backends;
import org.iommulab.itests.support.Containers;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * No single call can take the container down: on every registered backend, a mapping of 2^40
 * bytes, of memory that does not exist, or over {@code dma_max_mapping_size()} gets a clear
 * error before any backend work, the heap does not move (the calling thread allocates no more
 * than a message's worth), and nothing changes: not the counters, the findings, the page
 * allocator (where IOMMU tables live) or the swiotlb pool. Before the argument checks, the
 * 2^40-byte mapping exhausted the heap in smmu-v3's table writer.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MappingLimitsIT {
    /** Untrusted with a 32-bit mask: every backend has a finite maximum mapping size for it (swiotlb's). */
    private static final String DEVICE = "limits0";
    private static final long PAGE = PageAllocator.PAGE_SIZE;
    /** What a refused call may allocate on its thread: its message and exception, far below any table or array. */
    private static final long ALLOCATION_BOUND = 256 * 1024;

    @Inject
    private BundleContext context;

    @Inject
    private PlatformAdmin admin;

    @Configuration
    public Option[] config() {
        return Containers.options();
    }

    @Test
    public void oversizedAndNonexistentMappingsAreRefusedOnEveryBackendWithoutMovingTheHeap() throws Exception {
        Backends.awaitBackends(admin);
        admin.addDevice(DeviceDescriptor.builder(DEVICE).streamIds(0x730).dmaMask(DmaMasks.bits(32)).trusted(false)
                .pci(true).build());
        long buf = admin.allocator().allocPages(1, Zone.DMA32);
        allocatedBytes();
        try {
            new Backends(context, admin).forEach(DEVICE, b -> {
                DmaApi api = b.api;
                long max = api.maxMappingSize();
                assertTrue(b.name + ": an untrusted 32-bit device has a finite maximum mapping size, got " + max,
                        max < (1L << 30));
                Map<String, Runnable> calls = new LinkedHashMap<>();
                calls.put("2^40 bytes", () -> api.mapPhys(buf, 1L << 40, DmaDirection.TO_DEVICE, 0));
                calls.put("memory that does not exist", () -> api.mapPhys(0x7000_0000_0000L, PAGE, DmaDirection.TO_DEVICE, 0));
                calls.put("over the maximum mapping size", () -> api.mapPhys(buf, max + 1, DmaDirection.TO_DEVICE, 0));
                calls.put("a page of memory that does not exist", () -> api.mapPage(0x7000_0000_0000L, 0, 64, DmaDirection.TO_DEVICE, 0));
                calls.put("a resource that does not exist", () -> api.mapResource(0x7000_0000_0000L, PAGE, DmaDirection.TO_DEVICE, 0));
                calls.put("an sg entry that does not exist", () -> api.mapSg(
                        SgTable.of(new long[] {buf, 0x7000_0000_0000L}, new int[] {64, 64}), 2, DmaDirection.TO_DEVICE, 0));
                for (Map.Entry<String, Runnable> c : calls.entrySet()) {
                    String what = b.name + ", " + c.getKey();
                    String before = state();
                    long allocatedBefore = allocatedBytes();
                    try {
                        c.getValue().run();
                        fail(what + ": accepted");
                    } catch (IllegalArgumentException expected) {
                        long allocated = allocatedBytes() - allocatedBefore;
                        assertTrue(what + ": the call allocated " + allocated + " bytes", allocated < ALLOCATION_BOUND);
                        assertTrue(what + ": unclear message " + expected.getMessage(), expected.getMessage().contains(
                                "nothing was mapped"));
                    }
                    assertEquals(what + ": something changed", before, state());
                }
            });
        } finally {
            admin.removeDevice(DEVICE);
            admin.allocator().free(buf);
        }
    }

    /** Everything a refused mapping must leave as it was. */
    private String state() {
        StringBuilder s = new StringBuilder();
        s.append(admin.stats(DEVICE)).append("; findings ").append(admin.findings().size())
                .append("; allocated ").append(admin.allocator().allocatedBytes());
        ServiceReference<SwiotlbPool> ref = context.getServiceReference(SwiotlbPool.class);
        if (ref != null) {
            SwiotlbPool pool = context.getService(ref);
            s.append("; pool used ").append(pool.stats().usedSlots()).append(" live ").append(pool.stats().liveMappings())
                    .append(" failures ").append(pool.stats().failures());
            context.ungetService(ref);
        }
        return s.toString();
    }

    /**
     * Bytes this thread allocated so far: {@code com.sun.management.ThreadMXBean}, reached by
     * reflection so that the test bundle needs no import of a JDK-specific package.
     */
    private static long allocatedBytes() {
        try {
            if (allocatedBytes == null) {
                Class<?> mx = Class.forName("com.sun.management.ThreadMXBean", false, ClassLoader.getSystemClassLoader());
                allocatedBytes = mx.getMethod("getThreadAllocatedBytes", long.class);
            }
            @SuppressWarnings("deprecation")
            long id = Thread.currentThread().getId();
            return (Long) allocatedBytes.invoke(ManagementFactory.getThreadMXBean(), id);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("this JVM does not count allocated bytes per thread", e);
        }
    }

    private static Method allocatedBytes;
}
