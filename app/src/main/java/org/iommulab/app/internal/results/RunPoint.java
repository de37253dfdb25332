package org.iommulab.app.internal.results;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a run sits in a sweep and the configuration that produced it, as the results files
 * record it. Immutable.
 *
 * @param index the run's place in the whole sweep (0-based, over every point, backend and
 *     workload in the order the unsharded run takes them): a shard keeps its runs' indexes,
 *     so merged shards sort back into the unsharded order
 * @param point the sweep point (0-based; 0 for a scenario without value lists)
 * @param settings the point's value of each swept setting, by the directive it belongs to
 *     ("device mmc1 maxseg" to "4K"); empty without value lists
 * @param deviceOverrides the scenario's {@code device} settings for this run's device, as written
 * @param backendConfig the scenario's {@code config} settings at this point, by PID, as written
 */
public record RunPoint(int index, int point, Map<String, String> settings, Map<String, String> deviceOverrides,
        Map<String, Map<String, String>> backendConfig) {

    public RunPoint {
        settings = new LinkedHashMap<>(settings);
        deviceOverrides = new LinkedHashMap<>(deviceOverrides);
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        backendConfig.forEach((k, v) -> copy.put(k, new LinkedHashMap<>(v)));
        backendConfig = copy;
    }

    /** A run of a plain scenario (no sweep, no device or config settings). */
    public static RunPoint plain(int index) {
        return new RunPoint(index, 0, Map.of(), Map.of(), Map.of());
    }
}
