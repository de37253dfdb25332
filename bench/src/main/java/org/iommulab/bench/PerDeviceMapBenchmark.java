package org.iommulab.bench;

import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Row P1: dma_map_page + dma_unmap_page of one 4 KiB page through a device's own DmaApi, as a
 * driver calls it (the platform's gate and live table, iommu-dma, strict invalidation), checker
 * off, with 1024 other mappings of the device live; beside a {@link TreeMap} put + remove in a
 * map holding 1024 keys, in the same run: what an ordered map of live mappings costs at least.
 * With {@code -p mode=lazy} the device's domain is lazy instead ({@code iommu.strict=0}): each
 * unmap queues its IOVA in the flush queue, which a full ring or the 10 ms timer (simulated
 * time) flushes with one TLBI by ASID and a CMD_SYNC.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PerDeviceMapBenchmark {
    static final int LIVE = 1024;
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;

    @Param({"smmu-v3"})
    String backend;

    /** {@code strict} (row P1) or {@code lazy}. */
    @Param({"strict"})
    String mode;

    private Rig rig;
    private DmaApi api;
    private long page;
    private TreeMap<Long, Long> tree;
    private long treeKey;

    @Setup(Level.Trial)
    public void setUp() {
        rig = "lazy".equals(mode) ? new Rig(backend, CheckerSettings.OFF, true, true)
                : new Rig(backend, CheckerSettings.OFF);
        api = rig.addDevice("bench0", 0x10);
        page = rig.allocator.allocPages(1, Zone.NORMAL);
        long filler = rig.allocator.allocPages(1, Zone.NORMAL);
        tree = new TreeMap<>();
        for (int i = 0; i < LIVE; i++) {
            api.mapPage(filler, 0, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            // The same key pattern as an IOVA allocator working down from the top of 4 GiB.
            tree.put(0xffff_f000L - (long) i * PAGE, (long) i);
        }
        treeKey = 0xffff_f000L - (long) LIVE * PAGE;
        if (rig.platform.liveMappings("bench0") != LIVE) {
            throw new IllegalStateException("expected " + LIVE + " live mappings, the platform holds "
                    + rig.platform.liveMappings("bench0"));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rig.assertNoFindings();
    }

    @Benchmark
    public long mapUnmapPage() {
        long dma = api.mapPage(page, 0, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        api.unmapPage(dma, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        return dma;
    }

    @Benchmark
    public Long baselineTreeMapPutRemove() {
        tree.put(treeKey, treeKey);
        return tree.remove(treeKey);
    }
}
