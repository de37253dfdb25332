package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
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
import org.junit.jupiter.api.Test;

/**
 * Several devices on one backend at once, each driver on its own thread, as in a running
 * container (the main job runs one workload at a time; the soak found what this checks): no run
 * sees a byte wrong or a fault. An IOMMU driver is called for different domains from different
 * threads at once and must serialize what it programs into shared hardware (command registers,
 * queues) itself, as Linux's drivers hold a lock over a command sequence.
 */
class ConcurrentDevicesTest {
    private static final List<String> WORKLOADS = List.of("loopback", "mmc", "nvme", "nic");
    private static final int RUNS = 100;

    private final SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
    private final ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
    private final BouncePool pool = new BouncePool(memory, allocator, PoolGeometry.of(16L << 20, 1));
    private final Map<String, DeviceDriver> drivers = new ConcurrentHashMap<>();
    private DeviceModels models;

    @Test
    void onDirect() throws Exception {
        runConcurrently(new DmaDirectBackend("direct", false, () -> pool));
    }

    @Test
    void onSwiotlb() throws Exception {
        runConcurrently(SwiotlbBackendComponent.create(pool));
    }

    @Test
    void onSmmuV2() throws Exception {
        runConcurrently(IommuDmaBackend.of(new SmmuV2Driver(new SmmuV2Model(SmmuV2Params.mmu500(), memory, SmmuV2Driver.NAME), memory,
                allocator, DriverOptions.defaults()), false, () -> pool));
    }

    @Test
    void onSmmuV3() throws Exception {
        SmmuV3Driver v3 = new SmmuV3Driver(SmmuV3Driver.NAME, new SmmuV3Model(SmmuV3Driver.NAME, memory, SmmuV3Features.defaults()),
                memory, allocator, DriverConfig.defaults());
        v3.probe();
        runConcurrently(IommuDmaBackend.of(v3, false, () -> pool));
    }

    /**
     * GenericIommuDriver issues a range invalidation as CMD_ADDR, CMD_SIZE, then CMD, each a
     * register write of its own: without the driver's monitor held across the sequence, two
     * devices invalidating at once interleave the writes, one device's range stays in the IOTLB,
     * and its stale entries write into pages the allocator has given to another buffer. This
     * failed before the driver serialized its command sequences.
     */
    @Test
    void onGeneric() throws Exception {
        runConcurrently(IommuDmaBackend.of(
                new GenericIommuDriver(new GenericIommuModel(GenericIommuDriver.NAME, 48, 48, 16, 256, 64, false)), false, () -> pool),
                4 * RUNS); // the race shows in about one run in 300
    }

    private void runConcurrently(DmaBackend backend) throws Exception {
        runConcurrently(backend, RUNS);
    }

    private void runConcurrently(DmaBackend backend, int runs) throws Exception {
        DevicePlatform platform = new DevicePlatform(memory, allocator, (api, props) -> {
            Optional<DriverKind> kind = DriverKind.forDevice((String) props.get(DmaApi.DEVICE_PROPERTY));
            if (kind.isEmpty()) {
                return () -> { };
            }
            DeviceDriver d = kind.get().create(api, allocator, models);
            d.start();
            drivers.put(d.name(), d);
            return () -> {
                drivers.remove(d.name(), d);
                d.stop();
            };
        });
        models = new DeviceModels(platform);
        platform.addBackend(backend, Map.of(DmaBackend.NAME_PROPERTY, backend.name()));
        for (DeviceDescriptor d : DefaultDevices.all()) {
            platform.addDevice(d);
        }
        ExtraDevices.addMissing(platform);
        ExecutorService threads = Executors.newFixedThreadPool(WORKLOADS.size());
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (String name : WORKLOADS) {
                DeviceDriver w = drivers.get(name);
                assertEquals(backend.name(), w.backendName());
                results.add(threads.submit(() -> {
                    List<String> bad = new ArrayList<>();
                    for (int i = 0; i < runs; i++) {
                        WorkloadReport r = w.run(new WorkloadParams(2, 0, i));
                        if (r.dataErrors() > 0 || r.faults() > 0) {
                            bad.add(r.toString());
                        }
                    }
                    return bad;
                }));
            }
            List<String> bad = new ArrayList<>();
            for (Future<List<String>> f : results) {
                bad.addAll(f.get(120, TimeUnit.SECONDS));
            }
            assertTrue(bad.isEmpty(), bad.size() + " of " + runs * WORKLOADS.size() + " runs on " + backend.name() + " went wrong: " + bad);
        } finally {
            threads.shutdownNow();
        }
    }
}
