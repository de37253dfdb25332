package org.iommulab.iopgtable;

/**
 * A descriptor fetch that reached no memory: thrown by a {@link DescriptorReader}, caught by the
 * walker, which reports WALK_EABT (SMMUv3 F_WALK_EABT, an external abort on a table walk). It
 * carries nothing (the walker knows the address), so one shared instance without a stack trace
 * serves every abort and even the fault path allocates nothing.
 */
public final class DescriptorFetchAbort extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The only instance: {@code throw DescriptorFetchAbort.INSTANCE}. */
    public static final DescriptorFetchAbort INSTANCE = new DescriptorFetchAbort();

    private DescriptorFetchAbort() {
        // No cause (so initCause cannot change it), no suppression, no stack trace: immutable.
        super("descriptor fetch reached no memory", null, false, false);
    }
}
