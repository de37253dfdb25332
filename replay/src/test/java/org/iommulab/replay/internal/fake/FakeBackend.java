package org.iommulab.replay.internal.fake;

/**
 * How a fake backend maps, after the Linux paths it stands for (enough for the replay's tests,
 * not a model): DIRECT is dma-direct (dma = phys, sg never merged), IOMMU is iommu-dma (IOVAs
 * top-down below 4 GiB, sg entries merged by __finalise_sg's rule), SWIOTLB bounces every
 * mapping through a pool and counts the copies.
 */
public enum FakeBackend {
    DIRECT("direct"),
    IOMMU("iommu"),
    SWIOTLB("swiotlb");

    private final String backendName;

    FakeBackend(String name) {
        this.backendName = name;
    }

    public String backendName() {
        return backendName;
    }
}
