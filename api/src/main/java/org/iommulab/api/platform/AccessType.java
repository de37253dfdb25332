package org.iommulab.api.platform;

/** What a device access does to memory. */
public enum AccessType {
    /** The device reads memory (a memory-to-device transfer). */
    READ,
    /** The device writes memory (a device-to-memory transfer). */
    WRITE
}
