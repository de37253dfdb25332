package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.that;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TestDevice;

/** Unmapping a warm multi-page mapping invalidates every page of it. */
final class MultiPageInvalidation extends RigCheck {
    static final int PAGES = 8;

    MultiPageInvalidation() {
        super("multi-page-invalidation", "A strict dma_unmap_single of a multi-page mapping invalidates the whole"
                + " range before it returns (iommu_iotlb_sync of the gathered range, arm_smmu_tlb_inv_range_domain):"
                + " after it, an access to any page of the mapping faults, not only to the first, however warm the"
                + " IOTLB was.");
    }

    @Override
    String run(Rig rig) throws Exception {
        rig.requireIsolation();
        TestDevice d = rig.strictDevice("multi");
        long buf = rig.pages(PAGES, Zone.NORMAL);
        for (int p = 0; p < PAGES; p++) {
            rig.memory.writeLong(buf + (long) p * PAGE, 0x7000 + p);
        }
        long dma = d.api.mapPhys(buf, (long) PAGES * PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        that(!d.api.mappingError(dma), () -> d + ": mapping " + PAGES + " pages failed; log: " + rig.admin.log(d.name));
        for (int round = 0; round < 2; round++) {
            for (int p = 0; p < PAGES; p++) {
                long addr = dma + (long) p * PAGE;
                long got = d.bus.readLong(addr);
                long want = 0x7000 + p;
                that(got == want, () -> "page at " + hex(addr) + " read " + hex(got) + ", not " + hex(want));
            }
        }
        d.api.unmapPhys(dma, (long) PAGES * PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        java.util.List<Integer> stale = new java.util.ArrayList<>();
        String first = null;
        for (int p = 0; p < PAGES; p++) {
            long addr = dma + (long) p * PAGE + 8;
            try {
                d.expectFault("page " + p + " of the unmapped " + PAGES + "-page mapping", addr, 8, () -> d.bus.readLong(addr));
            } catch (AssertionError e) {
                stale.add(p);
                first = first == null ? e.getMessage() : first;
            }
        }
        String firstError = first;
        that(stale.isEmpty(), () -> "after a strict unmap of a warm " + PAGES + "-page mapping at " + hex(dma) + ", pages "
                + stale + " did not fault once (only part of the range invalidated?); first: " + firstError);
        return "after a strict unmap of a warm " + PAGES + "-page mapping every page faulted once";
    }
}
