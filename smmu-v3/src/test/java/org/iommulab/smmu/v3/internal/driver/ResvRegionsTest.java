package org.iommulab.smmu.v3.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IommuResvRegion;
import org.junit.jupiter.api.Test;

class ResvRegionsTest {
    /**
     * arm_smmu_get_resv_regions (arm-smmu-v3.c): IOMMU_RESV_SW_MSI at MSI_IOVA_BASE 0x8000000 of
     * MSI_IOVA_LENGTH 0x100000, prot IOMMU_WRITE | IOMMU_NOEXEC | IOMMU_MMIO; the firmware adds
     * nothing on this platform.
     */
    @Test
    void theSoftwareMsiWindowIsReportedAsArmSmmuV3ReportsIt() {
        DriverHarness h = DriverHarness.stage1();
        List<IommuResvRegion> r = h.driver.resvRegions(h.device("dev", 3));
        assertEquals(List.of(new IommuResvRegion(0x8000000L, 0x100000L, IommuProt.WRITE | IommuProt.NOEXEC | IommuProt.MMIO,
                IommuResvRegion.Type.SW_MSI)), r);
    }
}
