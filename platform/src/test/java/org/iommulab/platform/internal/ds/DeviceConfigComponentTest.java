package org.iommulab.platform.internal.ds;

import static org.iommulab.platform.internal.testing.TestPlatforms.platform;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.RecordingBackend;
import org.junit.jupiter.api.Test;

/** The configuration component's life cycle, driven by hand as SCR would. */
class DeviceConfigComponentTest {
    private final DevicePlatform platform = platform(new FakeDrivers());
    private final RecordingBackend a = new RecordingBackend("a");
    private final RecordingBackend b = new RecordingBackend("b", 1L << 40);

    @Test
    void addsUpdatesRenamesAndRemovesItsDevice() {
        platform.addBackend(a, props(a, 10));
        platform.addBackend(b, props(b, 1));
        Map<String, Object> cfg = new HashMap<>(Map.of("name", "cfg0", "streamIds", new int[] {0x99}));
        DeviceConfigComponent c = new DeviceConfigComponent(platform, cfg);
        assertEquals("a", platform.device("cfg0").backend());

        cfg.put("backend.target", "(iommulab.backend.name=b)");
        c.modified(cfg);
        assertEquals("b", platform.device("cfg0").backend());
        assertEquals("(iommulab.backend.name=b)", platform.device("cfg0").targetFilter());

        cfg.put("name", "cfg1");
        c.modified(cfg);
        assertEquals(List.of("cfg1"), platform.devices().stream().map(DeviceStatus::name).collect(java.util.stream.Collectors.toList()));

        c.deactivate();
        assertTrue(platform.devices().isEmpty());
    }

    @Test
    void aBadConfigurationAddsNothing() {
        Map<String, Object> cfg = Map.of("name", "cfg0", "dmaMaskBits", 0);
        assertThrows(IllegalArgumentException.class, () -> new DeviceConfigComponent(platform, cfg));
        Map<String, Object> badFilter = Map.of("name", "cfg0", "backend.target", "(oops");
        assertThrows(IllegalArgumentException.class, () -> new DeviceConfigComponent(platform, badFilter));
        assertTrue(platform.devices().isEmpty());
    }
}
