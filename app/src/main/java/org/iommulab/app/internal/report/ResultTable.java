package org.iommulab.app.internal.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.iommulab.app.internal.results.RecordTable;
import org.iommulab.app.internal.results.RunPoint;
import org.iommulab.app.internal.results.WorkloadRecords;

/**
 * Prints the main job's table, one row per backend and workload, then the lines the rows have to
 * tell. Every figure is a function of the input and the configuration except the one named as
 * the host's: "wall ms", how long the run took on the host ("sim ms" is the simulated time).
 * The table is printed from the results records ({@link WorkloadRecords}), the same ones
 * {@code --json} and {@code --csv} write, so {@code merge} prints the same table from shards.
 */
public final class ResultTable {
    private ResultTable() {
    }

    /** The rows of one plain run (no sweep), as the main job printed them before records existed. */
    public static void print(List<ResultRow> rows, PrintStream out) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (ResultRow r : rows) {
            records.add(WorkloadRecords.of(r, null, RunPoint.plain(records.size()), false));
        }
        printRecords(records, out);
    }

    /** One row per record; a sweep's rows say their point ("#2") in front of the backend. */
    public static void printRecords(List<Map<String, Object>> records, PrintStream out) {
        RecordTable.print(records, out);
    }

    static String bytes(long b) {
        return RecordTable.bytes(b);
    }
}
