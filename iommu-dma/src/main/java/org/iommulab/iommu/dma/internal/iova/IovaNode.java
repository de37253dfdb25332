package org.iommulab.iommu.dma.internal.iova;

/**
 * One allocated (or reserved) IOVA range {@code [pfnLo, pfnHi]}, Linux {@code struct iova}, as
 * {@link IovaDomain#find} answers it: a snapshot of the range, not a node of the tree. The tree
 * ({@link IovaTree}) keeps its ranges in primitive arrays, 12 bytes each, so that a million live
 * mappings do not cost a million objects; only a lookup makes one of these.
 */
public final class IovaNode {
    private final long pfnLo;
    private final long pfnHi;
    private final boolean reserved;

    IovaNode(long pfnLo, long pfnHi, boolean reserved) {
        this.pfnLo = pfnLo;
        this.pfnHi = pfnHi;
        this.reserved = reserved;
    }

    public long pfnLo() {
        return pfnLo;
    }

    public long pfnHi() {
        return pfnHi;
    }

    /** Number of granules in the range. */
    public long size() {
        return pfnHi - pfnLo + 1;
    }

    /** Reserved by {@code reserve_iova}: never handed out, never freed. */
    public boolean reserved() {
        return reserved;
    }

    @Override
    public String toString() {
        return String.format("iova[0x%x-0x%x]%s", pfnLo, pfnHi, reserved ? " reserved" : "");
    }
}
