package org.iommulab.app.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.app.internal.scenario.Scenario;
import org.iommulab.devices.Workload;
import org.iommulab.devices.internal.DriverKind;
import org.iommulab.devices.internal.core.DeviceDriver;
import org.iommulab.devices.internal.core.DeviceModels;
import org.iommulab.devices.internal.core.ExtraDevices;
import org.iommulab.iommu.dma.internal.dma.IommuDmaBackend;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.device.DefaultDevices;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.swiotlb.internal.direct.DmaDirectBackend;
import org.iommulab.swiotlb.internal.force.SwiotlbBackendComponent;
import org.iommulab.swiotlb.internal.pool.BouncePool;
import org.iommulab.swiotlb.internal.pool.PoolGeometry;
import org.iommulab.testkit.WrappingBackend;

/**
 * The main job outside OSGi: a DevicePlatform from the platform's plain classes, backends made
 * with new (direct, swiotlb, and the generic IOMMU through iommu-dma, which merges sg lists),
 * the devices bundle's drivers created and stopped as DS would around every swap, and a
 * {@link WorkloadLookup} over them.
 */
final class AppHarness implements WorkloadLookup {
    final SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
    final ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
    final BouncePool pool = new BouncePool(memory, allocator, PoolGeometry.of(16L << 20, 1));
    final DmaDirectBackend direct = new DmaDirectBackend("direct", false, () -> pool);
    final DevicePlatform platform;
    private final Map<String, DeviceDriver> drivers = new HashMap<>();
    /** Every published DmaApi by device, with its backend (what the replay looks up). */
    private final Map<String, Map.Entry<DmaApi, Object>> apis = new java.util.concurrent.ConcurrentHashMap<>();
    private DeviceModels models;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    AppHarness() {
        platform = new DevicePlatform(memory, allocator, (api, props) -> {
            String device = (String) props.get(DmaApi.DEVICE_PROPERTY);
            Map.Entry<DmaApi, Object> published = Map.entry(api, String.valueOf(props.get(DmaApi.BACKEND_PROPERTY)));
            apis.put(device, published);
            Optional<DriverKind> kind = DriverKind.forDevice(device);
            if (kind.isEmpty()) {
                return () -> apis.remove(device, published);
            }
            DeviceDriver d = kind.get().create(api, allocator, models);
            d.start();
            drivers.put(d.name(), d);
            return () -> {
                apis.remove(device, published);
                drivers.remove(d.name(), d);
                d.stop();
            };
        });
        models = new DeviceModels(platform);
    }

    AppHarness backend(DmaBackend b) {
        platform.addBackend(b, Map.of(DmaBackend.NAME_PROPERTY, b.name()));
        return this;
    }

    AppHarness directAndSwiotlb() {
        return backend(direct).backend(SwiotlbBackendComponent.create(pool));
    }

    /** The generic IOMMU behind iommu-dma, strict: the backend that merges. */
    AppHarness generic() {
        GenericIommuModel hw = new GenericIommuModel(GenericIommuDriver.NAME, 48, 48, 16, 256, 64, false);
        return backend(IommuDmaBackend.of(new GenericIommuDriver(hw), false, () -> pool, platform.simulation(),
                platform.simulation()));
    }

    /** The generic IOMMU behind iommu-dma, lazy (a flush queue on the simulated clock), named generic-lazy. */
    AppHarness genericLazy() {
        GenericIommuModel hw = new GenericIommuModel("generic-lazy", 48, 48, 16, 256, 64, false);
        return backend(new WrappingBackend("generic-lazy", IommuDmaBackend.of(new GenericIommuDriver(hw), true, () -> pool,
                platform.simulation(), platform.simulation()), (dev, binding) -> binding));
    }

    AppHarness allDevices() {
        for (DeviceDescriptor d : DefaultDevices.all()) {
            platform.addDevice(d);
        }
        ExtraDevices.addMissing(platform);
        return this;
    }

    int run(Scenario s) {
        return new BatchJob(platform, this, platform.simulation(), out).run(s);
    }

    int run(org.iommulab.app.internal.scenario.Sweep s, RunOptions options) {
        return run(s, options, BackendConfig.NONE);
    }

    int run(org.iommulab.app.internal.scenario.Sweep s, RunOptions options, BackendConfig config) {
        return new BatchJob(platform, this, platform.simulation(), out, out, config).run(s, options);
    }

    /** The DmaApi of {@code device} on {@code backend}, as the replay's service lookup finds it; null when none. */
    DmaApi dmaApi(String device, String backend) {
        Map.Entry<DmaApi, Object> e = apis.get(device);
        return e != null && e.getValue().equals(backend) ? e.getKey() : null;
    }

    /** Runs {@code s} with its rows handed to {@code rows} too. */
    int run(Scenario s, java.util.function.Consumer<java.util.List<org.iommulab.app.internal.report.ResultRow>> rows) {
        return new BatchJob(platform, this, platform.simulation(), out).onRows(rows).run(s);
    }

    /** Runs {@code s} with its rows handed to {@code rows} and each group's end to {@code groupEnd}. */
    int run(Scenario s, java.util.function.Consumer<java.util.List<org.iommulab.app.internal.report.ResultRow>> rows,
            java.util.function.BiConsumer<String, String> groupEnd) {
        return new BatchJob(platform, this, platform.simulation(), out).onRows(rows).onGroupEnd(groupEnd).run(s);
    }

    String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public Map<String, Workload> present() {
        return new TreeMap<>(drivers);
    }

    @Override
    public Workload await(String name, String backend) {
        DeviceDriver d = drivers.get(name);
        return d != null && d.backendName().equals(backend) ? d : null;
    }
}
