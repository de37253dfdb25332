package org.iommulab.platform.internal.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.junit.jupiter.api.Test;

class DefaultDevicesTest {
    @Test
    void theFourDefaultDevicesAreWhatTheDocumentationSays() {
        List<DeviceDescriptor> all = DefaultDevices.all();
        Map<String, DeviceDescriptor> byName = all.stream().collect(Collectors.toMap(DeviceDescriptor::name, Function.identity()));
        assertEquals(List.of("nic0", "disk0", "cam0", "ext0"), all.stream().map(DeviceDescriptor::name).collect(Collectors.toList()));

        DeviceDescriptor nic = byName.get("nic0");
        assertEquals(0x10, nic.primaryStreamId());
        assertEquals(DmaMasks.bits(64), nic.dmaMask());
        assertTrue(nic.coherent() && nic.trusted() && !nic.pci());

        DeviceDescriptor disk = byName.get("disk0");
        assertEquals(0x20, disk.primaryStreamId());
        assertEquals(DmaMasks.bits(32), disk.dmaMask());
        assertTrue(disk.pci());
        assertEquals(0xfff, disk.minAlignMask());

        DeviceDescriptor cam = byName.get("cam0");
        assertEquals(0x30, cam.primaryStreamId());
        assertEquals(DmaMasks.bits(64), cam.dmaMask());
        assertFalse(cam.coherent());

        DeviceDescriptor ext = byName.get("ext0");
        assertEquals(0x40, ext.primaryStreamId());
        assertEquals(DmaMasks.bits(64), ext.dmaMask());
        assertTrue(ext.pci());
        assertFalse(ext.trusted());
    }
}
