package org.iommulab.platform.internal.core;

import java.util.Arrays;

import org.iommulab.api.platform.DeviceDescriptor;

/** Field-by-field comparison of device descriptors, which define no {@code equals}. */
final class Descriptors {
    private Descriptors() {
    }

    /** True when {@code a} and {@code b} describe the same device in every field. */
    static boolean same(DeviceDescriptor a, DeviceDescriptor b) {
        return a.name().equals(b.name())
                && Arrays.equals(a.streamIds(), b.streamIds())
                && a.dmaMask() == b.dmaMask()
                && a.busDmaLimit() == b.busDmaLimit()
                && a.dmaRanges().equals(b.dmaRanges())
                && a.coherent() == b.coherent()
                && a.trusted() == b.trusted()
                && a.pci() == b.pci()
                && a.maxSegmentSize() == b.maxSegmentSize()
                && a.segmentBoundaryMask() == b.segmentBoundaryMask()
                && a.minAlignMask() == b.minAlignMask();
    }
}
