package org.iommulab.bench;

import java.util.Map;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.iommu.dma.internal.dma.IommuDmaBackend;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.smmu.v3.internal.driver.DriverConfig;
import org.iommulab.smmu.v3.internal.driver.SmmuV3Driver;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.iommulab.smmu.v3.internal.model.SmmuV3Model;

/**
 * A whole {@link DevicePlatform} with devices on one IOMMU backend (strict invalidation),
 * reached through each device's published DmaApi: what a driver calls. Shared by
 * {@link HotPathBenchmark} and {@link LiveMappingFootprint}.
 */
final class HotPathRig {
    static final int PAGE = (int) PageAllocator.PAGE_SIZE;

    final SparsePhysicalMemory memory;
    final ZonedPageAllocator allocator;
    final DevicePlatform platform;
    final DmaApi[] apis;

    /** {@code devices} devices (stream IDs 0x10, 0x11, ...) on backend {@code name}. */
    HotPathRig(String name, int devices, CheckerSettings checker) {
        memory = SparsePhysicalMemory.defaultLayout();
        allocator = new ZonedPageAllocator(memory);
        Map<String, DmaApi> published = new java.util.concurrent.ConcurrentHashMap<>();
        platform = new DevicePlatform(memory, allocator, (api, props) -> {
            published.put(api.device().name(), api);
            return () -> { };
        }, checker);
        DmaBackend b = backend(name, memory, allocator);
        platform.addBackend(b, Map.of(DmaBackend.NAME_PROPERTY, name));
        apis = new DmaApi[devices];
        for (int i = 0; i < devices; i++) {
            String dev = "hot" + i;
            platform.addDevice(DeviceDescriptor.builder(dev).streamIds(0x10 + i).dmaMask(DmaMasks.bits(48)).build());
            apis[i] = published.get(dev);
            if (apis[i] == null || !name.equals(apis[i].backendName())) {
                throw new IllegalStateException(dev + " is not bound to " + name + ": " + platform.devices());
            }
        }
    }

    long page() {
        return allocator.allocPages(1, Zone.NORMAL);
    }

    static long mapUnmap(DmaApi api, long phys) {
        long dma = api.mapPhys(phys, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        if (api.mappingError(dma)) {
            throw new IllegalStateException("mapping failed");
        }
        api.unmapPhys(dma, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        return dma;
    }

    static DmaBackend backend(String name, SparsePhysicalMemory mem, ZonedPageAllocator alloc) {
        IommuDriver driver;
        switch (name) {
            case "generic":
                driver = new GenericIommuDriver(new GenericIommuModel("generic", 48, 48, 16, 256, 64, false));
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
}
