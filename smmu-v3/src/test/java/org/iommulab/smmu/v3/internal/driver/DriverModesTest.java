package org.iommulab.smmu.v3.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.smmu.v3.internal.format.RegFields.Strtab;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The driver in each mode: stage 1, stage 2 and nested domains; linear and 2-level stream
 * tables; range invalidation (RIL) or one TLBI per page; MSI or SEV completion of CMD_SYNC.
 * Each maps, translates, unmaps and checks the access faults once invalidated.
 */
class DriverModesTest {
    private static final long IOVA = 0x4000_0000L;
    private static final long PA = 0x1_2000_0000L;
    private static final int PAGES = 33;

    @ParameterizedTest(name = "{0} domains on a {1} SMMU, 2-level {2}, RIL {3}, MSI {4}")
    @CsvSource({"S1, S1, true, true, true", "S1, NESTED, false, true, false", "S2, S2, true, false, true",
        "S2, NESTED, true, true, false", "NESTED, NESTED, true, true, true", "NESTED, NESTED, false, false, false",
        "S1, S1, false, false, false"})
    void mapTranslateUnmap(DriverConfig.Stage stage, SmmuV3Features.Stages hw, boolean twoLevel, boolean ril,
            boolean msi) throws BackendException {
        DriverHarness h = DriverHarness.with(hw, stage, twoLevel, ril, msi);
        long cfg = h.driver.mmio().read32(Regs.STRTAB_BASE_CFG.offset());
        assertEquals(twoLevel ? Strtab.FMT_2LVL : Strtab.FMT_LINEAR, Strtab.FMT.get(cfg));
        SimDmaDevice dev = h.device("dev", 0x1234, 0x1235);
        h.driver.probeDevice(dev);
        IommuDomain d = h.driver.allocDomain(DomainType.DMA);
        assertEquals(0, d.attachDevice(dev));
        long size = (long) PAGES << 12;
        assertEquals(0, d.map(IOVA, PA, size, IommuProt.READ | IommuProt.WRITE));
        assertEquals(0, d.map(0x8000_0000L, 0x8000_0000L, 0x20_0000L, IommuProt.READ), "a 2 MiB block");
        TranslationPort port = h.driver.translationPort(dev);
        for (int p = 0; p < PAGES; p++) {
            int sid = p % 2 == 0 ? 0x1234 : 0x1235;
            assertEquals(PA + ((long) p << 12) + 8, port.translate(sid, IOVA + ((long) p << 12) + 8, AccessType.WRITE));
        }
        assertEquals(0x801f_f000L, port.translate(0x1234, 0x801f_f000L, AccessType.READ));
        long before = h.model.invalidationCommands();
        IotlbGather g = new IotlbGather();
        assertEquals(size, d.unmap(IOVA, size, g));
        d.iotlbSync(g);
        long tlbis = h.model.invalidationCommands() - before;
        assertEquals(ril ? 2 : PAGES, tlbis, ril ? "33 pages = 1 + 32: NUM is 5 bits, so two range commands" : "one TLBI per page");
        for (int p = 0; p < PAGES; p++) {
            long va = IOVA + ((long) p << 12);
            assertThrows(DmaFaultException.class, () -> port.translate(0x1234, va, AccessType.READ));
        }
        assertEquals(0x8000_0010L, port.translate(0x1235, 0x8000_0010L, AccessType.READ), "the block is untouched");
        d.flushIotlbAll();
        assertEquals(0, h.driver.mmio().read32(Regs.GERROR.offset()) ^ h.driver.mmio().read32(Regs.GERRORN.offset()));
        assertTrue(h.driver.log().isEmpty(), h.driver.log().toString());
        d.detachDevice(dev);
        d.free();
        h.driver.releaseDevice(dev);
        h.driver.shutdown();
        assertEquals(0, h.driver.mmio().read32(Regs.CR0.offset()));
    }

    @ParameterizedTest(name = "stage {0} unsupported by a {1} SMMU")
    @CsvSource({"S2, S1", "NESTED, S1", "S1, S2", "NESTED, S2"})
    void probeRefusesAStageTheSmmuLacks(DriverConfig.Stage stage, SmmuV3Features.Stages hw) {
        assertThrows(IllegalStateException.class, () -> DriverHarness.with(hw, stage, true, true, true));
    }
}
