package org.iommulab.bench;

import java.util.concurrent.TimeUnit;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.BusMaster;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Row P2: a device reads 64 KiB by DMA through its bus master, translated by the bound backend
 * (for smmu-v3: stream table, IOTLB, which is warm since the same 16 pages are read again and
 * again), beside {@link System#arraycopy} of 64 KiB between two heap arrays in the same run.
 * The mapping is made once, through the device's DmaApi; the checker is on, as by default.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DeviceReadBenchmark {
    static final int SIZE = 64 * 1024;

    @Param({"smmu-v3"})
    String backend;

    private BusMaster device;
    private long dma;
    private byte[] dst;
    private byte[] heapSrc;

    @Setup(Level.Trial)
    public void setUp() {
        Rig rig = new Rig(backend, CheckerSettings.DEFAULT);
        DmaApi api = rig.addDevice("bench0", 0x10);
        long buffer = rig.allocator.allocPages(SIZE / PageAllocator.PAGE_SIZE, Zone.NORMAL);
        rig.memory.fill(buffer, SIZE, (byte) 0x5A);
        dma = api.mapPhys(buffer, SIZE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        device = api.busMaster();
        dst = new byte[SIZE];
        heapSrc = new byte[SIZE];
        device.read(dma, dst, 0, SIZE);
        if (dst[0] != 0x5A || dst[SIZE - 1] != 0x5A) {
            throw new IllegalStateException("the device did not read the buffer's bytes");
        }
    }

    @Benchmark
    public byte[] deviceRead64K() {
        device.read(dma, dst, 0, SIZE);
        return dst;
    }

    @Benchmark
    public byte[] baselineArraycopy64K() {
        System.arraycopy(heapSrc, 0, dst, 0, SIZE);
        return dst;
    }
}
