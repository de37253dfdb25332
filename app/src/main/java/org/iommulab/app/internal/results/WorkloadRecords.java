package org.iommulab.app.internal.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.api.admin.Stat;
import org.iommulab.app.internal.report.ResultRow;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;

/**
 * One results record per run of a workload on a backend (schema
 * {@code iommulab-results.schema.json}, {@code $defs/workloadRecord}): every figure of the main
 * job's table, unrounded, plus the configuration that produced it. The table itself is printed
 * from these records ({@link org.iommulab.app.internal.report.ResultTable}), so the two never
 * disagree and {@code merge} can print a merged table.
 */
public final class WorkloadRecords {
    /** The record fields that are host timing, not a function of input and configuration. */
    public static final List<String> HOST_TIMING = List.of("wallNanos");

    private WorkloadRecords() {
    }

    /**
     * @param params the parameters the run had (rounds, size, seed)
     * @param warm whether a warm-up run of the same workload on the same backend came first
     */
    public static Map<String, Object> of(ResultRow row, WorkloadParams params, RunPoint where, boolean warm) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", (long) where.index());
        m.put("point", (long) where.point());
        m.put("settings", new LinkedHashMap<String, Object>(where.settings()));
        m.put("backend", row.backend());
        m.put("workload", row.workload());
        m.put("device", row.device());
        m.put("rounds", params == null ? null : (long) params.rounds());
        m.put("size", params == null ? null : params.size());
        m.put("seed", params == null ? null : params.seed());
        m.put("deviceOverrides", new LinkedHashMap<String, Object>(where.deviceOverrides()));
        Map<String, Object> config = new LinkedHashMap<>();
        where.backendConfig().forEach((pid, kv) -> config.put(pid, new LinkedHashMap<String, Object>(kv)));
        m.put("backendConfig", config);
        WorkloadReport r = row.report();
        m.put("ran", r != null);
        m.put("ops", r == null ? null : r.operations());
        m.put("bytes", r == null ? null : r.bytes());
        m.put("sgLists", r == null ? null : r.sgLists());
        m.put("sgEntriesPerList", r == null || r.sgLists() == 0 ? null : r.entriesPerSgList());
        m.put("sgSegmentsPerList", r == null || r.sgLists() == 0 ? null : r.segmentsPerSgList());
        m.put("bouncedBytes", r == null ? null : row.stat(Stat.BOUNCED_BYTES));
        long hits = row.stat(Stat.IOTLB_HITS);
        long misses = row.stat(Stat.IOTLB_MISSES);
        m.put("iotlbHits", r == null ? null : hits);
        m.put("iotlbMisses", r == null ? null : misses);
        m.put("faults", r == null ? null : r.faults());
        m.put("findings", r == null ? null : row.findings());
        m.put("dataErrors", r == null ? null : r.dataErrors());
        m.put("mapFailures", r == null ? null : r.mapFailures());
        m.put("skipped", r == null ? null : r.skipped());
        m.put("simNanos", r == null ? null : row.simNanos());
        m.put("wallNanos", r == null ? null : row.wallNanos());
        m.put("warm", r != null && warm);
        m.put("expected", row.expected());
        m.put("outcome", row.outcome().name());
        m.put("status", row.outcome().label());
        m.put("success", row.outcome().success());
        m.put("notes", r == null ? List.of() : new ArrayList<Object>(r.notes()));
        m.put("firstError", r == null ? null : r.firstError());
        m.put("firstFinding", row.firstFinding());
        m.put("why", row.why());
        m.put("refusal", row.refusal());
        return m;
    }

    /** A record with the host-timing fields removed: what two runs of the same input must agree on. */
    public static Map<String, Object> withoutHostTiming(Map<String, Object> record) {
        Map<String, Object> m = new LinkedHashMap<>(record);
        HOST_TIMING.forEach(m::remove);
        return m;
    }
}
