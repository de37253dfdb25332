package org.iommulab.bench;

import java.util.concurrent.TimeUnit;

import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.iommu.dma.internal.dma.IommuDmaBackend;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.smmu.v2.internal.driver.DriverOptions;
import org.iommulab.smmu.v2.internal.driver.SmmuV2Driver;
import org.iommulab.smmu.v2.internal.model.SmmuV2Model;
import org.iommulab.smmu.v2.internal.model.SmmuV2Params;
import org.iommulab.smmu.v3.internal.driver.DriverConfig;
import org.iommulab.smmu.v3.internal.driver.SmmuV3Driver;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.iommulab.smmu.v3.internal.model.SmmuV3Model;
import org.iommulab.swiotlb.internal.direct.DmaDirectBackend;
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
 * The IOMMU backends side by side, with {@code direct} (no IOMMU) as the baseline in the same
 * run: a device access translated with a warm IOTLB (the same page again) and a cold one (4096
 * single-page mappings visited in turn, more than any IOTLB here holds, so every access walks
 * the tables in simulated memory), and dma_map + dma_unmap of one page through iommu-dma,
 * strict, which for the SMMUs includes the register or command-queue invalidation and sync.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IommuBackendsBenchmark {
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;
    private static final int COLD_PAGES = 4096;
    private static final int SID = 0x10;

    @Param({"direct", "generic", "smmu-v2", "smmu-v3"})
    String backend;

    private DmaOps ops;
    private TranslationPort port;
    private long page;
    private long warm;
    private long[] cold;
    private int next;

    @Setup
    public void setUp() throws Exception {
        SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
        ZonedPageAllocator alloc = new ZonedPageAllocator(mem);
        DmaBackend b = backend(backend, mem, alloc);
        SimDmaDevice dev = new SimDmaDevice(DeviceDescriptor.builder("bench0").streamIds(SID)
                .dmaMask(DmaMasks.bits(48)).build(), mem, alloc);
        DeviceBinding binding = b.attach(dev);
        ops = binding.ops();
        port = binding.port();
        page = alloc.allocPages(1, Zone.NORMAL);
        warm = ops.mapPhys(page, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        cold = new long[COLD_PAGES];
        for (int i = 0; i < COLD_PAGES; i++) {
            cold[i] = ops.mapPhys(alloc.allocPages(1, Zone.NORMAL), PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        }
    }

    private static DmaBackend backend(String name, SparsePhysicalMemory mem, ZonedPageAllocator alloc) {
        IommuDriver driver;
        switch (name) {
            case "direct":
                return new DmaDirectBackend("direct", false, () -> null);
            case "generic":
                driver = new GenericIommuDriver(new GenericIommuModel("generic", 48, 48, 16, 256, 64, false));
                break;
            case "smmu-v2":
                driver = new SmmuV2Driver(new SmmuV2Model(SmmuV2Params.mmu500(), mem, SmmuV2Driver.NAME), mem, alloc,
                        DriverOptions.defaults());
                break;
            case "smmu-v3": {
                SmmuV3Driver v3 = new SmmuV3Driver(SmmuV3Driver.NAME,
                        new SmmuV3Model(SmmuV3Driver.NAME, mem, SmmuV3Features.defaults()), mem, alloc,
                        DriverConfig.defaults());
                v3.probe();
                driver = v3;
                break;
            }
            default:
                throw new IllegalArgumentException("unknown backend " + name);
        }
        return IommuDmaBackend.of(driver, false, () -> null);
    }

    @Benchmark
    public long translateWarmIotlb() {
        return port.translate(SID, warm, AccessType.READ);
    }

    @Benchmark
    public long translateColdIotlb() {
        long dma = cold[next];
        next = (next + 1) & (COLD_PAGES - 1);
        return port.translate(SID, dma, AccessType.READ);
    }

    @Benchmark
    public long mapUnmapPageStrict() {
        long dma = ops.mapPhys(page, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        ops.unmapPhys(dma, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        return dma;
    }
}
