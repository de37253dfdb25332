package org.iommulab.app.internal.workload;

import java.io.PrintStream;
import java.util.List;

import org.iommulab.api.admin.Stat;

/** Prints the main job's table: one row per backend and device, then the rows' problems. */
public final class ResultTable {
    private static final String FORMAT = "%-10s %-8s %9s %12s %11s %12s %11s %7s %8s %9s  %s%n";

    private ResultTable() {
    }

    public static void print(List<ResultRow> rows, PrintStream out) {
        out.printf(FORMAT, "backend", "device", "transfers", "bytes", "sg ent/seg", "bounced", "iotlb hit", "faults",
                "errors", "ms", "status");
        for (ResultRow row : rows) {
            if (row.result() == null) {
                out.printf(FORMAT, row.backend(), row.device(), "-", "-", "-", "-", "-", "-", "-", "-",
                        "refused: " + row.refusal());
                continue;
            }
            WorkloadResult r = row.result();
            long hits = row.stat(Stat.IOTLB_HITS);
            long lookups = hits + row.stat(Stat.IOTLB_MISSES);
            out.printf(FORMAT, row.backend(), row.device(), r.transfers(), r.bytes(),
                    String.format("%.1f/%.1f", r.entriesPerSgList(), r.segmentsPerSgList()),
                    row.stat(Stat.BOUNCED_BYTES),
                    lookups == 0 ? "-" : String.format("%.1f%%", 100.0 * hits / lookups),
                    r.faults(), r.dataErrors() + r.mapFailures(),
                    String.format("%.1f", row.nanos() / 1e6), row.clean() ? "ok" : "FAILED");
        }
        for (ResultRow row : rows) {
            if (row.result() != null && row.result().firstError() != null) {
                out.println(row.backend() + "/" + row.device() + ": " + row.result().firstError());
            }
        }
    }
}
