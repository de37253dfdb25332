package org.iommulab.app.internal.results;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** The job's closing line and exit status, from its records (the run's own, or merged shards'). */
public final class Summary {
    /** Exit status: every run as expected. */
    public static final int OK = 0;
    /** Exit status: a run not as expected, or nothing could run. */
    public static final int FAILED = 1;

    private Summary() {
    }

    /** Prints the closing line and returns {@link #OK} or {@link #FAILED}. */
    public static int print(List<Map<String, Object>> rows, PrintStream out) {
        long bad = rows.stream().filter(r -> !Boolean.TRUE.equals(r.get("success"))).count();
        long caught = rows.stream().filter(r -> "CAUGHT".equals(r.get("outcome"))).count();
        long refused = rows.stream().filter(r -> "REFUSED".equals(r.get("outcome"))).count();
        if (bad == 0) {
            out.println("iommulab: every workload as expected (" + rows.size() + " runs"
                    + (caught > 0 ? "; the seeded bug was caught on " + caught + " merging backend(s)" : "")
                    + (refused > 0 ? "; " + refused + " not run" : "") + ")");
            return OK;
        }
        out.println("iommulab: FAILED: " + bad + " of " + rows.size() + " runs not as expected; see the rows above");
        return FAILED;
    }
}
