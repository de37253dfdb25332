package org.iommulab.bench;

import java.util.concurrent.TimeUnit;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
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
 * Row P7: what the DMA-API checker adds to dma_map + dma_mapping_error + dma_unmap of 4 KiB
 * through a device's DmaApi, on every backend and in every direction: the same call with the
 * checker {@code on} and {@code off}, each a separate platform, in the same run. The ratio of
 * the two is the checker's cost; the worst is on {@code direct}, where the mapping itself is
 * nearly free.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CheckerOverheadBenchmark {
    static final int SIZE = 4096;

    @Param({"direct", "swiotlb", "generic", "smmu-v2", "smmu-v3"})
    String backend;

    @Param({"TO_DEVICE", "FROM_DEVICE", "BIDIRECTIONAL"})
    String direction;

    @Param({"on", "off"})
    String checker;

    private Rig rig;
    private DmaApi api;
    private DmaDirection dir;
    private long buffer;

    @Setup(Level.Trial)
    public void setUp() {
        rig = new Rig(backend, "on".equals(checker) ? CheckerSettings.DEFAULT : CheckerSettings.OFF);
        api = rig.addDevice("bench0", 0x10);
        dir = DmaDirection.valueOf(direction);
        buffer = rig.allocator.allocPages(1, Zone.HIGH);
        rig.memory.fill(buffer, SIZE, (byte) 0x3C);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rig.assertNoFindings();
    }

    @Benchmark
    public long mapUnmap() {
        long dma = api.mapPhys(buffer, SIZE, dir, DmaAttrs.NONE);
        if (api.mappingError(dma)) {
            throw new IllegalStateException("mapping failed");
        }
        api.unmapPhys(dma, SIZE, dir, DmaAttrs.NONE);
        return dma;
    }
}
