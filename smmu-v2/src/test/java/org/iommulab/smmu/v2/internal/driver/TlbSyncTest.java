package org.iommulab.smmu.v2.internal.driver;

import static org.iommulab.api.platform.AccessType.READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.smmu.v2.internal.model.SmmuV2Params;
import org.junit.jupiter.api.Test;

/** __arm_smmu_tlb_sync: the bounded polling loop against a slow and a stuck SMMU. */
class TlbSyncTest {
    @Test
    void theLoopPollsUntilTheSmmuReportsCompletion() throws Exception {
        DriverRig rig = new DriverRig(SmmuV2Params.mmu500().withTiming(4096, 16, 25), DriverOptions.defaults());
        SimDmaDevice d = rig.device("d", 1);
        rig.driver.probeDevice(d);
        IommuDomain dom = rig.driver.allocDomain(DomainType.DMA);
        dom.attachDevice(d);
        dom.map(0x1000, rig.page(), 0x1000, IommuProt.READ);
        long before = rig.driver.syncPolls();
        IotlbGather g = new IotlbGather();
        dom.unmap(0x1000, 0x1000, g);
        dom.iotlbSync(g);
        assertEquals(26, rig.driver.syncPolls() - before, "25 polls see SACTIVE, the 26th sees it clear");
        assertEquals(0, rig.driver.syncTimeouts());
        assertTrue(d.warnings().isEmpty(), d.warnings().toString());
    }

    @Test
    void aStuckSmmuTimesOutAfterABoundedNumberOfPollsAndSaysSo() throws Exception {
        DriverRig rig = new DriverRig();
        SimDmaDevice d = rig.device("d", 1);
        rig.driver.probeDevice(d);
        IommuDomain dom = rig.driver.allocDomain(DomainType.DMA);
        dom.attachDevice(d);
        long pa = rig.page();
        dom.map(0x1000, pa, 0x1000, IommuProt.READ);
        rig.driver.translationPort(d).translate(1, 0x1000, READ);
        rig.hw.setSyncStuck(true);
        long before = rig.driver.syncPolls();
        IotlbGather g = new IotlbGather();
        dom.unmap(0x1000, 0x1000, g);
        dom.iotlbSync(g);
        // 20 rounds (delay 1, 2, 4 ... 2^19 us < 1 s) of TLB_SPIN_COUNT reads.
        assertEquals(200, rig.driver.syncPolls() - before);
        assertEquals(1, rig.driver.syncTimeouts());
        assertTrue(d.warnings().stream().anyMatch(w -> w.contains("TLB sync timed out -- SMMU may be deadlocked")),
                d.warnings().toString());
        assertEquals(pa, rig.driver.translationPort(d).translate(1, 0x1000, READ),
                "the invalidation never completed: the device still reaches the page");
    }
}
