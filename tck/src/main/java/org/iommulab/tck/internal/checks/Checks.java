package org.iommulab.tck.internal.checks;

import java.util.List;

import org.iommulab.tck.Check;

/** Every check of the kit, in the order it runs them: through the DMA API, then the IOMMU driver, then the bundle. */
public final class Checks {
    private static final List<Check> ALL = List.of(
            new MapReadWriteUnmap(),
            new FaultAfterUnmap(),
            new DirectionPermissions(),
            new SgBothViews(),
            new CoherentZeroed(),
            new ImpossibleMask(),
            new DmaMaskRespected(),
            new IsolationBetweenDevices(),
            new MultiPageInvalidation(),
            new FaultReportedOnce(),
            new ConcurrentMapUnmap(),
            new IovaToPhys(),
            new PartialInvalidation(),
            new IsolationBetweenDomains(),
            new DetachReattach(),
            new TablePagesReturned(),
            new TablePagesZeroed(),
            new BundleLifecycle());

    private Checks() {
    }

    public static List<Check> all() {
        return ALL;
    }
}
