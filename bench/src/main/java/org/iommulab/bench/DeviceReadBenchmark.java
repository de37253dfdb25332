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
 *
 * <p>Both sides cycle their source and destination through the 64 pairs of 8-byte offsets within
 * a 64-byte cache line, one pair per call, so each figure is the mean over every alignment.
 * {@code System.arraycopy} of 64 KiB on this project's 2-core EPYC host takes from about 1,390 ns
 * (source on a line boundary) to 2,110 ns (source 40 bytes into a line), and a Java array's data
 * lands wherever the heap puts it: with one fixed pair per side, each run drew its own two
 * alignments and P2 read anywhere from 1.08 to 1.41 on unchanged code. Cycling takes that draw
 * out of the ratio and leaves what the read path adds. The device side's source is the
 * simulated memory's backing array, so it is cycled through the read's bus address: 64 KiB from
 * {@code dma + s} spans 17 pages for {@code s > 0}, one more translation than from a page
 * boundary, which the device side pays.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DeviceReadBenchmark {
    static final int SIZE = 64 * 1024;
    /** The 64 (source, destination) offset pairs: 8 offsets each, 8 bytes apart, in a 64-byte line. */
    static final int PAIRS = 64;
    static final int SLACK = 64;

    @Param({"smmu-v3"})
    String backend;

    /**
     * {@code strict} (row P2) or {@code lazy}: on a lazy domain ({@code iommu.strict=0}) every
     * page the device translates also asks the flush queue whether it is still pending.
     */
    @Param({"strict"})
    String mode;

    private BusMaster device;
    private long dma;
    private byte[] dst;
    private byte[] heapSrc;
    private int turn;

    @Setup(Level.Trial)
    public void setUp() {
        Rig rig = "lazy".equals(mode) ? new Rig(backend, CheckerSettings.DEFAULT, true, true)
                : new Rig(backend, CheckerSettings.DEFAULT);
        DmaApi api = rig.addDevice("bench0", 0x10);
        long buffer = rig.allocator.allocPages(SIZE / PageAllocator.PAGE_SIZE + 1, Zone.NORMAL);
        rig.memory.fill(buffer, SIZE + SLACK, (byte) 0x5A);
        dma = api.mapPhys(buffer, SIZE + SLACK, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        device = api.busMaster();
        dst = new byte[SIZE + SLACK];
        heapSrc = new byte[SIZE + SLACK];
        for (int t = 0; t < PAIRS; t++) {
            device.read(dma + source(t), dst, destination(t), SIZE);
            int d = destination(t);
            if (dst[d] != 0x5A || dst[d + SIZE - 1] != 0x5A) {
                throw new IllegalStateException("the device did not read the buffer's bytes at pair " + t);
            }
        }
    }

    /** Pair t's source offset: 0, 8, ..., 56. */
    static int source(int t) {
        return (t & 7) << 3;
    }

    /** Pair t's destination offset: 0, 8, ..., 56, changing every 8 pairs. */
    static int destination(int t) {
        return ((t >>> 3) & 7) << 3;
    }

    @Benchmark
    public byte[] deviceRead64K() {
        int t = turn++;
        device.read(dma + source(t), dst, destination(t), SIZE);
        return dst;
    }

    @Benchmark
    public byte[] baselineArraycopy64K() {
        int t = turn++;
        System.arraycopy(heapSrc, source(t), dst, destination(t), SIZE);
        return dst;
    }
}
