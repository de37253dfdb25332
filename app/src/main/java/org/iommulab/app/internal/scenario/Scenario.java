package org.iommulab.app.internal.scenario;

import java.util.List;
import java.util.Map;

/**
 * What to run, as a scenario file says it (or, with no file, the default: every workload on
 * every backend present). Immutable; checked against the running platform by
 * {@link ScenarioCheck} before anything runs.
 *
 * @param source where it came from, for messages
 * @param rounds default rounds per workload
 * @param size default size (0: each workload's own default)
 * @param sizeLine the line of the {@code size} directive (0 when none), for messages
 * @param seed default seed
 * @param backends the backends in order, or null for every backend present
 * @param backendsLine the line of the {@code backends} directive (0 when none)
 * @param workloads the workloads in order; empty for every workload present
 * @param devices device changes to make before the run
 * @param configs backend configurations to set (through ConfigAdmin) before the run
 */
public record Scenario(String source, int rounds, long size, int sizeLine, long seed, List<String> backends, int backendsLine,
        List<WorkloadLine> workloads, List<DeviceLine> devices, List<ConfigLine> configs) {

    public static final int DEFAULT_ROUNDS = 16;
    public static final long DEFAULT_SEED = 1;

    public Scenario {
        backends = backends == null ? null : List.copyOf(backends);
        workloads = List.copyOf(workloads);
        devices = List.copyOf(devices);
        configs = List.copyOf(configs);
    }

    /** The main job without a scenario file. */
    public static Scenario defaults() {
        return new Scenario("(default)", DEFAULT_ROUNDS, 0, 0, DEFAULT_SEED, null, 0, List.of(), List.of(), List.of());
    }

    /** One {@code workload} directive; null fields take the scenario's defaults. */
    public record WorkloadLine(int line, String name, Integer rounds, Long size, Long seed) {
    }

    /** One {@code device} directive: the device and its settings by key, as written. */
    public record DeviceLine(int line, String name, Map<String, String> settings) {
        public DeviceLine {
            settings = Map.copyOf(settings);
        }
    }

    /**
     * One {@code config} directive: a configuration PID (a backend's, such as
     * {@code org.iommulab.iommu.dma}) and the properties to set in it for the run, as written.
     */
    public record ConfigLine(int line, String pid, Map<String, String> settings) {
        public ConfigLine {
            settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
        }
    }
}
