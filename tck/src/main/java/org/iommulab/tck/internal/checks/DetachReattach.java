package org.iommulab.tck.internal.checks;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Domain;
import org.iommulab.tck.internal.Iommu;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TckDevice;

/** A detached device reaches nothing; attached again, or to another domain, it reaches that domain's pages. */
final class DetachReattach extends RigCheck {
    DetachReattach() {
        super("detach-reattach", "Detaching a device (Linux attaches the blocking domain) cuts it off at once, even"
                + " from translations it had cached; attaching it again gives it the domain's mappings, which"
                + " survived; attaching it to another domain gives it that domain's mappings and none of the old"
                + " one's (the stream's configuration and cached entries are replaced, arm_smmu_attach_dev).");
    }

    @Override
    String run(Rig rig) throws Exception {
        Iommu iommu = rig.iommu();
        TckDevice dev = iommu.probe("detach");
        Domain d1 = iommu.domain();
        Domain d2 = iommu.domain();
        long g = Math.max(d1.granule(), d2.granule());
        int prot = IommuProt.READ | IommuProt.WRITE | IommuProt.CACHE;
        long p1 = rig.pages(g / PAGE, Zone.NORMAL);
        long p2 = rig.pages(g / PAGE, Zone.NORMAL);
        long iova = d1.iovaFor(2 * g, 2 * g);
        d1.map(iova, p1, g, prot);
        d2.map(iova, p2, g, prot);
        d1.attach(dev);
        iommu.expectTranslation(dev, iova + 8, p1 + 8, AccessType.READ, "attached to domain 1");
        iommu.expectTranslation(dev, iova + 8, p1 + 8, AccessType.READ, "attached to domain 1, again");
        d1.detach(dev);
        iommu.expectFault(dev, iova + 8, AccessType.READ, "after detach, with the translation cached before");
        d1.attach(dev);
        iommu.expectTranslation(dev, iova + 8, p1 + 8, AccessType.READ, "attached to domain 1 again");
        d1.detach(dev);
        d2.attach(dev);
        iommu.expectTranslation(dev, iova + 8, p2 + 8, AccessType.READ,
                "attached to domain 2, which maps the same IOVA to another page");
        d2.detach(dev);
        iommu.expectFault(dev, iova + 8, AccessType.READ, "detached from domain 2");
        return "detached, the device faulted at once; attached again it reached domain 1's page; attached to"
                + " domain 2 it reached domain 2's page at the same IOVA, none of domain 1's";
    }
}
