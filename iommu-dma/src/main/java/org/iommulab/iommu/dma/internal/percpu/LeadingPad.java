package org.iommulab.iommu.dma.internal.percpu;

/**
 * 64 bytes between a {@link PerCpuLocked}'s fields and whatever the heap put before it
 * (superclass fields come first in an object).
 */
class LeadingPad {
    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7;
}
