package org.iommulab.bench;

import java.util.concurrent.TimeUnit;

import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.swiotlb.internal.force.SwiotlbBackendComponent;
import org.iommulab.swiotlb.internal.pool.BouncePool;
import org.iommulab.swiotlb.internal.pool.PoolGeometry;
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
 * dma_map + dma_unmap of one buffer through the {@code swiotlb} backend (every mapping
 * bounces), beside {@link System#arraycopy} of the same size in the same run. TO_DEVICE costs
 * one copy (map copies to the slot, unmap copies nothing back); BIDIRECTIONAL costs two (map
 * in, unmap out), so its fair baseline is two array copies.
 *
 * <p>The pool is 64 MiB by default, Linux's default swiotlb size. Linux's slot search starts
 * where the last allocation ended ({@code area->index}), so a map/unmap loop walks the whole
 * pool and every bounce copy lands in memory the CPU cache no longer holds, while the baseline
 * copies the same 64 KiB again and again from cache. {@code poolMiB=1} keeps the slots in cache
 * and so shows the copy and the bookkeeping without the cache misses.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SwiotlbBenchmark {
    @Param({"4096", "65536"})
    int size;

    @Param({"64"})
    int poolMiB;

    private DmaOps ops;
    private long buffer;
    private byte[] heapSrc;
    private byte[] heapDst;
    private byte[] walkedPool;
    private int walkAt;

    @Setup
    public void setUp() throws Exception {
        SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
        ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
        BouncePool pool = new BouncePool(memory, allocator, PoolGeometry.of((long) poolMiB << 20, 1));
        SimDmaDevice device = new SimDmaDevice(
                DeviceDescriptor.builder("bench0").dmaMask(DmaMasks.bits(64)).build(), memory, allocator);
        ops = SwiotlbBackendComponent.create(pool).attach(device).ops();
        buffer = allocator.allocPages(size / PageAllocator.PAGE_SIZE, Zone.HIGH);
        memory.fill(buffer, size, (byte) 0x3C);
        heapSrc = new byte[size];
        heapDst = new byte[size];
        walkedPool = new byte[poolMiB << 20];
    }

    @Benchmark
    public void mapUnmapToDevice() {
        long dma = ops.mapPhys(buffer, size, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        ops.unmapPhys(dma, size, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
    }

    @Benchmark
    public void mapUnmapBidirectional() {
        long dma = ops.mapPhys(buffer, size, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        ops.unmapPhys(dma, size, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
    }

    @Benchmark
    public void baselineOneArraycopy() {
        System.arraycopy(heapSrc, 0, heapDst, 0, size);
    }

    /**
     * Two array copies with the memory traffic of the swiotlb pair: the first into a window that
     * walks a heap array as large as the pool, as Linux's {@code area->index} walks the slots (a
     * write into lines the cache no longer holds), the second back out of that window (now in
     * cache), as unmap's bounce back does.
     */
    @Benchmark
    public void baselineTwoArraycopiesWalkingPool() {
        System.arraycopy(heapSrc, 0, walkedPool, walkAt, size);
        System.arraycopy(walkedPool, walkAt, heapDst, 0, size);
        walkAt += size;
        if (walkAt + size > walkedPool.length) {
            walkAt = 0;
        }
    }

    @Benchmark
    public void baselineTwoArraycopies() {
        System.arraycopy(heapSrc, 0, heapDst, 0, size);
        System.arraycopy(heapDst, 0, heapSrc, 0, size);
    }
}
