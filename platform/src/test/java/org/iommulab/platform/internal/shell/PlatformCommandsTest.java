package org.iommulab.platform.internal.shell;

import static org.iommulab.platform.internal.testing.TestPlatforms.platform;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.RecordingBackend;
import org.junit.jupiter.api.Test;

class PlatformCommandsTest {
    private final FakeDrivers drivers = new FakeDrivers();
    private final DevicePlatform platform = platform(drivers);
    private final PlatformCommands cmd = new PlatformCommands(platform);
    private final RecordingBackend a = new RecordingBackend("alpha");
    private final RecordingBackend b = new RecordingBackend("beta", 1L << 40);

    private void setUp() {
        platform.addBackend(a, props(a, 10));
        platform.addBackend(b, props(b, 1));
        platform.addDevice(DeviceDescriptor.builder("nic0").streamIds(0x10, 0x11).dmaMask(~0L).build());
        platform.addDevice(DeviceDescriptor.builder("disk0").streamIds(0x20).build());
    }

    @Test
    void emptyPlatform() {
        assertEquals("no backends registered\n", cmd.backends());
        assertEquals("no devices\n", cmd.devices());
        assertEquals("no faults\n", cmd.faults());
        assertEquals("no statistics yet\n", cmd.stats());
    }

    @Test
    void backendsAndDevicesAsTables() {
        setUp();
        assertEquals(String.join("\n",
                "BACKEND  RANKING  DEVICES",
                "-------  -------  -------",
                "alpha         10        2",
                "beta           1        0", ""), cmd.backends());
        String devices = cmd.devices();
        assertTrue(devices.startsWith("DEVICE  BACKEND  MASK    SID        SWAPS  TARGET\n"), devices);
        assertTrue(devices.contains("disk0   alpha    32-bit  0x20           0  -\n"), devices);
        assertTrue(devices.contains("nic0    alpha    64-bit  0x10,0x11      0  -\n"), devices);
    }

    @Test
    void bindMovesAndReports() {
        setUp();
        assertEquals("nic0 -> beta (swaps 1)\n", cmd.bind("nic0", "beta"));
        assertTrue(cmd.devices().contains("nic0    beta "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cmd.bind("nic9", "beta"));
        assertEquals("unknown device 'nic9'; devices: disk0, nic0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cmd.bind("nic0", "gamma"));
        assertEquals("unknown backend 'gamma'; registered: alpha, beta", e.getMessage());
    }

    @Test
    void statsAllAndPerDevice() {
        setUp();
        drivers.running("nic0").map(platform.allocator().allocPages(1, org.iommulab.api.platform.Zone.NORMAL), 4096,
                DmaDirection.TO_DEVICE);
        cmd.bind("nic0", "beta");
        String all = cmd.stats();
        assertTrue(all.startsWith("DEVICE  BACKEND  MAPS  UNMAPS  MAPPED_BYTES\n"), all);
        assertTrue(all.contains("nic0    alpha       1       1          4096\n"), all);
        String one = cmd.stats("nic0");
        assertTrue(one.startsWith("nic0 (* bound now)\nSTAT                alpha  beta*\n"), one);
        assertTrue(one.contains("maps                    1      0\n"), one);
        assertThrows(IllegalArgumentException.class, () -> cmd.stats("nope"));
    }

    @Test
    void findingsAllAndPerDevice() {
        setUp();
        assertEquals("no findings\n", cmd.findings());
        org.iommulab.api.dma.DmaApi api = drivers.api("nic0");
        long p = platform.allocator().allocPages(1, org.iommulab.api.platform.Zone.NORMAL);
        long dma = api.mapPhys(p, 4096, DmaDirection.TO_DEVICE, 0);
        api.unmapPhys(dma, 4096, DmaDirection.TO_DEVICE, 0);
        String all = cmd.findings();
        assertTrue(all.startsWith("   1  MAP_ERROR_NOT_CHECKED on alpha\n      DMA-API: nic0: device driver failed to check map error [device address=0x"),
                all);
        assertTrue(all.contains("\n      at org.iommulab.platform.internal.shell.PlatformCommandsTest.findingsAllAndPerDevice(PlatformCommandsTest.java:"),
                all);
        assertEquals(all, cmd.findings("nic0"));
        assertEquals("disk0: no findings\n", cmd.findings("disk0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cmd.findings("nope"));
        assertTrue(e.getMessage().startsWith("unknown device 'nope'"));
    }

    @Test
    void findingsWithTheCheckerOff() {
        DevicePlatform off = platform(new FakeDrivers(), org.iommulab.platform.internal.checker.CheckerSettings.OFF);
        assertEquals("the DMA-API checker is off (checker.enabled=false in org.iommulab.platform)\n",
                new PlatformCommands(off).findings());
    }

    @Test
    void faultsAndLogs() {
        setUp();
        platform.removeBackend(a);
        platform.removeBackend(b);
        assertThrows(RuntimeException.class, () -> platform.busMaster("nic0").readByte(0));
        String faults = cmd.faults();
        assertTrue(faults.startsWith("   1  none: STREAM_DISABLED (ACCESS) READ 0x0 by nic0 sid 16"), faults);
        String log = cmd.dmalog("nic0");
        assertTrue(log.contains("nic0: swap beta -> none: backend beta unregistered\n"), log);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cmd.dmalog("x"));
        assertTrue(e.getMessage().startsWith("unknown device 'x'"));
    }
}
