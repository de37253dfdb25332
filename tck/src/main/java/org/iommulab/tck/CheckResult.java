package org.iommulab.tck;

import java.util.Objects;

/**
 * The outcome of one {@link Check} on one backend. Immutable.
 */
public final class CheckResult {
    /** What happened. */
    public enum Status {
        /** The backend kept the rule. */
        PASSED("PASS"),
        /** The backend broke the rule, or the check could not run on it. */
        FAILED("FAIL"),
        /** The rule does not apply to the backend ({@link NotApplicable}). */
        SKIPPED("SKIP");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        /** PASS, FAIL or SKIP, as the {@code tck} command prints it. */
        public String label() {
            return label;
        }
    }

    private final String check;
    private final String rule;
    private final String backend;
    private final Status status;
    private final String reason;
    private final Throwable failure;
    private final long nanos;

    /**
     * @param reason what was verified (PASSED), why not applicable (SKIPPED), or what broke (FAILED)
     * @param failure what the check threw when it failed, or null
     * @param nanos how long the check ran, host time
     */
    public CheckResult(String check, String rule, String backend, Status status, String reason, Throwable failure,
            long nanos) {
        this.check = Objects.requireNonNull(check, "check");
        this.rule = rule == null ? "" : rule;
        this.backend = Objects.requireNonNull(backend, "backend");
        this.status = Objects.requireNonNull(status, "status");
        this.reason = reason == null ? "" : reason;
        this.failure = failure;
        this.nanos = nanos;
    }

    /** The check's {@link Check#id()}. */
    public String check() {
        return check;
    }

    /** The check's {@link Check#rule()}. */
    public String rule() {
        return rule;
    }

    /** The backend's name. */
    public String backend() {
        return backend;
    }

    public Status status() {
        return status;
    }

    public boolean passed() {
        return status == Status.PASSED;
    }

    public boolean failed() {
        return status == Status.FAILED;
    }

    public boolean skipped() {
        return status == Status.SKIPPED;
    }

    /** One line: what was verified, why the check does not apply, or what broke. */
    public String reason() {
        return reason;
    }

    /** What the check threw when it failed (its stack says where), or null. */
    public Throwable failure() {
        return failure;
    }

    /** How long the check ran (host time, for reports only). */
    public long nanos() {
        return nanos;
    }

    /** {@code PASS smmu-v3 partial-invalidation: reason}. */
    @Override
    public String toString() {
        return status.label() + " " + backend + " " + check + ": " + reason;
    }
}
