package org.iommulab.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.SimScope;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Row P6: map + unmap throughput of one 4 KiB page through the per-device DmaApi (strict,
 * checker as the {@code checker} parameter says), with each thread on its own device of one
 * SMMU ({@link #mapUnmapOwnDevice}) or every thread on the same device
 * ({@link #mapUnmapSharedDevice}). Run with 1 thread and with 2 threads ({@code -t 1},
 * {@code -t 2}): JMH sums the threads' throughputs, and the 2-thread score divided by the
 * 1-thread score of the same benchmark in the same run is how well the path scales.
 *
 * <p>With {@code -p mode=lazy} the devices' domains are lazy ({@code iommu.strict=0}): an unmap
 * queues its IOVA in the domain's flush queue instead of issuing a TLBI and a CMD_SYNC on the
 * SMMU's one command queue, which a strict unmap of every thread shares.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ParallelMapBenchmark {
    static final int DEVICES = 2;
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;

    @Param({"smmu-v3"})
    String backend;

    @Param({"off"})
    String checker;

    @Param({"strict"})
    String mode;

    Rig rig;
    DmaApi[] apis;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
        // On the simulation's CPUs, as in the container: each thread keeps to its CPU's IOVA caches.
        rig = new Rig(backend, checkerSettings(), true, lazy());
        apis = new DmaApi[DEVICES];
        for (int i = 0; i < DEVICES; i++) {
            apis[i] = rig.addDevice("bench" + i, 0x10 + i);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rig.assertNoFindings();
    }

    boolean lazy() {
        return "lazy".equals(mode);
    }

    CheckerSettings checkerSettings() {
        return "on".equals(checker) ? CheckerSettings.DEFAULT : CheckerSettings.OFF;
    }

    /** One thread's own device and its own page (threads never share a buffer). */
    @State(Scope.Thread)
    public static class Lane {
        DmaApi own;
        DmaApi shared;
        /** This thread's device on a platform of its own; built only for {@link #mapUnmapOwnPlatform}. */
        DmaApi alone;
        long alonePage;
        Rig aloneRig;
        SimScope aloneCpu;
        long page;
        SimScope cpu;

        @Setup(Level.Trial)
        public void setUp(ParallelMapBenchmark b, BenchmarkParams params) {
            int index = b.threads.getAndIncrement();
            // A kernel thread bound to a CPU: thread ids modulo the CPU count may collide.
            cpu = b.rig.platform.simulation().runOn(index % b.rig.platform.simulation().count());
            own = b.apis[index % DEVICES];
            shared = b.apis[0];
            synchronized (b) {
                page = b.rig.allocator.allocPages(1, Zone.NORMAL);
            }
            // Only that benchmark needs a platform per thread.
            if (params.getBenchmark().endsWith(".mapUnmapOwnPlatform")) {
                aloneRig = new Rig(b.backend, b.checkerSettings(), true, b.lazy());
                alone = aloneRig.addDevice("alone", 0x10);
                alonePage = aloneRig.allocator.allocPages(1, Zone.NORMAL);
                aloneCpu = aloneRig.platform.simulation().runOn(0);
            }
        }

        /** Run by JMH on the thread that set the lane up: it leaves the CPU it entered. */
        @TearDown(Level.Trial)
        public void tearDown() {
            cpu.close();
            if (aloneRig != null) {
                aloneCpu.close();
                aloneRig.assertNoFindings();
            }
        }
    }

    @Benchmark
    public long mapUnmapOwnDevice(Lane lane) {
        long dma = lane.own.mapPage(lane.page, 0, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        lane.own.unmapPage(dma, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        return dma;
    }

    @Benchmark
    public long mapUnmapSharedDevice(Lane lane) {
        long dma = lane.shared.mapPage(lane.page, 0, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        lane.shared.unmapPage(dma, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        return dma;
    }

    /** The path of {@link #mapUnmapOwnDevice} on a platform of the thread's own. */
    @Benchmark
    public long mapUnmapOwnPlatform(Lane lane) {
        long dma = lane.alone.mapPage(lane.alonePage, 0, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        lane.alone.unmapPage(dma, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        return dma;
    }
}
