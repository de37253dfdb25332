package org.iommulab.bench;

import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.iommu.dma.internal.dma.IommuDmaBackend;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * iommu-dma over the generic IOMMU: dma_map + dma_unmap of one 4 KiB page, strict and lazy,
 * beside a {@link TreeMap} put + remove of the same key pattern (an IOVA near the top of a
 * 1024-entry space) in the same run, and dma_map_sg of 64 discontiguous pages beside 64
 * single-page mappings. Each iommu-dma call allocates an IOVA, writes the LPAE tables in
 * simulated memory and, strict, invalidates the IOTLB before the IOVA is freed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IommuDmaBenchmark {
    private static final int LIVE = 1024;
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;

    private DmaOps strict;
    private DmaOps lazy;
    private long page;
    private SgTable sg;
    private long[] sgPages;
    private TreeMap<Long, Long> tree;
    private long treeKey;

    @Setup
    public void setUp() throws Exception {
        SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
        ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
        strict = ops(memory, allocator, false, "strict0");
        lazy = ops(memory, allocator, true, "lazy0");
        page = allocator.allocPages(1, Zone.NORMAL);
        // Both IOVA spaces hold LIVE mappings, as the TreeMap holds LIVE keys.
        long filler = allocator.allocPages(1, Zone.NORMAL);
        tree = new TreeMap<>();
        for (int i = 0; i < LIVE; i++) {
            strict.mapPhys(filler, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            lazy.mapPhys(filler, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            tree.put(0xffff_f000L - (long) i * PAGE, (long) i);
        }
        treeKey = 0xffff_f000L - (long) LIVE * PAGE;
        sg = new SgTable(64);
        sgPages = new long[64];
        for (int i = 0; i < 64; i++) {
            sgPages[i] = allocator.allocPages(1, Zone.NORMAL);
            allocator.allocPages(1, Zone.NORMAL); // a gap, so no two entries are contiguous
            sg.add(sgPages[i], PAGE);
        }
    }

    private static DmaOps ops(SparsePhysicalMemory memory, ZonedPageAllocator allocator, boolean lazy, String name)
            throws Exception {
        GenericIommuModel hw = new GenericIommuModel("generic", 48, 48, 16, 256, 64, false);
        IommuDmaBackend backend = IommuDmaBackend.of(new GenericIommuDriver(hw), lazy, () -> null);
        SimDmaDevice dev = new SimDmaDevice(DeviceDescriptor.builder(name).streamIds(lazy ? 2 : 1)
                .dmaMask(DmaMasks.bits(48)).build(), memory, allocator);
        return backend.attach(dev).ops();
    }

    @Benchmark
    public long mapUnmapPageStrict() {
        long dma = strict.mapPhys(page, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        strict.unmapPhys(dma, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        return dma;
    }

    @Benchmark
    public long mapUnmapPageLazy() {
        long dma = lazy.mapPhys(page, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        lazy.unmapPhys(dma, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        return dma;
    }

    @Benchmark
    public Long baselineTreeMapPutRemove() {
        tree.put(treeKey, treeKey);
        return tree.remove(treeKey);
    }

    @Benchmark
    public int mapSg64DiscontiguousPages() {
        int n = strict.mapSg(sg, 64, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        strict.unmapSg(sg, 64, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        return n;
    }

    @Benchmark
    public long map64SinglePages() {
        long last = 0;
        for (int i = 0; i < 64; i++) {
            last = strict.mapPhys(sgPages[i], PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            strict.unmapPhys(last, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        }
        return last;
    }
}
