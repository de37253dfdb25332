package org.iommulab.tck;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One conformance check: a rule of Linux's DMA-mapping API or of an IOMMU architecture that a
 * backend must keep, and the code that tries it. A check is stateless; the runner calls
 * {@link #run} once per backend, each time on a thread of its own, and cleans up nothing
 * itself: a check removes what it added (devices, pages, domains) before it returns or throws.
 */
@ConsumerType
public interface Check {
    /** How long {@link #run} may take unless a check says otherwise. */
    long DEFAULT_TIMEOUT_MILLIS = 60_000;

    /** A stable name, lower-case words joined by '-', for example {@code partial-invalidation}. */
    String id();

    /**
     * The Linux behaviour or architecture rule this check holds a backend to, in a sentence or
     * two, with the Linux function or spec section it comes from.
     */
    String rule();

    /**
     * Runs the check against one backend.
     *
     * @return one line saying what was verified (printed beside PASS)
     * @throws NotApplicable when the rule does not apply to this backend (a non-isolating
     *         backend, one not made from an IOMMU driver): the result is SKIPPED
     * @throws Exception or an {@link AssertionError}: the backend broke the rule; the message
     *         says how, in the backend's terms
     */
    String run(BackendUnderTest backend) throws Exception;

    /** The longest {@link #run} may take before it counts as hung and fails. */
    default long timeoutMillis() {
        return DEFAULT_TIMEOUT_MILLIS;
    }
}
