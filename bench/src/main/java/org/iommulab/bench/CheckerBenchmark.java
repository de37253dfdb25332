package org.iommulab.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.MemoryAccess;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.swiotlb.internal.direct.DmaDirectBackend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the DMA-API checker costs: dma_map + dma_mapping_error + dma_unmap of 4 KiB through a
 * whole {@link DevicePlatform} (the device's DmaApi, its gate, table and counters) on the
 * {@code direct} backend, with the checker on, on and recording map call sites
 * ({@code checker.recordMapSites}), and off; and a 64-byte write through the driver's CPU view,
 * checked (checker on) beside raw memory (checker off, where {@code cpu()} is the memory). Each
 * measurement beside its baseline in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CheckerBenchmark {
    private static final int SIZE = 4096;

    /** One platform, one device on the direct backend, one buffer. */
    static final class Rig {
        final DevicePlatform platform;
        final DmaApi api;
        final MemoryAccess cpu;
        final long buffer;

        Rig(CheckerSettings settings) {
            PhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
            ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
            DmaApi[] published = new DmaApi[1];
            platform = new DevicePlatform(memory, allocator, (api, props) -> {
                published[0] = api;
                return () -> { };
            }, settings);
            DmaBackend direct = new DmaDirectBackend("direct", false, () -> null);
            platform.addBackend(direct, Map.of(DmaBackend.NAME_PROPERTY, "direct"));
            platform.addDevice(DeviceDescriptor.builder("bench0").dmaMask(DmaMasks.bits(64)).build());
            api = published[0];
            if (api == null || !"direct".equals(api.backendName())) {
                throw new IllegalStateException("bench0 is not bound to direct: " + platform.devices());
            }
            cpu = api.cpu();
            buffer = allocator.allocPages(1, Zone.HIGH);
            memory.fill(buffer, SIZE, (byte) 0x3C);
        }

        long mapUnmap() {
            long dma = api.mapPhys(buffer, SIZE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            if (api.mappingError(dma)) {
                throw new IllegalStateException("mapping failed");
            }
            api.unmapPhys(dma, SIZE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            return dma;
        }
    }

    private Rig on;
    private Rig sites;
    private Rig off;
    private final byte[] line = new byte[64];

    @Setup(Level.Trial)
    public void setUp() {
        on = new Rig(CheckerSettings.DEFAULT);
        sites = new Rig(new CheckerSettings(true, true));
        off = new Rig(CheckerSettings.OFF);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Rig r : new Rig[] {on, sites, off}) {
            if (!r.platform.findings().isEmpty()) {
                throw new IllegalStateException("the benchmark's driver is correct, yet: " + r.platform.findings());
            }
        }
    }

    @Benchmark
    public long mapUnmapCheckerOn() {
        return on.mapUnmap();
    }

    @Benchmark
    public long mapUnmapCheckerOnRecordingMapSites() {
        return sites.mapUnmap();
    }

    @Benchmark
    public long mapUnmapCheckerOff() {
        return off.mapUnmap();
    }

    @Benchmark
    public void cpuWrite64CheckerOn() {
        on.cpu.write(on.buffer + 128, line, 0, line.length);
    }

    @Benchmark
    public void cpuWrite64CheckerOff() {
        off.cpu.write(off.buffer + 128, line, 0, line.length);
    }
}
