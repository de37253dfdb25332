package org.iommulab.smmu.v2.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.iommu.IommuCapability;
import org.iommulab.api.platform.AccessType;
import org.iommulab.smmu.v2.internal.model.SmmuV2Params;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.junit.jupiter.api.Test;

/** arm_smmu_device_cfg_probe, arm_smmu_test_smr_masks and arm_smmu_device_reset. */
class ProbeTest {
    @Test
    void theProbeLearnsTheSmmuFromItsIdRegisters() {
        SmmuV2Params p = new SmmuV2Params(12, 6, 65536, 40, 44, true, false, true, true, true, true, 10, 32, 0);
        DriverRig rig = new DriverRig(p, DriverOptions.defaults());
        SmmuFeatures f = rig.driver.features();
        assertEquals(12, f.numMappingGroups());
        assertEquals(6, f.numContextBanks());
        assertEquals(16, f.pageShift());
        assertEquals(8, f.numPage());
        assertEquals(40, f.ipaSize());
        assertEquals(44, f.paSize());
        assertEquals(40, f.vaSize());
        assertTrue(f.stage1() && f.stage2() && f.nested() && f.transOps() && f.vmid16() && f.coherentWalk());
        assertEquals((1L << 12) | (1L << 21) | (1L << 30) | (1L << 16) | (1L << 29), f.pgsizeBitmap());
        assertEquals(0x3ff, f.streamIdMask(), "arm_smmu_test_smr_masks keeps the bits the SMR preserved");
        assertEquals(0x3ff, f.smrMaskMask());
    }

    @Test
    void theResetEnablesTheSmmuWithBypassDisabled() {
        DriverRig rig = new DriverRig();
        int scr0 = rig.gr0(Gr0.SCR0);
        assertEquals(0, Gr0.SCR0_CLIENTPD.get(scr0));
        assertEquals(1, Gr0.SCR0_USFCFG.get(scr0));
        assertEquals(1, Gr0.SCR0_GFRE.get(scr0));
        assertEquals(1, Gr0.SCR0_GFIE.get(scr0));
        assertEquals(1, Gr0.SCR0_VMID16EN.get(scr0));
        for (int i = 0; i < rig.driver.features().numMappingGroups(); i++) {
            assertEquals(0, Gr0.SMR_VALID.get(rig.gr0(Gr0.SMR, i)));
            assertEquals(Gr0.S2CR_TYPE_FAULT, Gr0.S2CR_TYPE.get(rig.gr0(Gr0.S2CR, i)));
        }
        for (int i = 0; i < rig.driver.features().numContextBanks(); i++) {
            assertEquals(0, rig.cb(i, Cb.SCTLR));
        }
    }

    @Test
    void withBypassAllowedAnUnknownStreamPassesThrough() {
        DriverRig rig = new DriverRig(SmmuV2Params.mmu500().withTiming(4096, 16, 0), new DriverOptions(0, false, false));
        assertEquals(0, Gr0.SCR0_USFCFG.get(rig.gr0(Gr0.SCR0)));
        assertEquals(0x1234_5000L, rig.hw.port("stray", new int[] {0x77}).translate(0x77, 0x1234_5000L, AccessType.READ));
    }

    @Test
    void forceStageHidesTheOtherStageAndNesting() {
        DriverRig s2 = new DriverRig(SmmuV2Params.mmu500().withTiming(4096, 16, 0), new DriverOptions(2, true, false));
        assertFalse(s2.driver.features().stage1());
        assertFalse(s2.driver.features().nested());
        assertFalse(s2.driver.features().transOps());
        assertTrue(s2.driver.features().stage2());
        DriverRig s1 = new DriverRig(SmmuV2Params.mmu500().withTiming(4096, 16, 0), new DriverOptions(1, true, false));
        assertTrue(s1.driver.features().stage1());
        assertFalse(s1.driver.features().stage2());
    }

    @Test
    void capabilities() {
        DriverRig rig = new DriverRig();
        assertTrue(rig.driver.capable(IommuCapability.DEFERRED_FLUSH));
        assertTrue(rig.driver.capable(IommuCapability.CACHE_COHERENCY));
        assertTrue(rig.driver.capable(IommuCapability.NOEXEC));
        assertFalse(rig.driver.capable(IommuCapability.DIRTY_TRACKING));
        assertEquals("smmu-v2", rig.driver.name());
    }

    @Test
    void shutdownLetsEveryStreamBypass() {
        DriverRig rig = new DriverRig();
        rig.driver.shutdown();
        assertEquals(1, Gr0.SCR0_CLIENTPD.get(rig.gr0(Gr0.SCR0)));
    }
}
