package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.testing.TestPlatforms.platform;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.RecordingBackend;

/**
 * One device "dev0" on a fake backend "fake" (DMA address = physical + 1 TiB unless told
 * otherwise) with the checker as configured, and a {@code FindingListener} that records what it
 * hears. {@link #take()} returns what was heard since the last take, after checking each was
 * heard once, kept in the platform's history in order and counted.
 */
final class CheckerFixture {
    static final long PAGE = PageAllocator.PAGE_SIZE;
    static final long OFFSET = 1L << 40;

    final FakeDrivers drivers = new FakeDrivers();
    final DevicePlatform platform;
    final RecordingBackend backend;
    final DmaApi api;
    final List<Finding> heard = new CopyOnWriteArrayList<>();
    private int taken;

    CheckerFixture() {
        this(CheckerSettings.DEFAULT, device().build(), false);
    }

    /** @param isolating registers the backend with {@code iommulab.backend.isolation=true} */
    CheckerFixture(CheckerSettings settings, DeviceDescriptor device, boolean isolating) {
        this(settings, device, isolating, 12);
    }

    /** @param granuleShift the backend's translation block (IOMMU granule) */
    CheckerFixture(CheckerSettings settings, DeviceDescriptor device, boolean isolating, int granuleShift) {
        platform = platform(drivers, settings);
        platform.addFindingListener(heard::add);
        backend = new RecordingBackend("fake", OFFSET);
        backend.pageShift = granuleShift;
        platform.addBackend(backend, isolating ? props(backend, 0, DmaBackend.ISOLATION_PROPERTY, true) : props(backend, 0));
        platform.addDevice(device);
        api = drivers.api(device.name());
    }

    static DeviceDescriptor.Builder device() {
        return DeviceDescriptor.builder("dev0").streamIds(3).dmaMask(~0L);
    }

    long page() {
        return platform.allocator().allocPages(1, Zone.NORMAL);
    }

    long pages(int n) {
        return platform.allocator().allocPages(n, Zone.NORMAL);
    }

    long kmalloc(long size) {
        return platform.allocator().kmalloc(size, Zone.NORMAL);
    }

    /** Maps, checks the mapping error as a good driver does, and returns the DMA address. */
    long map(long phys, long size, DmaDirection dir) {
        long dma = api.mapPhys(phys, size, dir, 0);
        assertTrue(!api.mappingError(dma), "mapped");
        return dma;
    }

    /** The findings heard since the last take, checked against the history and the counters. */
    List<Finding> take() {
        List<Finding> now = new ArrayList<>(heard.subList(taken, heard.size()));
        taken = heard.size();
        List<Finding> history = platform.findings();
        assertEquals(heard.size(), history.size(), "every finding heard once and kept");
        for (int i = 0; i < heard.size(); i++) {
            assertTrue(heard.get(i) == history.get(i), "heard in the history's order");
            assertEquals(i + 1, heard.get(i).sequence());
        }
        long counted = platform.allStats().stream().filter(s -> s.device().equals("dev0"))
                .mapToLong(s -> s.get(Stat.CHECKER_FINDINGS)).sum();
        assertEquals(heard.size(), counted, "every finding counted, on the backend it was raised on");
        return now;
    }

    /** Exactly one finding since the last take, of {@code kind}; returned. */
    Finding only(FindingKind kind) {
        List<Finding> now = take();
        assertEquals(1, now.size(), "one finding: " + now);
        assertEquals(kind, now.get(0).kind(), now.toString());
        return now.get(0);
    }

    /** No finding since the last take. */
    void none() {
        List<Finding> now = take();
        assertTrue(now.isEmpty(), "no findings, got " + now);
    }

    /** Checks the fields every finding has; {@code details} is the message after the kind's words. */
    static void assertFinding(Finding f, FindingKind kind, long dma, long size, DmaDirection dir, String details) {
        assertEquals("dev0", f.device());
        assertEquals("fake", f.backend());
        assertEquals(kind, f.kind());
        assertEquals("DMA-API: dev0: " + kind.message() + details, f.message());
        assertEquals(dma, f.dmaAddress(), "dma address of " + f);
        assertEquals(size, f.size(), "size of " + f);
        assertEquals(dir, f.direction(), "direction of " + f);
        if (kind != FindingKind.LEAK) {
            assertNotNull(f.calledAt(), "called at");
            assertTrue(f.calledAt().startsWith("org.iommulab.platform.internal.dma.Checker"),
                    "the test's own frame, not the platform's: " + f.calledAt());
        }
    }
}
