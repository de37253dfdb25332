package org.iommulab.iommu.dma.internal.iova;

/** Told each range of an {@link IovaTree} in address order by {@link IovaTree#forEach}. */
@FunctionalInterface
interface IovaRangeVisitor {
    void visit(long pfnLo, long pfnHi, boolean reserved);
}
