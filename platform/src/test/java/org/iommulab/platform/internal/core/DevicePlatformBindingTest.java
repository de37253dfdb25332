package org.iommulab.platform.internal.core;

import static org.iommulab.platform.internal.testing.TestPlatforms.device;
import static org.iommulab.platform.internal.testing.TestPlatforms.platform;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.RecordingBackend;
import org.junit.jupiter.api.Test;

/** The binding rule: ranking, target filters, greedy moves, removal, pins, refusals. */
class DevicePlatformBindingTest {
    private final FakeDrivers drivers = new FakeDrivers();
    private final DevicePlatform platform = platform(drivers);
    private final RecordingBackend low = new RecordingBackend("low", 0);
    private final RecordingBackend high = new RecordingBackend("high", 1L << 40);

    @Test
    void bindsToTheHighestRankedBackendThatAccepts() {
        platform.addBackend(low, props(low, 1));
        platform.addBackend(high, props(high, 10));
        platform.addDevice(device("nic0", 1));

        assertEquals("high", platform.device("nic0").backend());
        assertEquals(List.of("high", "low"), platform.backends());
        assertEquals("high", drivers.running("nic0").backend());

        high.accepts = d -> !d.name().equals("disk0");
        platform.addDevice(device("disk0", 2));
        assertEquals("low", platform.device("disk0").backend());
    }

    @Test
    void equalRankingPrefersTheLowerServiceId() {
        platform.addBackend(high, props(high, 5, "service.id", 20L));
        platform.addBackend(low, props(low, 5, "service.id", 7L));
        platform.addDevice(device("nic0", 1));
        assertEquals("low", platform.device("nic0").backend());
    }

    @Test
    void targetFilterPicksAmongMatchingBackendsOnly() {
        platform.addBackend(low, props(low, 1, "kind", "bounce"));
        platform.addBackend(high, props(high, 10, "kind", "iommu"));
        platform.addDevice(device("nic0", 1), "(kind=bounce)", DeviceOrigin.ADMIN);

        assertEquals("low", platform.device("nic0").backend());
        assertEquals("(kind=bounce)", platform.device("nic0").targetFilter());
    }

    @Test
    void targetFilterByBackendNameWorksWithoutTheNameInTheProperties() {
        platform.addBackend(low, null);
        platform.addBackend(high, null);
        platform.addDevice(device("nic0", 1), "(iommulab.backend.name=high)", DeviceOrigin.ADMIN);
        assertEquals("high", platform.device("nic0").backend());
    }

    @Test
    void aDeviceNoBackendMatchesStaysUnboundUntilOneDoes() {
        platform.addBackend(low, props(low, 1));
        platform.addDevice(device("nic0", 1), "(iommulab.backend.name=high)", DeviceOrigin.ADMIN);
        assertNull(platform.device("nic0").backend());
        assertNull(drivers.running("nic0"));
        assertTrue(platform.log("nic0").stream().anyMatch(l -> l.contains("unbound until one does")));

        platform.addBackend(high, props(high, 0));
        assertEquals("high", platform.device("nic0").backend());
        assertEquals(0, platform.device("nic0").swaps(), "a first binding is not a move");
    }

    @Test
    void aBadTargetFilterIsRefusedAndAddsNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> platform.addDevice(device("nic0", 1), "(kind=", DeviceOrigin.ADMIN));
        assertTrue(e.getMessage().contains("not an LDAP filter"), e.getMessage());
        assertTrue(platform.devices().isEmpty());
    }

    @Test
    void aHigherRankedBackendTakesUnpinnedDevicesGreedily() {
        platform.addBackend(low, props(low, 1));
        platform.addDevice(device("nic0", 1));
        platform.addDevice(device("disk0", 2), "(iommulab.backend.name=low)", DeviceOrigin.ADMIN);
        assertEquals("low", platform.device("nic0").backend());

        platform.addBackend(high, props(high, 10));

        assertEquals("high", platform.device("nic0").backend());
        assertEquals(1, platform.device("nic0").swaps());
        assertEquals("low", platform.device("disk0").backend(), "its filter keeps disk0 on low");
        assertEquals(List.of("detach nic0"), low.calls("detach"));
        assertEquals(2, drivers.all().stream().filter(d -> d.device().equals("nic0")).count(), "nic0's driver restarted");
    }

    @Test
    void aRankingChangeMovesDevicesToTheNewBest() {
        platform.addBackend(low, props(low, 1));
        platform.addBackend(high, props(high, 10));
        platform.addDevice(device("nic0", 1));
        assertEquals("high", platform.device("nic0").backend());

        platform.updateBackend(low, props(low, 20));

        assertEquals("low", platform.device("nic0").backend());
        assertEquals(List.of("low", "high"), platform.backends());
    }

    @Test
    void removingABackendMovesItsDevicesToTheNextChoice() {
        platform.addBackend(low, props(low, 1));
        platform.addBackend(high, props(high, 10));
        platform.addDevice(device("nic0", 1));
        drivers.running("nic0").map(0x4000_0000L, 4096, DmaDirection.TO_DEVICE);

        platform.removeBackend(high);

        assertEquals("low", platform.device("nic0").backend());
        assertEquals(List.of("detach nic0"), high.calls("detach"));
        assertEquals(1, high.calls("unmapPhys").size(), "the driver released on the old backend before detach");
        assertEquals(0, platform.liveMappings("nic0"));
    }

    @Test
    void removingTheLastBackendLeavesDevicesUnboundAndLogged() {
        platform.addBackend(low, props(low, 1));
        platform.addDevice(device("nic0", 1));
        platform.removeBackend(low);

        assertNull(platform.device("nic0").backend());
        assertNull(drivers.running("nic0"));
        assertTrue(platform.log("nic0").stream().anyMatch(l -> l.contains("unbound")));
        assertEquals(1, platform.device("nic0").swaps());
    }

    @Test
    void anExplicitBindPinsUntilTheBackendGoes() {
        platform.addBackend(low, props(low, 1));
        platform.addBackend(high, props(high, 10));
        platform.addDevice(device("nic0", 1));

        platform.bind("nic0", "low");
        assertEquals("low", platform.device("nic0").backend());

        RecordingBackend higher = new RecordingBackend("higher", 2L << 40);
        platform.addBackend(higher, props(higher, 100));
        assertEquals("low", platform.device("nic0").backend(), "pinned devices ignore better backends");

        platform.removeBackend(low);
        assertEquals("higher", platform.device("nic0").backend(), "the pin went with its backend");
    }

    @Test
    void aConfigurationChangeDropsThePin() {
        platform.addBackend(low, props(low, 1));
        platform.addBackend(high, props(high, 10));
        platform.addDevice(device("nic0", 1), null, DeviceOrigin.CONFIGURATION);
        platform.bind("nic0", "low");

        platform.updateDevice(device("nic0", 1), null);
        assertEquals("high", platform.device("nic0").backend());
    }

    @Test
    void aChangedDescriptorReattachesEvenToTheSameBackend() {
        platform.addBackend(low, props(low, 1));
        platform.addDevice(device("nic0", 1), null, DeviceOrigin.CONFIGURATION);

        DeviceDescriptor changed = DeviceDescriptor.builder("nic0").streamIds(7).dmaMask(~0L).coherent(false).build();
        platform.updateDevice(changed, null);

        assertEquals(List.of("attach nic0", "detach nic0", "attach nic0"), low.calls());
        assertEquals(7, platform.device("nic0").descriptor().primaryStreamId());
        assertEquals(7, drivers.api("nic0").device().primaryStreamId());
        assertEquals(0, platform.device("nic0").swaps(), "same backend: not a move");
    }

    @Test
    void aChangedFilterMovesTheDevice() {
        platform.addBackend(low, props(low, 1));
        platform.addBackend(high, props(high, 10));
        platform.addDevice(device("nic0", 1), null, DeviceOrigin.CONFIGURATION);
        platform.updateDevice(device("nic0", 1), "(iommulab.backend.name=low)");
        assertEquals("low", platform.device("nic0").backend());
        platform.updateDevice(device("nic0", 1), "(iommulab.backend.name=none-such)");
        assertNull(platform.device("nic0").backend(), "the configuration wants a backend that is not there");
    }

    @Test
    void bindWithUnknownNamesOrARefusingBackendChangesNothing() {
        platform.addBackend(low, props(low, 1));
        platform.addBackend(high, props(high, 10));
        platform.addDevice(device("nic0", 1));
        high.accepts = d -> true;
        low.accepts = d -> false;

        IllegalArgumentException unknownDevice = assertThrows(IllegalArgumentException.class, () -> platform.bind("nope", "low"));
        assertTrue(unknownDevice.getMessage().contains("unknown device 'nope'"), unknownDevice.getMessage());
        IllegalArgumentException unknownBackend = assertThrows(IllegalArgumentException.class, () -> platform.bind("nic0", "zzz"));
        assertTrue(unknownBackend.getMessage().contains("unknown backend 'zzz'; registered: high, low"), unknownBackend.getMessage());
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> platform.bind("nic0", "low"));
        assertTrue(refused.getMessage().contains("does not accept"), refused.getMessage());

        assertEquals("high", platform.device("nic0").backend());
        assertEquals(0, platform.device("nic0").swaps());
        assertEquals(1, drivers.all().size(), "no driver restarted");
    }

    @Test
    void aFailedAttachGoesBackToTheOldBackend() {
        platform.addBackend(low, props(low, 1));
        platform.addDevice(device("nic0", 1));
        high.attachFailure = "no stream table entry";
        platform.addBackend(high, props(high, 10));

        assertEquals("low", platform.device("nic0").backend());
        assertTrue(platform.log("nic0").stream().anyMatch(l -> l.contains("attach to high failed: no stream table entry")));
        assertTrue(platform.log("nic0").stream().anyMatch(l -> l.contains("back on low")));
        assertEquals(List.of("attach nic0", "detach nic0", "attach nic0"), low.calls());

        // The refusal is remembered: another event does not retry the same attach.
        RecordingBackend other = new RecordingBackend("other", 3L << 40);
        other.accepts = d -> false;
        platform.addBackend(other, props(other, 0));
        assertEquals(1, high.calls("attach").size());

        // An explicit bind tries again, and reports the failure.
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> platform.bind("nic0", "high"));
        assertTrue(e.getMessage().contains("failed to attach device nic0: no stream table entry; the device is on low"), e.getMessage());
        assertEquals("low", platform.device("nic0").backend());
    }

    @Test
    void aFailedAttachWithTheOldBackendGoneLeavesTheDeviceUnbound() {
        platform.addBackend(low, props(low, 10));
        platform.addBackend(high, props(high, 1));
        platform.addDevice(device("nic0", 1));
        high.attachFailure = "broken";

        platform.removeBackend(low);

        assertNull(platform.device("nic0").backend());
        assertNull(drivers.running("nic0"));
    }

    @Test
    void namesAreUniqueAndConfiguredDevicesAreNotRemovedByAdmin() {
        platform.addDevice(device("nic0", 1), null, DeviceOrigin.CONFIGURATION);
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> platform.addDevice(device("nic0", 2)));
        assertTrue(dup.getMessage().contains("exists already"), dup.getMessage());
        IllegalArgumentException cfg = assertThrows(IllegalArgumentException.class, () -> platform.removeDevice("nic0"));
        assertTrue(cfg.getMessage().contains("configuration"), cfg.getMessage());
        platform.removeConfiguredDevice("nic0");
        assertTrue(platform.devices().isEmpty());
        platform.removeConfiguredDevice("nic0");
    }

    @Test
    void removingADeviceReleasesItsDriverAndDetaches() {
        platform.addBackend(low, props(low, 1));
        platform.addDevice(device("nic0", 1));
        drivers.running("nic0").map(0x4000_0000L, 4096, DmaDirection.FROM_DEVICE);

        platform.removeDevice("nic0");

        assertNull(drivers.running("nic0"));
        assertEquals(List.of("detach nic0"), low.calls("detach"));
        assertEquals(1, low.calls("unmapPhys").size());
        assertThrows(IllegalArgumentException.class, () -> platform.device("nic0"));
    }

    @Test
    void shutdownReleasesEverythingAndRefusesChanges() {
        platform.addBackend(low, props(low, 1));
        platform.addDevice(device("nic0", 1));
        platform.shutdown();
        assertEquals(List.of("detach nic0"), low.calls("detach"));
        assertTrue(platform.devices().isEmpty());
        assertTrue(platform.backends().isEmpty());
        assertThrows(IllegalStateException.class, () -> platform.addDevice(device("nic1", 1)));
        platform.removeBackend(low);
    }

    @Test
    void aSecondDeviceWithAStreamIdAlreadyTakenIsRefusedWithTheNameOfTheDeviceThatHasIt() {
        RecordingBackend low = new RecordingBackend("low");
        platform.addBackend(low, props(low, 1));
        platform.addDevice(DeviceDescriptor.builder("nic0").streamIds(0x10, 0x11).dmaMask(~0L).build());
        List<String> calls = low.calls();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> platform.addDevice(DeviceDescriptor.builder("disk0").streamIds(0x20, 0x11).build()));
        assertTrue(e.getMessage().contains("device disk0: stream ID 0x11 is taken by device nic0"), e.getMessage());
        assertEquals(List.of("nic0"), platform.devices().stream().map(d -> d.name()).collect(java.util.stream.Collectors.toList()),
                "nothing added");
        assertEquals(calls, low.calls(), "nothing attached");
        // A device may keep its own stream IDs when its configuration changes, not take another's.
        platform.addDevice(DeviceDescriptor.builder("disk0").streamIds(0x20).build(), null, DeviceOrigin.CONFIGURATION);
        platform.updateDevice(DeviceDescriptor.builder("disk0").streamIds(0x20, 0x21).build(), null);
        assertThrows(IllegalArgumentException.class,
                () -> platform.updateDevice(DeviceDescriptor.builder("disk0").streamIds(0x10).build(), null));
        assertEquals(0x20, platform.device("disk0").descriptor().primaryStreamId());
    }
}
