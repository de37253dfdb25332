package org.iommulab.api.platform;

/**
 * Whose doing a fault is: the model reports what a driver or device did wrong apart from what
 * the model itself does not implement.
 */
public enum FaultOrigin {
    /** The IOMMU was programmed correctly and denied the access: unmapped, or not permitted. */
    ACCESS,
    /** The IOMMU driver programmed invalid structures or registers. */
    MISPROGRAMMED,
    /** The configuration is valid, but this model does not implement it. */
    NOT_MODELLED
}
