package org.iommulab.platform.internal.bus;

import static org.iommulab.platform.internal.testing.TestPlatforms.platform;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.RecordingBackend;
import org.junit.jupiter.api.Test;

/** {@code PlatformAdmin.count}: one counter, the same value {@code stats(device).get(stat)} gives. */
class PlatformCountTest {
    private static final long BUS = 0x10_0000L;

    private final DevicePlatform platform = platform(new FakeDrivers());
    private final RecordingBackend backend = new RecordingBackend("fake", 0);

    @Test
    void aCountIsTheSnapshotsValueForEveryStat() {
        platform.addBackend(backend, props(backend, 0));
        platform.addDevice(DeviceDescriptor.builder("dev0").streamIds(5).dmaMask(~0L).build());
        long phys = platform.allocator().allocPages(1, Zone.NORMAL);
        backend.pageMap.put(BUS >>> 12, phys >>> 12);
        BusMaster bus = platform.busMaster("dev0");

        bus.write(BUS + 8, new byte[100], 0, 100);
        bus.read(BUS, new byte[30], 0, 30);

        // The device wrote 100 bytes and read 30: the counts say so, before any snapshot.
        assertEquals(100, platform.count("dev0", Stat.DEVICE_WRITE_BYTES));
        assertEquals(30, platform.count("dev0", Stat.DEVICE_READ_BYTES));
        for (Stat s : Stat.values()) {
            assertEquals(platform.stats("dev0").get(s), platform.count("dev0", s), s.name());
        }
    }

    @Test
    void badArgumentsAreRefusedAsStatsRefusesThem() {
        platform.addBackend(backend, props(backend, 0));
        platform.addDevice(DeviceDescriptor.builder("dev0").streamIds(5).dmaMask(~0L).build());
        assertThrows(IllegalArgumentException.class, () -> platform.count("dev0", null));
        Class<? extends Throwable> unknown = assertThrows(RuntimeException.class, () -> platform.stats("nope")).getClass();
        assertEquals(unknown, assertThrows(RuntimeException.class, () -> platform.count("nope", Stat.FAULTS)).getClass());
    }
}
