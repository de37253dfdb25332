package org.iommulab.replay.internal.realplatform;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.iommu.dma.internal.dma.IommuDmaBackend;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.core.PlatformSettings;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.platform.internal.sim.Simulation;
import org.iommulab.replay.internal.device.DeviceConfig;
import org.iommulab.replay.internal.engine.ReplayEngine;
import org.iommulab.replay.internal.engine.ReplayOptions;
import org.iommulab.replay.internal.engine.ReplayProgress;
import org.iommulab.replay.internal.engine.ReplaySummary;
import org.iommulab.replay.internal.engine.ReportPrinter;
import org.iommulab.replay.internal.engine.Simulated;
import org.iommulab.replay.internal.input.TraceSource;
import org.iommulab.replay.internal.parse.LineParser;
import org.iommulab.replay.internal.parse.LineResult;
import org.iommulab.replay.internal.parse.TraceEvent;
import org.iommulab.smmu.v3.internal.driver.DriverConfig;
import org.iommulab.smmu.v3.internal.driver.SmmuV3Driver;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.iommulab.smmu.v3.internal.model.SmmuV3Model;
import org.iommulab.swiotlb.internal.direct.DmaDirectBackend;
import org.iommulab.testkit.FakeDrivers;

/**
 * A whole platform for replaying the hand-made traces: the platform's core with its checker
 * and its simulation, one IOMMU backend made by iommu-dma (over the SMMUv3 model or the generic
 * IOMMU model, strict or lazy, on the platform's simulated clock and CPUs), and dma-direct for
 * the devices kept off the IOMMU. Each replay records one JSON line per call ({@code --calls}).
 */
final class ExactReplayRig {
    final SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
    final ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
    final Simulation sim = new Simulation();
    final FakeDrivers registry = new FakeDrivers();
    final DevicePlatform platform = new DevicePlatform(memory, allocator, (api, props) -> registry.register(api, props)::run,
            CheckerSettings.DEFAULT, PlatformSettings.DEFAULT, sim);
    final String backend;
    final List<String> calls = new ArrayList<>();
    String report;

    ExactReplayRig(String backend, boolean lazy) {
        this.backend = backend;
        IommuDriver driver;
        if (backend.equals("smmu-v3")) {
            SmmuV3Driver v3 = new SmmuV3Driver(SmmuV3Driver.NAME, new SmmuV3Model(SmmuV3Driver.NAME, memory,
                    SmmuV3Features.defaults()), memory, allocator, DriverConfig.defaults());
            v3.probe();
            driver = v3;
        } else {
            driver = new GenericIommuDriver(new GenericIommuModel(GenericIommuDriver.NAME, 48, 48, 16, 256, 64, false));
        }
        DmaBackend iommu = IommuDmaBackend.of(driver, lazy, () -> null, sim, sim);
        platform.addBackend(iommu, Map.of(DmaBackend.NAME_PROPERTY, backend, DmaBackend.ISOLATION_PROPERTY, true,
                "service.ranking", 100));
        DmaDirectBackend direct = new DmaDirectBackend("direct", false, () -> null);
        platform.addBackend(direct, Map.of(DmaBackend.NAME_PROPERTY, "direct", "service.ranking", 0));
    }

    /** Replays the resource {@code traces/exact/NAME} on this rig's IOMMU backend. */
    ReplaySummary replay(String name, String... settings) throws IOException {
        DeviceConfig config = new DeviceConfig();
        for (String s : settings) {
            config.set(s);
        }
        ReplayEngine engine = new ReplayEngine(platform, registry::lookup, config, ReplayOptions.defaults(),
                new Simulated(sim, sim));
        ReplaySummary s = engine.run(TraceSource.of(name, bytes(name)), List.of(backend), ReplayProgress.NONE, calls::add);
        report = ReportPrinter.render(s);
        return s;
    }

    static byte[] bytes(String name) throws IOException {
        try (InputStream in = ExactReplayRig.class.getResourceAsStream("/traces/exact/" + name)) {
            if (in == null) {
                throw new IOException("no resource " + name);
            }
            return in.readAllBytes();
        }
    }

    /** The trace's DMA-API events in trace order (iommu events left out). */
    static List<TraceEvent> dmaCalls(String name) throws IOException {
        LineParser p = new LineParser();
        List<TraceEvent> out = new ArrayList<>();
        long n = 0;
        for (String l : new String(bytes(name), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            LineResult r = p.parse(l, ++n);
            if (r.type() == LineResult.Type.EVENT && r.event().kind().isDma()) {
                out.add(r.event());
            }
        }
        return out;
    }

    private static final Pattern FIELD = Pattern.compile("\"([a-z_]+)\":(null|true|false|-?\\d+|\"(?:[^\"\\\\]|\\\\.)*\")");

    /** The --calls records by trace line; each a map of field to its JSON text (strings unquoted). */
    Map<Long, Map<String, String>> records() {
        Map<Long, Map<String, String>> out = new LinkedHashMap<>();
        for (String c : calls) {
            Map<String, String> f = new LinkedHashMap<>();
            Matcher m = FIELD.matcher(c);
            while (m.find()) {
                String v = m.group(2);
                f.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
            }
            out.put(Long.parseLong(f.get("line")), f);
        }
        return out;
    }
}
