package org.iommulab.bench;

import java.util.concurrent.TimeUnit;

import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bulk copy inside simulated physical memory against {@link System#arraycopy} of the same size
 * between two heap arrays, in the same run: the claim is that a device's or a bounce buffer's
 * copy runs at memory speed. The simulated copy crosses 64 KiB chunk boundaries (its source and
 * destination are deliberately not chunk-aligned), which the baseline does not have to do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MemoryCopyBenchmark {
    @Param({"4096", "65536", "1048576"})
    int size;

    private SparsePhysicalMemory memory;
    private long src;
    private long dst;
    private byte[] heapSrc;
    private byte[] heapDst;

    @Setup
    public void setUp() {
        memory = SparsePhysicalMemory.defaultLayout();
        src = 0x1_0000_0000L + 0x1234;
        dst = 0x4000_0000L + 0x10_0000L + 0x567;
        memory.fill(src, size, (byte) 0x5A);
        memory.fill(dst, size, (byte) 0x11);
        heapSrc = new byte[size];
        heapDst = new byte[size];
    }

    @Benchmark
    public void physicalMemoryCopy() {
        memory.copy(src, dst, size);
    }

    @Benchmark
    public void baselineArraycopy() {
        System.arraycopy(heapSrc, 0, heapDst, 0, size);
    }
}
