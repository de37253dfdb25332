package org.iommulab.app.internal.hotpath;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.iommu.dma.internal.dma.IommuDmaBackend;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.core.DevicePlatform;
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
import org.iommulab.swiotlb.internal.force.SwiotlbBackendComponent;
import org.iommulab.swiotlb.internal.pool.BouncePool;
import org.iommulab.swiotlb.internal.pool.PoolGeometry;

/**
 * A platform built with {@code new}, checker on, with exactly one real backend (so every device
 * binds to it) and {@code devices} devices on it, named {@code dev0}, {@code dev1}, ... with
 * stream IDs 0x10, 0x11, ... and a 48-bit mask; their published DmaApis in order. An IOMMU's
 * name with {@code -lazy} after it gives that IOMMU with lazy domains ({@code iommu.strict=0})
 * on the platform's simulated clock and CPUs.
 */
final class OneBackendRig {
    static final String[] BACKENDS = {"direct", "swiotlb", "generic", "smmu-v2", "smmu-v3"};
    /** After an IOMMU's name: its domains lazy. */
    static final String LAZY = "-lazy";

    final SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
    final ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
    final BouncePool pool = new BouncePool(memory, allocator, PoolGeometry.of(4L << 20, 1));
    final DevicePlatform platform;
    final DmaBackend backend;
    final DmaApi[] apis;

    OneBackendRig(String backend, int devices) {
        Map<String, DmaApi> published = new ConcurrentHashMap<>();
        platform = new DevicePlatform(memory, allocator, (api, props) -> {
            published.put(api.device().name(), api);
            return () -> published.remove(api.device().name());
        }, CheckerSettings.DEFAULT);
        DmaBackend b = backend(backend);
        this.backend = b;
        platform.addBackend(b, Map.of(DmaBackend.NAME_PROPERTY, b.name()));
        apis = new DmaApi[devices];
        for (int i = 0; i < devices; i++) {
            String name = "dev" + i;
            platform.addDevice(DeviceDescriptor.builder(name).streamIds(0x10 + i).dmaMask(DmaMasks.bits(48)).build());
            apis[i] = published.get(name);
            if (apis[i] == null || !b.name().equals(apis[i].backendName())) {
                throw new IllegalStateException(name + " is not bound to " + backend + ": " + platform.devices());
            }
        }
    }

    private DmaBackend backend(String name) {
        boolean lazy = name.endsWith(LAZY);
        switch (lazy ? name.substring(0, name.length() - LAZY.length()) : name) {
            case "direct":
                return new DmaDirectBackend("direct", false, () -> pool);
            case "swiotlb":
                return SwiotlbBackendComponent.create(pool);
            case "generic":
                return iommuDma(new GenericIommuDriver(
                        new GenericIommuModel(GenericIommuDriver.NAME, 48, 48, 16, 256, 64, false)), lazy);
            case "smmu-v2":
                return iommuDma(new SmmuV2Driver(new SmmuV2Model(SmmuV2Params.mmu500(), memory, SmmuV2Driver.NAME),
                        memory, allocator, DriverOptions.defaults()), lazy);
            case "smmu-v3": {
                SmmuV3Driver v3 = new SmmuV3Driver(SmmuV3Driver.NAME,
                        new SmmuV3Model(SmmuV3Driver.NAME, memory, SmmuV3Features.defaults()), memory, allocator,
                        DriverConfig.defaults());
                v3.probe();
                return iommuDma(v3, lazy);
            }
            default:
                throw new IllegalArgumentException("unknown backend " + name);
        }
    }

    /** iommu-dma over {@code driver}: strict, or lazy on the platform's clock and CPUs. */
    private DmaBackend iommuDma(IommuDriver driver, boolean lazy) {
        return lazy ? IommuDmaBackend.of(driver, true, () -> pool, platform.simulation(), platform.simulation())
                : IommuDmaBackend.of(driver, false, () -> pool);
    }
}
