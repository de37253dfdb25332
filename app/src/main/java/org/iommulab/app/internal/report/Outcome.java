package org.iommulab.app.internal.report;

/** How one row of the main job's table ended, judged against what was expected of it. */
public enum Outcome {
    /** A correct workload ran clean: no fault, failed mapping, data error or checker finding. */
    OK("ok", true),
    /** The seeded-bug workload on a backend that did not merge its lists: its assumption held, and it ran clean. */
    OK_NOT_MERGED("ok (not merged)", true),
    /** The seeded-bug workload on a merging backend, caught by the data check and (when it is on) the checker. */
    CAUGHT("caught (expected)", true),
    /** The backend would not take the device; not the workload's failure. */
    REFUSED("refused", true),
    /** A workload that should have run clean did not. */
    FAILED("FAILED", false),
    /** The seeded-bug workload corrupted a merged list and was not caught as it must be. */
    UNCAUGHT("UNCAUGHT", false);

    private final String label;
    private final boolean success;

    Outcome(String label, boolean success) {
        this.label = label;
        this.success = success;
    }

    /** The status column's text. */
    public String label() {
        return label;
    }

    /** False for the outcomes that make the job exit 1. */
    public boolean success() {
        return success;
    }
}
