package org.iommulab.platform.internal.core;

import static org.iommulab.platform.internal.testing.TestPlatforms.device;
import static org.iommulab.platform.internal.testing.TestPlatforms.platform;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iommulab.api.admin.MappingListener;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.Zone;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.RecordingBackend;
import org.junit.jupiter.api.Test;

/** The whiteboard of {@link MappingListener}s: every mapping that goes live or ends, with its device, backend and time. */
class MappingListenersTest {
    private final FakeDrivers drivers = new FakeDrivers();
    private final DevicePlatform platform = platform(drivers);
    /** Maps phys to phys + 2^40: the address the listener must hear is the page's plus that offset. */
    private final RecordingBackend offset = new RecordingBackend("offset", 1L << 40);
    private final List<String> heard = new CopyOnWriteArrayList<>();

    @Test
    void aMapAndItsUnmapAreToldWithTheDeviceAddressAndTheSimulatedTime() {
        platform.addBackend(offset, props(offset, 1));
        platform.addDevice(device("nic0", 1));
        MappingListener l = (dev, backend, live, dma, size, t) -> heard.add(dev + " " + backend + " " + live + " 0x"
                + Long.toHexString(dma) + " " + size + " " + t);
        platform.addMappingListener(l);
        platform.addMappingListener(l);
        DmaApi api = drivers.api("nic0");
        long page = platform.allocator().allocPages(1, Zone.NORMAL);

        long dma = api.mapPhys(page, 4096, DmaDirection.TO_DEVICE, 0);
        long mappedAt = platform.simulation().nanos();
        api.unmapPhys(dma, 4096, DmaDirection.TO_DEVICE, 0);

        assertEquals(page + (1L << 40), dma);
        assertEquals(2, heard.size(), "one listener added twice is told once: " + heard);
        assertEquals("nic0 offset true 0x" + Long.toHexString(dma) + " 4096 " + mappedAt, heard.get(0));
        assertTrue(heard.get(1).startsWith("nic0 offset false 0x" + Long.toHexString(dma) + " 4096 "), heard.get(1));

        platform.removeMappingListener(l);
        api.unmapPhys(api.mapPhys(page, 4096, DmaDirection.TO_DEVICE, 0), 4096, DmaDirection.TO_DEVICE, 0);
        assertEquals(2, heard.size(), "a removed listener hears nothing");
    }

    @Test
    void aListenerThatThrowsChangesNothingForTheCallOrTheOthers() {
        platform.addBackend(offset, props(offset, 1));
        platform.addDevice(device("nic0", 1));
        platform.addMappingListener((dev, backend, live, dma, size, t) -> {
            throw new IllegalStateException("broken listener");
        });
        platform.addMappingListener((dev, backend, live, dma, size, t) -> heard.add(live + " " + size));
        DmaApi api = drivers.api("nic0");
        long page = platform.allocator().allocPages(1, Zone.NORMAL);
        api.unmapPhys(api.mapPhys(page, 512, DmaDirection.FROM_DEVICE, 0), 512, DmaDirection.FROM_DEVICE, 0);
        assertEquals(List.of("true 512", "false 512"), heard);
        assertTrue(platform.log("nic0").stream().anyMatch(s -> s.contains("broken listener")), platform.log("nic0").toString());
    }
}
