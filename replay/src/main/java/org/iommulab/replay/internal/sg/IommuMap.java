package org.iommulab.replay.internal.sg;

/** One {@code iommu:map} event: {@code size} bytes at {@code paddr} mapped at {@code iova}. */
public record IommuMap(long iova, long paddr, long size, int pid, long line) {
    /** First IOVA past the mapping. */
    public long iovaEnd() {
        return iova + size;
    }
}
