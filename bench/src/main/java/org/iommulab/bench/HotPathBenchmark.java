package org.iommulab.bench;

import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The map/unmap hot path through a whole platform (a device's published DmaApi, checker off,
 * strict invalidation), each beside its baseline in the same run:
 * <ul>
 * <li>{@code mapUnmap1024Live} (issue row P1): dma_map_page + dma_unmap_page of 4 KiB on a
 * device that holds 1024 other live mappings; its baseline {@code treeMapPutRemove1024} is a
 * {@code TreeMap<Long,Long>} put + remove in a 1024-key map (the cost of the simplest sorted
 * bookkeeping a map/unmap pair could have). Goal: ratio at most 2.</li>
 * <li>{@code scale*} (row P6), in ops/us: one thread on one device (the baseline), two threads
 * on two devices of the same IOMMU instance, two threads on one device (distinct buffers).
 * Goal: 2 devices / 1 thread at least 1.6, 1 device / 1 thread at least 1.4. Only meaningful
 * on a host with two idle cores.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmark {
    private static final int LIVE = 1024;

    /** One platform with two devices, each holding {@value #LIVE} live mappings. */
    @State(Scope.Benchmark)
    public static class Platform {
        @Param({"smmu-v3", "generic"})
        String backend;

        HotPathRig rig;
        final AtomicInteger threads = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() {
            rig = new HotPathRig(backend, 2, CheckerSettings.OFF);
            for (DmaApi api : rig.apis) {
                long phys = rig.page();
                for (int i = 0; i < LIVE; i++) {
                    api.mapPhys(phys, HotPathRig.PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
                }
            }
        }
    }

    /** A thread's own buffer and its index (0, 1, ...) among the threads of the trial. */
    @State(Scope.Thread)
    public static class Worker {
        int index;
        long buffer;

        @Setup(Level.Trial)
        public void setUp(Platform p) {
            index = p.threads.getAndIncrement();
            buffer = p.rig.page();
        }
    }

    /** The baseline of P1: a sorted map of 1024 keys, one put and one remove. */
    @State(Scope.Thread)
    public static class Tree {
        final TreeMap<Long, Long> map = new TreeMap<>();
        long next;

        @Setup(Level.Trial)
        public void setUp() {
            for (long i = 0; i < LIVE; i++) {
                map.put(i << 13, i);
            }
        }
    }

    /** The deep table of P5: {@code live} mappings on one device, then map+unmap beside it. */
    @State(Scope.Benchmark)
    public static class Deep {
        @Param({"smmu-v3", "generic"})
        String backend;
        @Param({"1024", "1000000"})
        int live;

        HotPathRig rig;
        long buffer;

        @Setup(Level.Trial)
        public void setUp() {
            rig = new HotPathRig(backend, 1, CheckerSettings.OFF);
            long phys = rig.page();
            for (int i = 0; i < live; i++) {
                rig.apis[0].mapPhys(phys, HotPathRig.PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
            }
            buffer = rig.page();
        }
    }

    /** Between two of the map's keys each time, so the tree is searched to a leaf. */
    @Benchmark
    public long treeMapPutRemove1024(Tree t) {
        long k = ((t.next++ & (LIVE - 1)) << 13) + 4096;
        t.map.put(k, k);
        t.map.remove(k);
        return k;
    }

    /** Row P5's second figure: this at 1,000,000 live over this at 1024 (goal at most 1.5). */
    @Benchmark
    public long mapUnmapAtLive(Deep d) {
        return HotPathRig.mapUnmap(d.rig.apis[0], d.buffer);
    }

    @Benchmark
    public long mapUnmap1024Live(Platform p, Worker w) {
        return HotPathRig.mapUnmap(p.rig.apis[0], w.buffer);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(1)
    public long scale1Thread(Platform p, Worker w) {
        return HotPathRig.mapUnmap(p.rig.apis[0], w.buffer);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(2)
    public long scale2Threads2Devices(Platform p, Worker w) {
        return HotPathRig.mapUnmap(p.rig.apis[w.index & 1], w.buffer);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(2)
    public long scale2Threads1Device(Platform p, Worker w) {
        return HotPathRig.mapUnmap(p.rig.apis[0], w.buffer);
    }
}
