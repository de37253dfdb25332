package org.iommulab.app.internal.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.swiotlb.internal.direct.DmaDirectBackend;
import org.iommulab.swiotlb.internal.force.SwiotlbBackendComponent;
import org.iommulab.swiotlb.internal.pool.BouncePool;
import org.iommulab.swiotlb.internal.pool.PoolGeometry;
import org.junit.jupiter.api.Test;

/** The loopback workload on real backends, and its data check catching a backend that corrupts. */
class LoopbackWorkloadTest {
    private final SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
    private final ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
    private final Map<String, DmaApi> published = new HashMap<>();
    private final DevicePlatform platform = new DevicePlatform(memory, allocator, (api, props) -> {
        String key = props.get(DmaApi.DEVICE_PROPERTY) + "@" + props.get(DmaApi.BACKEND_PROPERTY);
        published.put(key, api);
        return () -> published.remove(key);
    });

    private WorkloadResult run(String backend, DeviceDescriptor device) {
        platform.addDevice(device);
        platform.bind(device.name(), backend);
        DmaApi api = published.get(device.name() + "@" + backend);
        assertNotNull(api, "no DmaApi published for " + device.name() + " on " + backend);
        return new LoopbackWorkload(api, platform.busMaster(device.name()), allocator).run(8, 42);
    }

    @Test
    void everyByteArrivesThroughDirectAndSwiotlb() {
        BouncePool pool = new BouncePool(memory, allocator, PoolGeometry.of(16L << 20, 1));
        platform.addBackend(new DmaDirectBackend("direct", false, () -> pool), Map.of(DmaBackend.NAME_PROPERTY, "direct"));
        platform.addBackend(SwiotlbBackendComponent.create(pool), Map.of(DmaBackend.NAME_PROPERTY, "swiotlb"));
        for (String backend : new String[] {"direct", "swiotlb"}) {
            // A 32-bit device: buffers above 4 GiB bounce even on direct.
            WorkloadResult r = run(backend, DeviceDescriptor.builder("d-" + backend).dmaMask(DmaMasks.bits(32)).build());
            assertEquals(null, r.firstError(), backend);
            assertEquals(0, r.dataErrors());
            assertEquals(0, r.faults());
            assertEquals(0, r.mapFailures());
            assertEquals(8, r.sgLists());
            assertEquals(8 * 2 + r.sgSegments(), r.transfers(), "a single copy and a coherent buffer per round, a copy per DMA segment");
            assertTrue(r.bytes() > 0);
            assertTrue(r.segmentsPerSgList() >= 2, "no merging without an IOMMU");
            assertEquals(r.entriesPerSgList(), r.segmentsPerSgList(), 1e-9);
        }
    }

    @Test
    void aBackendThatMisplacesDeviceWritesIsCaughtByTheDataCheck() {
        BouncePool pool = new BouncePool(memory, allocator, PoolGeometry.of(16L << 20, 1));
        DmaDirectBackend direct = new DmaDirectBackend("direct", false, () -> pool);
        // Device writes land one byte further than mapped; reads are faithful.
        DmaBackend skewed = new DmaBackend() {
            @Override
            public String name() {
                return "skewed";
            }

            @Override
            public boolean accepts(DmaDevice device) {
                return true;
            }

            @Override
            public DeviceBinding attach(DmaDevice device) {
                DeviceBinding real = direct.attach(device);
                TranslationPort port = new TranslationPort() {
                    @Override
                    public long translate(int sid, long bus, AccessType access) {
                        long phys = real.port().translate(sid, bus, access);
                        return access == AccessType.WRITE ? phys + 1 : phys;
                    }

                    @Override
                    public int pageShift() {
                        return 0;
                    }
                };
                return new DeviceBinding() {
                    @Override
                    public DmaOps ops() {
                        return real.ops();
                    }

                    @Override
                    public TranslationPort port() {
                        return port;
                    }

                    @Override
                    public long counter(BackendCounter c) {
                        return real.counter(c);
                    }

                    @Override
                    public void detach() {
                        real.detach();
                    }
                };
            }
        };
        platform.addBackend(skewed, Map.of(DmaBackend.NAME_PROPERTY, "skewed"));
        WorkloadResult r = run("skewed", DeviceDescriptor.builder("victim").dmaMask(DmaMasks.bits(64)).build());
        assertTrue(r.dataErrors() > 0, "corrupted transfers went unnoticed");
        assertNotNull(r.firstError());
        assertEquals(0, r.faults());
    }
}
