package org.iommulab.replay.internal.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.replay.internal.fake.FakeBackend;
import org.iommulab.replay.internal.fake.FakePlatform;
import org.junit.jupiter.api.Test;

class ReplayDevicesTest {
    private final FakePlatform platform = new FakePlatform(FakeBackend.DIRECT);

    @Test
    void devicesAreAddedOnFirstSightWithDeterministicStreamIds() {
        ReplayDevices devices = new ReplayDevices(platform, new DeviceConfig());
        ReplayDevice nic = devices.device("0000:01:00.0");
        ReplayDevice usb = devices.device("ffd00000.usb");
        ReplayDevice mmc = devices.device("fe300000.mmc");
        assertSame(nic, devices.device("0000:01:00.0"));
        assertTrue(nic.added());
        assertEquals(0x100, nic.descriptor().primaryStreamId(), "PCI requester ID 01:00.0");
        assertTrue(nic.descriptor().pci());
        assertEquals(0x101, usb.descriptor().primaryStreamId(), "base + order of appearance");
        assertEquals(0x102, mmc.descriptor().primaryStreamId());
        assertEquals(3, platform.devices().size());
        assertEquals(3, devices.removeAdded());
        assertTrue(platform.devices().isEmpty());
    }

    @Test
    void takenNamesAndStreamIdsMoveAside() {
        platform.addDevice(DeviceDescriptor.builder("ffd00000.usb").streamIds(0x100).build());
        ReplayDevices devices = new ReplayDevices(platform, new DeviceConfig());
        ReplayDevice usb = devices.device("ffd00000.usb");
        assertEquals("ffd00000.usb-replay", usb.simName());
        assertEquals(0x101, usb.descriptor().primaryStreamId());
        devices.removeAdded();
        assertNotNull(platform.device("ffd00000.usb"), "only what the replay added is removed");
    }

    @Test
    void anExplicitNameReusesAnExistingDevice() {
        platform.addDevice(DeviceDescriptor.builder("nic0").streamIds(0x10).build());
        ReplayDevices devices = new ReplayDevices(platform, new DeviceConfig().set("device.0000:01:00.0.name=nic0"));
        ReplayDevice d = devices.device("0000:01:00.0");
        assertEquals("nic0", d.simName());
        assertFalse(d.added());
        assertEquals(0, devices.removeAdded());
    }

    @Test
    void badSettingsMakeTheDeviceUnavailableNotTheReplay() {
        ReplayDevices devices = new ReplayDevices(platform, new DeviceConfig().set("device.x.boundary=0xff"));
        ReplayDevice d = devices.device("x");
        assertFalse(d.usable());
        assertTrue(d.error().contains("segment boundary"), d.error());
        assertTrue(platform.devices().isEmpty());
    }
}
