package org.iommulab.app.internal.results;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The main job's table printed from results records ({@link WorkloadRecords}): the run prints
 * it, and {@code merge} prints the same from shards' files. Depends on nothing but the records,
 * so the jar's launcher can print it without starting the container.
 */
public final class RecordTable {
    /** The numeric columns; the first three (backend, workload, device) widen for long names. */
    private static final String NUMBERS = "%5s %9s %11s %9s %9s %6s %8s %8s %8s %7s %-8s %s%n";

    private RecordTable() {
    }

    /** One row per record; a sweep's rows say their point ("#2") in front of the backend. */
    public static void print(List<Map<String, Object>> records, PrintStream out) {
        boolean sweep = records.stream().anyMatch(r -> !((Map<?, ?>) r.get("settings")).isEmpty());
        String format = format(records, sweep);
        out.printf(format, "backend", "workload", "device", "ops", "bytes", "sg ent/seg", "bounced", "iotlb hit", "faults",
                "findings", "data err", "sim ms", "wall ms", "expected", "status");
        for (Map<String, Object> r : records) {
            String backend = backendCell(r, sweep);
            if (!Boolean.TRUE.equals(r.get("ran"))) {
                out.printf(format, backend, r.get("workload"), r.get("device"), "-", "-", "-", "-", "-", "-", "-", "-", "-", "-",
                        "-", r.get("status"));
                continue;
            }
            long hits = num(r, "iotlbHits");
            long lookups = hits + num(r, "iotlbMisses");
            long skipped = num(r, "skipped");
            out.printf(format, backend, r.get("workload"), r.get("device"), num(r, "ops"), bytes(num(r, "bytes")),
                    r.get("sgEntriesPerList") == null ? "-"
                            : String.format("%.1f/%.1f", dbl(r, "sgEntriesPerList"), dbl(r, "sgSegmentsPerList")),
                    bytes(num(r, "bouncedBytes")),
                    lookups == 0 ? "-" : String.format("%.1f%%", 100.0 * hits / lookups),
                    num(r, "faults"), num(r, "findings"), num(r, "dataErrors") + num(r, "mapFailures"),
                    String.format("%.3f", num(r, "simNanos") / 1e6), String.format("%.0f", num(r, "wallNanos") / 1e6),
                    r.get("expected"), r.get("status") + (skipped > 0 ? ", " + skipped + " skipped" : ""));
        }
        for (Map<String, Object> r : records) {
            String where = backendCell(r, sweep) + "/" + r.get("workload") + ": ";
            if (!Boolean.TRUE.equals(r.get("ran"))) {
                out.println(where + "not run: " + r.get("refusal"));
                continue;
            }
            for (Object note : (List<?>) r.get("notes")) {
                out.println(where + note);
            }
            if (r.get("firstError") != null) {
                out.println(where + r.get("firstError"));
            }
            if (r.get("firstFinding") != null) {
                out.println(where + "checker: " + r.get("firstFinding"));
            }
            if (r.get("why") != null) {
                out.println(where + r.get("status") + ": " + r.get("why"));
            }
        }
        if (sweep) {
            printPoints(records, out);
        }
    }

    /** A sweep's legend: what each point set. */
    private static void printPoints(List<Map<String, Object>> records, PrintStream out) {
        long last = -1;
        for (Map<String, Object> r : records) {
            long p = num(r, "point");
            if (p == last) {
                continue;
            }
            last = p;
            StringBuilder b = new StringBuilder("#" + p + ":");
            ((Map<?, ?>) r.get("settings")).forEach((k, v) -> b.append(' ').append(k).append('=').append(v).append(';'));
            b.setLength(b.length() - 1);
            out.println(b);
        }
    }

    private static String backendCell(Map<String, Object> r, boolean sweep) {
        return sweep ? "#" + r.get("point") + " " + r.get("backend") : String.valueOf(r.get("backend"));
    }

    private static long num(Map<String, Object> r, String key) {
        Object v = r.get(key);
        return v == null ? 0 : ((Number) v).longValue();
    }

    private static double dbl(Map<String, Object> r, String key) {
        return ((Number) r.get(key)).doubleValue();
    }

    /**
     * The row format: the backend, workload and device columns as wide as their longest entry
     * (at least 9, 10 and 8), so a third-party backend's long name does not shift the table.
     */
    public static String format(List<Map<String, Object>> records, boolean sweep) {
        int backend = 9;
        int workload = 10;
        int device = 8;
        for (Map<String, Object> r : records) {
            backend = Math.max(backend, backendCell(r, sweep).length());
            workload = Math.max(workload, String.valueOf(r.get("workload")).length());
            device = Math.max(device, String.valueOf(r.get("device")).length());
        }
        return "%-" + backend + "s %-" + workload + "s %-" + device + "s " + NUMBERS;
    }

    /** A byte count in a column: exact below 10 KiB, else KiB, MiB or GiB with one decimal. */
    public static String bytes(long b) {
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
