package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.that;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Domain;
import org.iommulab.tck.internal.Iommu;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TckDevice;

/** Unmapping pages 2-5 of a warm 8-page mapping invalidates exactly those pages. */
final class PartialInvalidation extends RigCheck {
    static final int PAGES = 8;
    static final int FROM = 2;
    static final int TO = 5;

    PartialInvalidation() {
        super("partial-invalidation", "iommu_unmap of part of a mapping, then iotlb_sync of the gathered range,"
                + " invalidates every page of that part and nothing else (arm_smmu_tlb_inv_range_domain walks the"
                + " whole range; VT-d's page-selective invalidation covers 2^AM pages): after unmapping pages"
                + " 2-5 of a warm 8-page mapping each of them faults and pages 0, 1, 6 and 7 still translate.");
    }

    @Override
    String run(Rig rig) throws Exception {
        Iommu iommu = rig.iommu();
        TckDevice dev = iommu.probe("partial");
        Domain d = iommu.domain();
        d.attach(dev);
        long g = d.granule();
        long phys = rig.pages(PAGES * g / PAGE, Zone.NORMAL);
        long iova = d.iovaFor(PAGES * g, 16 * g);
        d.map(iova, phys, PAGES * g, IommuProt.READ | IommuProt.WRITE | IommuProt.CACHE);
        for (int round = 0; round < 2; round++) {
            for (int p = 0; p < PAGES; p++) {
                long off = p * g + 0x10;
                iommu.expectTranslation(dev, iova + off, phys + off, AccessType.READ, "page " + p + " before the unmap");
            }
        }
        long unmapped = d.unmap(iova + FROM * g, (TO - FROM + 1) * g);
        that(unmapped == (TO - FROM + 1) * g, () -> "unmapping pages " + FROM + "-" + TO + " returned " + unmapped
                + " bytes, not " + (TO - FROM + 1) * g);
        StringBuilder stale = new StringBuilder();
        for (int p = FROM; p <= TO; p++) {
            long at = iova + p * g + 0x10;
            try {
                iommu.expectFault(dev, at, AccessType.READ, "page " + p);
            } catch (AssertionError e) {
                stale.append(stale.length() == 0 ? "" : "; ").append(e.getMessage());
            }
        }
        that(stale.length() == 0, () -> "after unmapping pages " + FROM + "-" + TO + " of a warm " + PAGES
                + "-page mapping at " + hex(iova) + " and syncing: " + stale + " (only part of the range invalidated?)");
        for (int p : new int[] {0, 1, 6, 7}) {
            long off = p * g + 0x18;
            iommu.expectTranslation(dev, iova + off, phys + off, AccessType.READ, "page " + p
                    + ", which stays mapped, after pages " + FROM + "-" + TO + " were unmapped");
        }
        return "after unmapping pages " + FROM + "-" + TO + " of a warm " + PAGES + "-page mapping, each of them faulted"
                + " once and pages 0, 1, 6, 7 still translated";
    }
}
