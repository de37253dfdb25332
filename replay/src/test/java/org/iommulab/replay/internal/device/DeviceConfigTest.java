package org.iommulab.replay.internal.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;

import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.junit.jupiter.api.Test;

class DeviceConfigTest {
    @Test
    void builtInDefaults() {
        DeviceSettings s = new DeviceConfig().settings("ffd00000.usb");
        assertEquals(DmaMasks.bits(64), s.mask());
        assertEquals(DeviceDescriptor.DEFAULT_MAX_SEGMENT_SIZE, s.maxSegment());
        assertEquals(DeviceDescriptor.DEFAULT_SEGMENT_BOUNDARY, s.boundary());
        assertTrue(s.coherent());
        assertTrue(s.trusted());
        assertFalse(s.pci());
        assertNull(s.streamIds());
        assertTrue(new DeviceConfig().settings("0000:01:00.0").pci());
    }

    @Test
    void fileWithPciNamesNeedsNoEscaping() throws IOException {
        String file = "# replay devices\n"
                + "default.mask = 32\n"
                + "default.coherent = false   # a non-coherent SoC\n"
                + "device.0000:01:00.0.mask = 64\n"
                + "device.0000:01:00.0.maxseg = 0xffffffff\n"
                + "device.ffd00000.usb.sid = 0x7, 0x8\n"
                + "device.ffd00000.usb.name = usb0\n"
                + "device.ffd00000.usb.maxseg = 128K\n"
                + "device.ffd00000.usb.trusted = no\n"
                + "streamid.base = 0x40\n";
        DeviceConfig c = new DeviceConfig().read(new StringReader(file), "devices.conf");
        DeviceSettings nic = c.settings("0000:01:00.0");
        assertEquals(DmaMasks.bits(64), nic.mask());
        assertEquals(0xffffffffL, nic.maxSegment());
        assertFalse(nic.coherent(), "default.* applies where the device sets nothing");
        DeviceSettings usb = c.settings("ffd00000.usb");
        assertEquals(DmaMasks.bits(32), usb.mask());
        assertArrayEquals(new int[] {7, 8}, usb.streamIds());
        assertEquals("usb0", usb.name());
        assertEquals(128 * 1024, usb.maxSegment());
        assertFalse(usb.trusted());
        assertTrue(c.hasExplicitName("ffd00000.usb"));
        assertFalse(c.hasExplicitName("0000:01:00.0"));
        assertEquals(0x40, c.streamIdBase());
    }

    @Test
    void setOptionsOverride() {
        DeviceConfig c = new DeviceConfig().set("device.0000:02:00.0.mask=0xffffffff").set("default.pci=true");
        assertEquals(DmaMasks.bits(32), c.settings("0000:02:00.0").mask());
        assertTrue(c.settings("fe300000.mmc").pci());
    }

    @Test
    void badSettingsNameTheLineAndChangeNothing() throws IOException {
        DeviceConfig c = new DeviceConfig().set("default.mask=40");
        String file = "default.mask = 48\ndevice.x.mask = 33\ndevice.x.colour = red\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.read(new StringReader(file), "devices.conf"));
        assertTrue(e.getMessage().startsWith("devices.conf:3: unknown device setting 'colour'"), e.getMessage());
        assertEquals(DmaMasks.bits(40), c.settings("x").mask(), "a rejected file changes nothing");
        assertThrows(IllegalArgumentException.class, () -> c.set("default.mask=0x1234"));
        assertThrows(IllegalArgumentException.class, () -> c.set("default.mask=65"));
        assertThrows(IllegalArgumentException.class, () -> c.set("default.coherent=maybe"));
        assertThrows(IllegalArgumentException.class, () -> c.set("nonsense"));
        assertThrows(IllegalArgumentException.class, () -> c.set("other.key=1"));
        assertThrows(IllegalArgumentException.class, () -> c.set("device.mask=1"));
        assertEquals(DmaMasks.bits(40), c.settings("x").mask());
    }

    @Test
    void namesAndRequesterIds() {
        assertEquals("0000:01:00.0", DeviceConfig.sanitise("0000:01:00.0"));
        assertEquals("9050000.smmuv3", DeviceConfig.sanitise("9050000.smmuv3"));
        assertEquals("soc_dma_ch_1", DeviceConfig.sanitise("soc/dma ch#1".replace('#', '_')));
        assertEquals("dev", DeviceConfig.sanitise(""));
        assertEquals(0x0100, DeviceConfig.pciRequesterId("0000:01:00.0"));
        assertEquals(0x0211, DeviceConfig.pciRequesterId("0000:02:02.1"));
        assertEquals(-1, DeviceConfig.pciRequesterId("ffd00000.usb"));
    }
}
