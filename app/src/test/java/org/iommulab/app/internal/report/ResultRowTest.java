package org.iommulab.app.internal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.Stat;
import org.iommulab.devices.WorkloadReport;
import org.junit.jupiter.api.Test;

/** The verdicts: what counts as expected for a correct workload and for the seeded bug. */
class ResultRowTest {
    private static DeviceStats stats(long findings) {
        long[] v = new long[Stat.values().length];
        v[Stat.CHECKER_FINDINGS.ordinal()] = findings;
        return new DeviceStats("d", "b", v);
    }

    private static WorkloadReport report(boolean merged, long dataErrors) {
        WorkloadReport.Builder b = WorkloadReport.builder("w", "d", "b").operation(1).sgList(4, merged ? 1 : 4);
        return b.dataErrors(dataErrors, "bad bytes").build();
    }

    private static Outcome outcome(boolean seeded, boolean checkerOn, boolean merged, long dataErrors, long findings) {
        return ResultRow.ran("b", "w", seeded, checkerOn, report(merged, dataErrors), stats(0), stats(findings), 1, 1, null)
                .outcome();
    }

    @Test
    void aCorrectWorkloadMustBeCleanAndUnflagged() {
        assertEquals(Outcome.OK, outcome(false, true, true, 0, 0));
        assertEquals(Outcome.FAILED, outcome(false, true, false, 1, 0));
        assertEquals(Outcome.FAILED, outcome(false, true, false, 0, 1), "a checker finding fails a correct workload");
    }

    @Test
    void theSeededBugMustBeCaughtExactlyWhereItsListsWereMerged() {
        assertEquals(Outcome.OK_NOT_MERGED, outcome(true, true, false, 0, 0));
        assertEquals(Outcome.FAILED, outcome(true, true, false, 5, 0), "unmerged, its assumption holds: errors are real failures");
        assertEquals(Outcome.CAUGHT, outcome(true, true, true, 5, 2));
        assertEquals(Outcome.UNCAUGHT, outcome(true, true, true, 0, 2), "corruption the data check missed");
        assertEquals(Outcome.UNCAUGHT, outcome(true, true, true, 5, 0), "the checker is on and said nothing");
        assertEquals(Outcome.CAUGHT, outcome(true, false, true, 5, 0), "with the checker off the data check suffices");
    }

    @Test
    void onlyFailedAndUncaughtFailTheJob() {
        for (Outcome o : Outcome.values()) {
            assertEquals(o != Outcome.FAILED && o != Outcome.UNCAUGHT, o.success(), o.toString());
        }
        assertFalse(ResultRow.notRun("b", "w", "d", true, "no").outcome() != Outcome.REFUSED);
        assertTrue(ResultTable.bytes(1536).equals("1536") && ResultTable.bytes(64 * 1024).equals("64.0K"));
    }
}
