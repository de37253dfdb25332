package org.iommulab.tck;

/**
 * Thrown by a {@link Check} whose rule does not apply to the backend under test, for example an
 * isolation check on a backend whose {@code iommulab.backend.isolation} is false, or a page-table
 * check on a backend that is not made from an IOMMU driver. The result is SKIPPED with the
 * message as the reason. Built without a stack trace: it is an answer, not an error.
 */
public class NotApplicable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotApplicable(String reason) {
        super(reason, null, false, false);
    }
}
