package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.testing.TestPlatforms.platform;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.iommulab.api.admin.Stat;
import org.iommulab.platform.internal.checker.CheckerSettings;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.RecordingBackend;

/** One device on one fake backend, with its DMA API, and a snapshot of everything a refused call must not change. */
final class DmaApiFixture {
    static final long PAGE = PageAllocator.PAGE_SIZE;

    final FakeDrivers drivers = new FakeDrivers();
    final DevicePlatform platform;
    final RecordingBackend backend;
    final DmaApi api;

    DmaApiFixture(long dmaOffset) {
        this(dmaOffset, CheckerSettings.DEFAULT);
    }

    /** With the given checker settings; extra backend service properties as key/value pairs. */
    DmaApiFixture(long dmaOffset, CheckerSettings checker, Object... backendProps) {
        platform = platform(drivers, checker);
        backend = new RecordingBackend("fake", dmaOffset);
        platform.addBackend(backend, props(backend, 0, backendProps));
        platform.addDevice(DeviceDescriptor.builder("dev0").streamIds(3).dmaMask(~0L).build());
        api = drivers.api("dev0");
    }

    long page() {
        return platform.allocator().allocPages(1, Zone.NORMAL);
    }

    /**
     * Live mappings, backend calls and counters: what a refused call must leave as it was. The
     * checker's own count is left out: a refused misuse is a finding, counted.
     */
    State state() {
        return new State(platform.liveMappings("dev0"), backend.calls(),
                platform.stats("dev0").toString().replaceAll(" checker_findings=\\d+", ""));
    }

    /** Findings the device's counters hold now. */
    long findingCount() {
        return platform.stats("dev0").get(Stat.CHECKER_FINDINGS);
    }

    List<String> log() {
        return platform.log("dev0");
    }

    static final class State {
        final int live;
        final List<String> calls;
        final String stats;

        State(int live, List<String> calls, String stats) {
            this.live = live;
            this.calls = calls;
            this.stats = stats;
        }

        void assertSame(State after, String what) {
            assertEquals(live, after.live, what + ": live mappings changed");
            assertEquals(calls, after.calls, what + ": the backend was called");
            assertEquals(stats, after.stats, what + ": counters changed");
        }
    }
}
