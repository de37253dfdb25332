package org.iommulab.tck.internal.checks;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Domain;
import org.iommulab.tck.internal.Iommu;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TckDevice;

/** Two domains map the same IOVA to different pages; the IOTLB keeps them apart. */
final class IsolationBetweenDomains extends RigCheck {
    IsolationBetweenDomains() {
        super("isolation-between-domains", "IOTLB entries are tagged with their domain (SMMU ASID or VMID, VT-d domain"
                + " ID): with the same IOVA mapped to different pages in two domains, each device reaches its own"
                + " domain's page even while the other's translation is cached; an IOVA mapped in one domain only"
                + " faults for the other's device; unmapping and invalidating in one domain leaves the other's mapping.");
    }

    @Override
    String run(Rig rig) throws Exception {
        Iommu iommu = rig.iommu();
        TckDevice a = iommu.probe("dom-a");
        TckDevice b = iommu.probe("dom-b");
        Domain da = iommu.domain();
        Domain db = iommu.domain();
        da.attach(a);
        db.attach(b);
        long g = Math.max(da.granule(), db.granule());
        int prot = IommuProt.READ | IommuProt.WRITE | IommuProt.CACHE;
        long pa = rig.pages(2 * g / PAGE, Zone.NORMAL);
        long pb = rig.pages(g / PAGE, Zone.NORMAL);
        long iova = da.iovaFor(4 * g, 4 * g);
        da.map(iova, pa, g, prot);
        db.map(iova, pb, g, prot);
        da.map(iova + 2 * g, pa + g, g, prot);
        for (int i = 0; i < 2; i++) {
            iommu.expectTranslation(a, iova + 8, pa + 8, AccessType.READ, "device A in domain A");
        }
        iommu.expectTranslation(b, iova + 8, pb + 8, AccessType.READ,
                "device B in domain B at the IOVA domain A maps too (and A's translation is cached)");
        iommu.expectTranslation(a, iova + 16, pa + 16, AccessType.WRITE, "device A again, after B");
        iommu.expectTranslation(a, iova + 2 * g, pa + g, AccessType.READ, "device A at an IOVA only domain A maps");
        iommu.expectFault(b, iova + 2 * g, AccessType.READ, "device B at an IOVA only domain A maps");
        da.unmap(iova, g);
        iommu.expectFault(a, iova + 8, AccessType.READ, "device A after its domain unmapped the IOVA");
        iommu.expectTranslation(b, iova + 8, pb + 8, AccessType.READ,
                "device B after domain A unmapped and invalidated the same IOVA");
        return "the same IOVA in two domains reached each domain's own page with both cached; an IOVA of one"
                + " domain faulted for the other's device; an unmap in one left the other's mapping";
    }
}
