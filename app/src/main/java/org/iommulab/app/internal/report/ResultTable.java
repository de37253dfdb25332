package org.iommulab.app.internal.report;

import java.io.PrintStream;
import java.util.List;

import org.iommulab.api.admin.Stat;
import org.iommulab.devices.WorkloadReport;

/**
 * Prints the main job's table, one row per backend and workload, then the lines the rows have to
 * tell. Every figure is a function of the input and the configuration except the one named as
 * the host's: "wall ms", how long the run took on the host ("sim ms" is the simulated time).
 */
public final class ResultTable {
    /** The numeric columns; the first three (backend, workload, device) widen for long names. */
    private static final String NUMBERS = "%5s %9s %11s %9s %9s %6s %8s %8s %8s %7s %-8s %s%n";

    private ResultTable() {
    }

    public static void print(List<ResultRow> rows, PrintStream out) {
        String format = format(rows);
        out.printf(format, "backend", "workload", "device", "ops", "bytes", "sg ent/seg", "bounced", "iotlb hit", "faults",
                "findings", "data err", "sim ms", "wall ms", "expected", "status");
        for (ResultRow row : rows) {
            WorkloadReport r = row.report();
            if (r == null) {
                out.printf(format, row.backend(), row.workload(), row.device(), "-", "-", "-", "-", "-", "-", "-", "-", "-", "-",
                        "-", Outcome.REFUSED.label());
                continue;
            }
            long hits = row.stat(Stat.IOTLB_HITS);
            long lookups = hits + row.stat(Stat.IOTLB_MISSES);
            out.printf(format, row.backend(), row.workload(), row.device(), r.operations(), bytes(r.bytes()),
                    r.sgLists() == 0 ? "-" : String.format("%.1f/%.1f", r.entriesPerSgList(), r.segmentsPerSgList()),
                    bytes(row.stat(Stat.BOUNCED_BYTES)),
                    lookups == 0 ? "-" : String.format("%.1f%%", 100.0 * hits / lookups),
                    r.faults(), row.findings(), r.dataErrors() + r.mapFailures(),
                    String.format("%.3f", row.simNanos() / 1e6), String.format("%.0f", row.wallNanos() / 1e6), row.expected(), row.outcome().label()
                            + (r.skipped() > 0 ? ", " + r.skipped() + " skipped" : ""));
        }
        for (ResultRow row : rows) {
            String where = row.backend() + "/" + row.workload() + ": ";
            if (row.report() == null) {
                out.println(where + "not run: " + row.refusal());
                continue;
            }
            for (String note : row.report().notes()) {
                out.println(where + note);
            }
            if (row.report().firstError() != null) {
                out.println(where + row.report().firstError());
            }
            if (row.firstFinding() != null) {
                out.println(where + "checker: " + row.firstFinding());
            }
            if (row.why() != null) {
                out.println(where + row.outcome().label() + ": " + row.why());
            }
        }
    }

    /**
     * The row format: the backend, workload and device columns as wide as their longest entry
     * (at least 9, 10 and 8), so a third-party backend's long name does not shift the table.
     */
    static String format(List<ResultRow> rows) {
        int backend = 9;
        int workload = 10;
        int device = 8;
        for (ResultRow r : rows) {
            backend = Math.max(backend, r.backend().length());
            workload = Math.max(workload, r.workload().length());
            device = Math.max(device, r.device().length());
        }
        return "%-" + backend + "s %-" + workload + "s %-" + device + "s " + NUMBERS;
    }

    /** A byte count in a column: exact below 10 KiB, else KiB, MiB or GiB with one decimal. */
    static String bytes(long b) {
        if (b < 10 * 1024) {
            return Long.toString(b);
        }
        if (b < 10L << 20) {
            return String.format("%.1fK", b / 1024.0);
        }
        if (b < 10L << 30) {
            return String.format("%.1fM", b / (1024.0 * 1024));
        }
        return String.format("%.1fG", b / (1024.0 * 1024 * 1024));
    }
}
