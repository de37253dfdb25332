package org.iommulab.devices.internal.testing;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.devices.internal.DriverKind;
import org.iommulab.devices.internal.core.DeviceDriver;
import org.iommulab.devices.internal.core.DeviceModels;
import org.iommulab.devices.internal.core.ExtraDevices;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.device.DefaultDevices;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.swiotlb.internal.direct.DmaDirectBackend;
import org.iommulab.swiotlb.internal.force.SwiotlbBackendComponent;
import org.iommulab.swiotlb.internal.pool.BouncePool;
import org.iommulab.swiotlb.internal.pool.PoolGeometry;

/**
 * The devices bundle without OSGi: a DevicePlatform from the platform's plain classes, the
 * direct and swiotlb backends, and the drivers created and removed as DS would create and
 * remove the components: when a device's DmaApi is published, its driver kind (if any) probes a
 * driver on it; when the DmaApi is withdrawn (a swap), the driver is stopped.
 */
public final class DriverHarness {
    public final SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
    public final ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
    public final BouncePool pool = new BouncePool(memory, allocator, PoolGeometry.of(16L << 20, 1));
    public final DmaDirectBackend direct = new DmaDirectBackend("direct", false, () -> pool);
    // Concurrent: drivers are stopped on the platform's release threads while tests look them up.
    private final Map<String, DeviceDriver> drivers = new ConcurrentHashMap<>();
    private final Map<String, DmaApi> apis = new ConcurrentHashMap<>();
    public final DevicePlatform platform;
    public final DeviceModels models;

    public DriverHarness() {
        platform = new DevicePlatform(memory, allocator, (api, props) -> {
            String device = (String) props.get(DmaApi.DEVICE_PROPERTY);
            apis.put(device, api);
            Optional<DriverKind> kind = DriverKind.forDevice(device);
            if (kind.isEmpty()) {
                return () -> apis.remove(device, api);
            }
            DeviceDriver d = kind.get().create(api, allocator, modelsOrFail());
            d.start();
            drivers.put(d.name(), d);
            return () -> {
                drivers.remove(d.name(), d);
                d.stop();
                apis.remove(device, api);
            };
        });
        models = new DeviceModels(platform);
    }

    private DeviceModels modelsOrFail() {
        if (models == null) {
            throw new IllegalStateException("devices added before the harness was built");
        }
        return models;
    }

    /** Adds the direct and swiotlb backends. */
    public DriverHarness withStandardBackends() {
        backend(direct);
        backend(SwiotlbBackendComponent.create(pool));
        return this;
    }

    /** Adds a backend under its own name. */
    public DriverHarness backend(DmaBackend b) {
        platform.addBackend(b, Map.of(DmaBackend.NAME_PROPERTY, b.name()));
        return this;
    }

    /** Adds the platform's default devices and this bundle's extra ones. */
    public DriverHarness withAllDevices() {
        for (DeviceDescriptor d : DefaultDevices.all()) {
            platform.addDevice(d);
        }
        ExtraDevices.addMissing(platform);
        return this;
    }

    /** The workload registered now under {@code name}, or null. */
    public Workload workload(String name) {
        return drivers.get(name);
    }

    /** The DmaApi published now for {@code device}, or null. */
    public DmaApi api(String device) {
        return apis.get(device);
    }

    /** Binds the workload's device to {@code backend} and runs it. */
    public WorkloadReport run(DriverKind kind, String backend, WorkloadParams params) {
        platform.bind(kind.device(), backend);
        Workload w = drivers.get(kind.workload());
        if (w == null) {
            throw new AssertionError("no " + kind.workload() + " driver on " + backend);
        }
        return w.run(params);
    }

    /** A platform counter of {@code device} on the backend it is bound to now. */
    public long stat(String device, Stat s) {
        return platform.stats(device).get(s);
    }
}
