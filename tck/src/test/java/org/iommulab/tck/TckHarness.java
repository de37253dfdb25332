package org.iommulab.tck;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iommu.dma.internal.dma.IommuDmaBackend;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.swiotlb.internal.direct.DmaDirectBackend;
import org.iommulab.swiotlb.internal.force.SwiotlbBackendComponent;
import org.iommulab.swiotlb.internal.pool.BouncePool;
import org.iommulab.swiotlb.internal.pool.PoolGeometry;
import org.iommulab.tck.internal.Environment;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/**
 * The kit on a platform made of plain classes, no framework: memory, allocator, the swiotlb pool,
 * the {@code direct} and {@code swiotlb} backends and the generic IOMMU behind iommu-dma (or a
 * driver a test wraps to break it), the DMA APIs the platform publishes kept in a map.
 */
final class TckHarness implements Environment {
    final PhysicalMemory memory;
    final ZonedPageAllocator allocator;
    final BouncePool pool;
    final DevicePlatform platform;
    private final Map<String, DmaApi> apis = new ConcurrentHashMap<>();
    private final Map<String, DmaBackend> backends = new LinkedHashMap<>();
    private final Map<String, IommuDriver> drivers = new HashMap<>();
    private final Map<String, Map<String, Object>> properties = new HashMap<>();

    TckHarness() {
        this(SparsePhysicalMemory.defaultLayout());
    }

    TckHarness(PhysicalMemory memory) {
        this.memory = memory;
        this.allocator = new ZonedPageAllocator(memory);
        this.pool = new BouncePool(memory, allocator, PoolGeometry.of(16L << 20, 1));
        this.platform = new DevicePlatform(memory, allocator, (api, props) -> {
            String key = props.get(DmaApi.DEVICE_PROPERTY) + "|" + props.get(DmaApi.BACKEND_PROPERTY);
            apis.put(key, api);
            return () -> apis.remove(key, api);
        });
    }

    /** direct (ranking 0) and swiotlb (10), neither isolating. */
    TckHarness directAndSwiotlb() {
        backend(new DmaDirectBackend("direct", false, () -> pool), false, 0);
        return backend(SwiotlbBackendComponent.create(pool), false, 10);
    }

    /** The generic IOMMU behind strict iommu-dma, ranking 100, its driver changed by {@code wrap}. */
    TckHarness generic(UnaryOperator<IommuDriver> wrap) {
        GenericIommuModel hw = new GenericIommuModel(GenericIommuDriver.NAME, 48, 48, 16, 256, 64, false);
        IommuDriver d = wrap.apply(new GenericIommuDriver(hw));
        drivers.put(d.name(), d);
        return backend(IommuDmaBackend.of(d, false, () -> pool), true, 100);
    }

    TckHarness generic() {
        return generic(UnaryOperator.identity());
    }

    private TckHarness backend(DmaBackend b, boolean isolating, int ranking) {
        Map<String, Object> p = new HashMap<>();
        p.put(DmaBackend.NAME_PROPERTY, b.name());
        p.put(DmaBackend.ISOLATION_PROPERTY, isolating);
        p.put(Constants.SERVICE_RANKING, ranking);
        backends.put(b.name(), b);
        properties.put(b.name(), p);
        platform.addBackend(b, p);
        return this;
    }

    Tck tck() {
        return new Tck(this);
    }

    @Override
    public PlatformAdmin admin() {
        return platform;
    }

    @Override
    public Map<String, Object> backendProperties(String name) {
        return properties.get(name);
    }

    @Override
    public DmaBackend dmaBackend(String name) {
        return backends.get(name);
    }

    @Override
    public IommuDriver iommuDriver(String name) {
        return drivers.get(name);
    }

    @Override
    public DmaApi awaitDmaApi(String device, String backend, long millis) {
        return apis.get(device + "|" + backend);
    }

    @Override
    public BundleContext context() {
        return null;
    }

    @Override
    public Bundle provider(String backend) {
        return null;
    }
}
