package org.iommulab.api.iommu;

/** Error numbers of IOMMU operations, negated as in Linux. */
public final class IommuErrno {
    public static final int ENOMEM = -12;
    /** The range is already mapped ({@code arm_lpae_init_pte}). */
    public static final int EEXIST = -17;
    public static final int ENODEV = -19;
    public static final int EINVAL = -22;
    public static final int ENOSPC = -28;

    private IommuErrno() {
    }
}
