package org.iommulab.devices.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.junit.jupiter.api.Test;

class ExtraDevicesTest {
    private final DriverHarness h = new DriverHarness().withStandardBackends();

    @Test
    void addsWhatIsMissingAndRemovesOnlyWhatItAdded() {
        h.platform.addDevice(DeviceDescriptor.builder("mmc0").streamIds(0x99).dmaMask(DmaMasks.bits(64)).build());
        List<String> added = ExtraDevices.addMissing(h.platform);
        assertEquals(List.of("mmc1", "testdev0"), added);
        assertEquals(List.of(), ExtraDevices.addMissing(h.platform), "nothing twice");
        assertEquals(List.of(), ExtraDevices.remove(h.platform, added));
        List<String> left = h.platform.devices().stream().map(DeviceStatus::name).toList();
        assertEquals(List.of("mmc0"), left, "a device the user configured stays");
        assertEquals(0x99, h.platform.device("mmc0").descriptor().primaryStreamId());
    }

    @Test
    void theMmcHostsKeepLinuxsDefaultMaxSegmentSize() {
        for (DeviceDescriptor d : ExtraDevices.all()) {
            assertEquals(DeviceDescriptor.DEFAULT_MAX_SEGMENT_SIZE, d.maxSegmentSize(), d.name());
        }
        assertTrue(ExtraDevices.all().stream().anyMatch(d -> d.name().equals(DeviceNames.MMC_BUGGY)));
    }
}
