package org.iommulab.platform.internal.testing;

import java.util.HashMap;
import java.util.Map;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.core.DmaApiRegistrar;
import org.iommulab.platform.internal.core.PlatformSettings;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.testkit.FakeDrivers;
import org.osgi.framework.Constants;

/** Small helpers to build platforms, backends' service properties and devices in tests. */
public final class TestPlatforms {
    private TestPlatforms() {
    }

    /** A platform on the default memory layout whose drivers are {@code drivers}. */
    public static DevicePlatform platform(FakeDrivers drivers) {
        return platform(drivers, CheckerSettings.DEFAULT);
    }

    /** A platform on the default memory layout with the given checker settings. */
    public static DevicePlatform platform(FakeDrivers drivers, CheckerSettings checker) {
        return platform(drivers, checker, PlatformSettings.DEFAULT);
    }

    /** A platform on the default memory layout with the given checker and platform settings. */
    public static DevicePlatform platform(FakeDrivers drivers, CheckerSettings checker, PlatformSettings settings) {
        SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
        return new DevicePlatform(memory, new ZonedPageAllocator(memory), registrar(drivers), checker, settings);
    }

    /** The platform's registrar publishing to {@code drivers}. */
    public static DmaApiRegistrar registrar(FakeDrivers drivers) {
        return (api, properties) -> drivers.register(api, properties)::run;
    }

    /** Service properties of a backend with {@code ranking} and extra key/value pairs. */
    public static Map<String, Object> props(DmaBackend b, int ranking, Object... keyValues) {
        Map<String, Object> p = new HashMap<>();
        p.put(DmaBackend.NAME_PROPERTY, b.name());
        p.put(Constants.SERVICE_RANKING, ranking);
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put((String) keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    /** A plain 64-bit device with stream ID {@code sid}. */
    public static DeviceDescriptor device(String name, int sid) {
        return DeviceDescriptor.builder(name).streamIds(sid).dmaMask(~0L).build();
    }
}
