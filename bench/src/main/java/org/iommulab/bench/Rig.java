package org.iommulab.bench;

import java.util.HashMap;
import java.util.Map;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.iommu.dma.internal.dma.IommuDmaBackend;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.platform.internal.sim.Simulation;
import org.iommulab.smmu.v2.internal.driver.DriverOptions;
import org.iommulab.smmu.v2.internal.driver.SmmuV2Driver;
import org.iommulab.smmu.v2.internal.model.SmmuV2Model;
import org.iommulab.smmu.v2.internal.model.SmmuV2Params;
import org.iommulab.smmu.v3.internal.driver.DriverConfig;
import org.iommulab.smmu.v3.internal.driver.SmmuV3Driver;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.iommulab.smmu.v3.internal.model.SmmuV3Model;
import org.iommulab.swiotlb.internal.direct.DmaDirectBackend;
import org.iommulab.swiotlb.internal.force.SwiotlbBackendComponent;
import org.iommulab.swiotlb.internal.pool.BouncePool;
import org.iommulab.swiotlb.internal.pool.PoolGeometry;

/**
 * A whole platform as a driver sees it, outside OSGi: simulated memory, the page allocator, a
 * {@link DevicePlatform} with the given checker settings, one backend registered under its
 * name, and devices bound to it, each reached through its own per-device {@link DmaApi} (the
 * checker, the gate, the live table and the backend's ops, as in the running container).
 */
final class Rig {
    /** Every backend the project ships, by the name it registers under. */
    static final String[] BACKENDS = {"direct", "swiotlb", "generic", "smmu-v2", "smmu-v3"};

    final SparsePhysicalMemory memory;
    final ZonedPageAllocator allocator;
    final DevicePlatform platform;
    final String backend;
    private final Map<String, DmaApi> published = new HashMap<>();

    Rig(String backend, CheckerSettings checker) {
        this(backend, checker, false);
    }

    /**
     * A rig whose iommu-dma backend, when {@code simCpus}, runs on the platform's simulated
     * CPUs and clock as the container's whiteboard makes it (per-CPU IOVA caches indexed by
     * the calling thread's CPU), not on the one CPU of a plain-Java backend: what threads
     * mapping in parallel need to reach Linux's per-CPU caches rather than share one.
     */
    Rig(String backend, CheckerSettings checker, boolean simCpus) {
        this(backend, checker, simCpus, false);
    }

    /**
     * {@link #Rig(String, CheckerSettings, boolean)}, with the IOMMUs' iommu-dma domains lazy
     * ({@code iommu.strict=0}: unmapped IOVAs wait in a flush queue) when {@code lazy}; a lazy
     * rig runs on the simulated CPUs and clock, whose time fires the flush-queue timer.
     */
    Rig(String backend, CheckerSettings checker, boolean simCpus, boolean lazy) {
        this.backend = backend;
        memory = SparsePhysicalMemory.defaultLayout();
        allocator = new ZonedPageAllocator(memory);
        platform = new DevicePlatform(memory, allocator, (api, props) -> {
            String device = String.valueOf(props.get(DmaApi.DEVICE_PROPERTY));
            published.put(device, api);
            return () -> published.remove(device);
        }, checker);
        platform.addBackend(backend(backend, memory, allocator, simCpus || lazy ? platform.simulation() : null, lazy),
                Map.of(DmaBackend.NAME_PROPERTY, backend));
    }

    /** Adds a device with a 48-bit mask and stream ID {@code sid}; returns its DmaApi, bound to this rig's backend. */
    DmaApi addDevice(String name, int sid) {
        platform.addDevice(DeviceDescriptor.builder(name).streamIds(sid).dmaMask(DmaMasks.bits(48)).build());
        DmaApi api = published.get(name);
        if (api == null || !backend.equals(api.backendName())) {
            throw new IllegalStateException(name + " is not bound to " + backend + ": " + platform.devices());
        }
        return api;
    }

    /** Throws when the checker found anything: the benchmarks' drivers are correct. */
    void assertNoFindings() {
        if (!platform.findings().isEmpty()) {
            throw new IllegalStateException("the benchmark's driver is correct, yet: " + platform.findings());
        }
    }

    /** A backend as its bundle's component builds it; the IOMMUs strict, behind iommu-dma. */
    static DmaBackend backend(String name, SparsePhysicalMemory mem, ZonedPageAllocator alloc) {
        return backend(name, mem, alloc, null, false);
    }

    /** {@link #backend(String, SparsePhysicalMemory, ZonedPageAllocator)}, iommu-dma on {@code sim}'s CPUs and clock when not null. */
    static DmaBackend backend(String name, SparsePhysicalMemory mem, ZonedPageAllocator alloc, Simulation sim) {
        return backend(name, mem, alloc, sim, false);
    }

    /** {@link #backend(String, SparsePhysicalMemory, ZonedPageAllocator, Simulation)}, an IOMMU's domains lazy when {@code lazy}. */
    static DmaBackend backend(String name, SparsePhysicalMemory mem, ZonedPageAllocator alloc, Simulation sim,
            boolean lazy) {
        IommuDriver driver;
        switch (name) {
            case "direct":
                return new DmaDirectBackend("direct", false, () -> null);
            case "swiotlb":
                return SwiotlbBackendComponent.create(new BouncePool(mem, alloc, PoolGeometry.of(64L << 20, 1)));
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
        return sim == null ? IommuDmaBackend.of(driver, lazy, () -> null)
                : IommuDmaBackend.of(driver, lazy, () -> null, sim, sim);
    }
}
