package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.swiotlb.internal.direct.DmaDirectBackend;
import org.iommulab.swiotlb.internal.force.SwiotlbBackendComponent;
import org.iommulab.swiotlb.internal.pool.BouncePool;
import org.iommulab.swiotlb.internal.pool.PoolGeometry;
import org.junit.jupiter.api.Test;

class BatchJobTest {
    private final SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
    private final ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
    private final Map<String, DmaApi> published = new HashMap<>();
    private final DevicePlatform platform = new DevicePlatform(memory, allocator, (api, props) -> {
        String key = props.get(DmaApi.DEVICE_PROPERTY) + "@" + props.get(DmaApi.BACKEND_PROPERTY);
        published.put(key, api);
        return () -> published.remove(key);
    });
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private int runJob() {
        return new BatchJob(platform, (d, b) -> published.get(d + "@" + b), out).run();
    }

    @Test
    void everyBackendAndDeviceGetsARowAndTheJobSucceeds() {
        BouncePool pool = new BouncePool(memory, allocator, PoolGeometry.of(16L << 20, 1));
        platform.addBackend(new DmaDirectBackend("direct", false, () -> pool), Map.of(DmaBackend.NAME_PROPERTY, "direct"));
        platform.addBackend(SwiotlbBackendComponent.create(pool), Map.of(DmaBackend.NAME_PROPERTY, "swiotlb"));
        platform.addDevice(DeviceDescriptor.builder("nic0").dmaMask(DmaMasks.bits(64)).build());
        platform.addDevice(DeviceDescriptor.builder("disk0").streamIds(2).dmaMask(DmaMasks.bits(32)).build());
        assertEquals(0, runJob(), bytes.toString(StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        for (String b : new String[] {"direct", "swiotlb"}) {
            for (String d : new String[] {"nic0", "disk0"}) {
                assertTrue(text.lines().anyMatch(l -> l.startsWith(b) && l.contains(d) && l.endsWith("ok")),
                        "row " + b + "/" + d + " in\n" + text);
            }
        }
        assertTrue(text.contains("all transfers intact"));
    }

    @Test
    void aRefusingBackendIsShownAsRefusedNotAsAFailure() {
        BouncePool pool = new BouncePool(memory, allocator, PoolGeometry.of(16L << 20, 1));
        platform.addBackend(new DmaDirectBackend("direct", false, () -> pool), Map.of(DmaBackend.NAME_PROPERTY, "direct"));
        platform.addBackend(new DmaBackend() {
            @Override
            public String name() {
                return "picky";
            }

            @Override
            public boolean accepts(DmaDevice device) {
                return false;
            }

            @Override
            public DeviceBinding attach(DmaDevice device) throws BackendException {
                throw new BackendException("picky takes no device");
            }
        }, Map.of(DmaBackend.NAME_PROPERTY, "picky"));
        platform.addDevice(DeviceDescriptor.builder("nic0").dmaMask(DmaMasks.bits(64)).build());
        assertEquals(0, runJob());
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("picky") && l.contains("refused")), text);
    }

    @Test
    void noBackendMeansNothingToRunAndAFailure() {
        platform.addDevice(DeviceDescriptor.builder("nic0").build());
        assertEquals(1, runJob());
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("nothing to run"));
    }
}
