package org.iommulab.smmu.v2.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IommuResvRegion;
import org.junit.jupiter.api.Test;

class ResvRegionsTest {
    /** arm_smmu_get_resv_regions (arm-smmu.c): IOMMU_RESV_SW_MSI at 0x8000000 of 1 MiB, as arm-smmu-v3. */
    @Test
    void theSoftwareMsiWindowIsReportedAsArmSmmuReportsIt() {
        DriverRig rig = new DriverRig();
        assertEquals(List.of(new IommuResvRegion(0x8000000L, 0x100000L, IommuProt.WRITE | IommuProt.NOEXEC | IommuProt.MMIO,
                IommuResvRegion.Type.SW_MSI)), rig.driver.resvRegions(rig.device("dev", 3)));
    }
}
