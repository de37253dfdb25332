package org.iommulab.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WorkloadApiTest {
    @Test
    void paramsRejectBadValues() {
        assertThrows(IllegalArgumentException.class, () -> new WorkloadParams(0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new WorkloadParams(1, -1, 1));
        assertEquals(4096, new WorkloadParams(1, 0, 1).sizeOr(4096));
        assertEquals(512, new WorkloadParams(1, 512, 1).sizeOr(4096));
        assertEquals(new WorkloadParams(2, 3, 4), new WorkloadParams(2, 3, 4));
    }

    @Test
    void aReportCountsAndKeepsTheFirstError() {
        WorkloadReport.Builder b = WorkloadReport.builder("w", "d", "b");
        b.operation(100).operation(50).sgList(4, 1).sgList(4, 4);
        assertTrue(b.build().clean());
        b.dataErrors(0, "no error");
        assertTrue(b.build().clean(), "zero errors are no error");
        b.dataErrors(3, "first").fault("second").mapFailure("third");
        WorkloadReport r = b.build();
        assertEquals(2, r.operations());
        assertEquals(150, r.bytes());
        assertEquals(8, r.cpuEntries());
        assertEquals(5, r.dmaSegments());
        assertEquals(2.5, r.segmentsPerSgList(), 1e-9);
        assertTrue(r.merged());
        assertEquals("first", r.firstError());
        assertFalse(r.clean());
        assertEquals(3, r.dataErrors());
    }

    @Test
    void skippedOperationsAreNotFailures() {
        WorkloadReport r = WorkloadReport.builder("w", "d", "b").skipped("why").skipped("why").build();
        assertTrue(r.clean());
        assertEquals(2, r.skipped());
        assertEquals(1, r.notes().size());
    }
}
