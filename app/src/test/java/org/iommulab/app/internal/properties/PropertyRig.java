package org.iommulab.app.internal.properties;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.iommu.dma.internal.dma.IommuDmaBackend;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
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
 * A platform built with {@code new} from the bundles' plain classes, with every real backend:
 * direct and swiotlb (swiotlb-bounce), and the generic IOMMU, SMMUv2 and SMMUv3 behind
 * iommu-dma (strict, with the pool for untrusted devices' bounces). The one device's driver is
 * the caller's: {@code bound} runs when its DmaApi is published, {@code released} when it is
 * withdrawn (the driver must have released everything when that returns, as a DS component with
 * a static reference does). Fresh for every try, so that a try depends on its sequence alone.
 */
final class PropertyRig {
    /** Every backend, in the order a {@code Swap} op's index picks them. */
    static final List<String> BACKENDS = List.of("direct", "swiotlb", "generic", "smmu-v2", "smmu-v3");
    /** The backends that isolate devices: IOMMUs, where an unmapped IOVA faults. */
    static final List<String> IOMMUS = List.of("generic", "smmu-v2", "smmu-v3");

    final SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
    final ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
    final BouncePool pool = new BouncePool(memory, allocator, PoolGeometry.of(4L << 20, 1));
    final DevicePlatform platform;

    PropertyRig(Consumer<DmaApi> bound, Consumer<DmaApi> released) {
        platform = new DevicePlatform(memory, allocator, (api, props) -> {
            bound.accept(api);
            return () -> released.accept(api);
        });
        add(new DmaDirectBackend("direct", false, () -> pool));
        add(SwiotlbBackendComponent.create(pool));
        add(IommuDmaBackend.of(new GenericIommuDriver(new GenericIommuModel(GenericIommuDriver.NAME, 48, 48, 16, 256, 64, false)),
                false, () -> pool));
        add(IommuDmaBackend.of(new SmmuV2Driver(new SmmuV2Model(SmmuV2Params.mmu500(), memory, SmmuV2Driver.NAME), memory,
                allocator, DriverOptions.defaults()), false, () -> pool));
        SmmuV3Driver v3 = new SmmuV3Driver(SmmuV3Driver.NAME, new SmmuV3Model(SmmuV3Driver.NAME, memory, SmmuV3Features.defaults()),
                memory, allocator, DriverConfig.defaults());
        v3.probe();
        add(IommuDmaBackend.of(v3, false, () -> pool));
    }

    private void add(DmaBackend b) {
        platform.addBackend(b, Map.of(DmaBackend.NAME_PROPERTY, b.name()));
    }
}
