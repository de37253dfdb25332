package org.iommulab.app.internal.console;

import java.util.List;

import org.iommulab.app.internal.collect.RunCollector;
import org.iommulab.app.internal.report.ResultRow;

/**
 * What the console plugin shows and does, apart from HTTP: the platform's backends and devices,
 * a swap, a run of every workload, and the pictures. Implemented over the running platform by
 * the console mode; thread-safe (requests come on the server's threads).
 */
public interface ConsoleView {
    /** A backend as registered: name, ranking, the bundle that provides it. */
    record Backend(String name, int ranking, String bundle, String bundleState) {
    }

    /** A device: its binding and counters on the backend it is on now. */
    record Device(String name, String backend, String targetFilter, int swaps, long maps, long bouncedBytes, long iotlbHits,
            long iotlbMisses, long faults, long findings) {
    }

    List<Backend> backends();

    List<Device> devices();

    /**
     * Moves {@code device} to {@code backend} with the swap protocol.
     *
     * @return what happened, for the page
     */
    String swap(String device, String backend);

    /** Runs every workload on every backend (two rounds each) and keeps the rows; returns the summary. */
    String runWorkloads();

    /** The rows of the last {@link #runWorkloads}, or empty. */
    List<ResultRow> lastRows();

    /** What the collector heard since the console started. */
    RunCollector collector();

    /** Each device's log lines (the MSI doorbell's address is there). */
    java.util.Map<String, List<String>> deviceLogs();
}
