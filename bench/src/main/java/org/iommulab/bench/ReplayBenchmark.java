package org.iommulab.bench;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.replay.internal.device.DeviceConfig;
import org.iommulab.replay.internal.engine.ReplayEngine;
import org.iommulab.replay.internal.engine.ReplayOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The trace-replay rate in DMA-API calls per second: a 6.12-format ftrace text of 20,000 calls
 * (dma_map_page / dma_unmap_page pairs of one PCI device, each preceded by its iommu:map line)
 * parsed and replayed through the platform's DMA API on one backend, with the checker on;
 * beside it, in the same run, only reading the same bytes line by line.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReplayBenchmark {
    static final int CALLS = 20_000;

    @Param({"direct", "generic", "smmu-v3"})
    String backend;

    private byte[] trace;
    private ReplayEngine engine;

    @Setup
    public void setUp() {
        trace = syntheticTrace();
        SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
        ZonedPageAllocator alloc = new ZonedPageAllocator(mem);
        Map<String, DmaApi> published = new HashMap<>();
        DevicePlatform platform = new DevicePlatform(mem, alloc, (api, props) -> {
            String key = props.get(DmaApi.DEVICE_PROPERTY) + "@" + props.get(DmaApi.BACKEND_PROPERTY);
            published.put(key, api);
            return () -> published.remove(key);
        });
        platform.addBackend(Rig.backend(backend, mem, alloc), Map.of(DmaBackend.NAME_PROPERTY, backend));
        engine = new ReplayEngine(platform, (d, be) -> published.get(d + "@" + be), new DeviceConfig(),
                ReplayOptions.defaults());
    }

    /** Map/unmap pairs over 64 buffers, so up to 64 mappings are live at once. */
    static byte[] syntheticTrace() {
        StringBuilder b = new StringBuilder(CALLS * 160);
        b.append("# tracer: nop\n#\n");
        long iova = 0xfff0_0000L;
        for (int i = 0; i < CALLS / 2; i++) {
            long phys = 0x1_0a00_0000L + (long) (i % 64) * 0x1000;
            long dma = iova + (long) (i % 64) * 0x1000;
            String ts = String.format("%d.%06d", 400 + i / 100000, i % 1000000);
            b.append(String.format("  NetworkManager-611     [001] .....   %s: map: IOMMU: iova=0x%016x - 0x%016x paddr=0x%016x size=4096%n",
                    ts, dma, dma + 0x1000, phys));
            b.append(String.format("  NetworkManager-611     [001] .....   %s: dma_map_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=%x size=1500 phys_addr=%x attrs=%n",
                    ts, dma, phys));
            b.append(String.format("          <idle>-0       [001] ..s1.   %s: dma_unmap_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=%x size=1500 attrs=%n",
                    ts, dma));
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public Object replayCalls() throws IOException {
        return engine.run(new ByteArrayInputStream(trace), backend);
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long baselineReadLines() throws IOException {
        long n = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(trace), StandardCharsets.US_ASCII))) {
            while (r.readLine() != null) {
                n++;
            }
        }
        return n;
    }
}
