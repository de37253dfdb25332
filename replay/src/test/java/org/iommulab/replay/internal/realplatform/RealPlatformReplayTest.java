package org.iommulab.replay.internal.realplatform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.replay.internal.device.DeviceConfig;
import org.iommulab.replay.internal.engine.BackendResult;
import org.iommulab.replay.internal.engine.DeviceReport;
import org.iommulab.replay.internal.engine.MisuseKind;
import org.iommulab.replay.internal.engine.ReplayEngine;
import org.iommulab.replay.internal.engine.ReplayOptions;
import org.iommulab.replay.internal.engine.ReplayProgress;
import org.iommulab.replay.internal.engine.ReplaySummary;
import org.iommulab.replay.internal.input.TraceSource;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.IdentityBackend;
import org.junit.jupiter.api.Test;

/**
 * The replay against the platform bundle's own core ({@link DevicePlatform} with its DMA-API
 * checker), two identity backends and a registrar that plays the service registry: the
 * checker's real refusals are classified, and swaps between backends go through the platform's
 * swap protocol.
 */
class RealPlatformReplayTest {
    private final FakeDrivers registry = new FakeDrivers();
    private final SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
    private final ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
    private final DevicePlatform platform = new DevicePlatform(memory, allocator,
            (api, props) -> registry.register(api, props)::run);

    private ReplaySummary replay(String resource) throws IOException {
        return replay(resource, new DeviceConfig());
    }

    private ReplaySummary replay(String resource, DeviceConfig config) throws IOException {
        for (String name : List.of("first", "second")) {
            platform.addBackend(new IdentityBackend(name), Map.of(DmaBackend.NAME_PROPERTY, name));
        }
        byte[] bytes;
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            bytes = in.readAllBytes();
        }
        ReplayEngine engine = new ReplayEngine(platform, registry::lookup, config,
                ReplayOptions.defaults().withSgGuess(true));
        return engine.run(TraceSource.of(resource, bytes), List.of(), ReplayProgress.NONE);
    }

    /** The replay plays under REPORT and gives an existing device its own policy back. */
    @Test
    void anExistingDeviceGetsItsCheckerPolicyBack() throws IOException {
        platform.addDevice(org.iommulab.api.platform.DeviceDescriptor.builder("nic9").streamIds(0x999)
                .dmaMask(~0L).build());
        assertEquals(org.iommulab.api.checker.CheckerPolicy.REFUSE, platform.checkerPolicy("nic9"));
        ReplaySummary s = replay("/traces/sample-6.12-ftrace.txt", new DeviceConfig().set("device.0000:01:00.0.name = nic9"));
        assertEquals(1, s.backends().get(0).device("0000:01:00.0").misuse(MisuseKind.SIZE_MISMATCH));
        assertEquals(org.iommulab.api.checker.CheckerPolicy.REFUSE, platform.checkerPolicy("nic9"));
    }

    @Test
    void sample612ThroughTheRealChecker() throws IOException {
        long before = allocator.allocatedBytes();
        ReplaySummary s = replay("/traces/sample-6.12-ftrace.txt");
        assertEquals(2, s.backends().size());
        for (BackendResult r : s.backends()) {
            DeviceReport nic = r.device("0000:01:00.0");
            assertEquals(0, r.total().errors(), r.total().firstError());
            assertEquals(0, r.total().badInput());
            assertEquals(8, nic.replayed(), r.backend());
            assertEquals(1, nic.misuse(MisuseKind.SIZE_MISMATCH), "the checker's finding is classified");
            assertEquals(1, nic.misuse());
            // The replay runs under checker.policy = report, as Linux's dma-debug: the wrong-size
            // unmap is reported and carried out, so its mapping does not leak.
            assertEquals(0, nic.leaks());
            assertEquals(17, r.total().replayed());
            assertEquals(0, r.total().skipped());
            assertEquals(2, r.device("0000:02:00.0").sgMapped());
        }
        assertTrue(platform.devices().isEmpty(), "the replay's devices are removed");
        assertEquals(before, allocator.allocatedBytes(), "and the memory it placed the trace in is free again");
    }

    @Test
    void laterGenerationSampleThroughTheRealChecker() throws IOException {
        ReplaySummary s = replay("/traces/sample-dma-phys-trace-cmd.txt");
        for (BackendResult r : s.backends()) {
            assertEquals(0, r.total().errors(), r.total().firstError());
            assertEquals(0, r.total().misuse(), r.backend());
            assertEquals(14, r.total().calls());
            assertEquals(0, r.total().leaks());
        }
    }
}
