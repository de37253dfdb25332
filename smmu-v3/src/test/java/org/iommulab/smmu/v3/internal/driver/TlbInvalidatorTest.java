package org.iommulab.smmu.v3.internal.driver;

import static org.iommulab.smmu.v3.internal.format.CmdFormat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.junit.jupiter.api.Test;

/**
 * The commands {@code __arm_smmu_tlb_inv_range} builds, read back from the command queue:
 * TG from the domain's page size, TTL from the leaf's level, NUM and SCALE from the page count,
 * the non-leaf corner case, and the per-page form without RIL.
 */
class TlbInvalidatorTest {
    private static long[] command(DriverHarness h, int fromEnd) {
        CommandQueue q = h.driver.hw().cmdq;
        int prod = h.driver.mmio().read32(Regs.CMDQ_PROD.offset());
        long at = q.buffer().base() + 16L * q.ring().index(q.ring().advance(prod, -fromEnd));
        return new long[] {h.mem.readLong(at), h.mem.readLong(at + 8)};
    }

    private static SmmuV3Domain domain(DriverHarness h) {
        return (SmmuV3Domain) h.driver.allocDomain(DomainType.DMA);
    }

    @Test
    void leafPageAndBlockRanges() {
        DriverHarness h = DriverHarness.stage1();
        SmmuV3Domain d = domain(h);
        d.map(0x20_0000L, 0x8000_0000L, 0x20_0000L, IommuProt.READ);
        d.map(0x1000, 0x9000_0000L, 0x1000, IommuProt.READ);
        IotlbGather g = new IotlbGather();
        d.unmap(0x1000, 0x1000, g);
        d.iotlbSync(g);
        long[] c = command(h, 2);
        assertEquals(TLBI_NH_VA, D0_OP.getInt(c[0]));
        assertEquals(d.asid(), D0_ASID.getInt(c[0]));
        assertEquals(0, D0_VMID.getInt(c[0]));
        assertEquals(1, D1_TG.getInt(c[1]), "4 KiB");
        assertEquals(3, D1_TTL.getInt(c[1]), "a level-3 leaf");
        assertEquals(1, D1_LEAF.getInt(c[1]));
        assertEquals(0, D0_NUM.getInt(c[0]) | D0_SCALE.getInt(c[0]), "one page: NUM 0, SCALE 0");
        assertEquals(0x1000, D1_VA.bits(c[1]));
        long[] sync = command(h, 1);
        assertEquals(0, (int) sync[0], "the CMD_SYNC's MSI wrote 0 over its own first word (Linux's MSIPOLL)");
        CommandQueue q = h.driver.hw().cmdq;
        int prod = h.driver.mmio().read32(Regs.CMDQ_PROD.offset());
        assertEquals(q.buffer().base() + 16L * q.ring().index(prod - 1), D1_MSIADDR.bits(sync[1]),
                "MSIAddress is the command's own slot");
        g.reset();
        d.unmap(0x20_0000L, 0x20_0000L, g);
        d.iotlbSync(g);
        c = command(h, 2);
        assertEquals(2, D1_TTL.getInt(c[1]), "a 2 MiB block is a level-2 leaf");
        assertEquals(9, D0_SCALE.getInt(c[0]), "512 pages = 1 << 9");
        assertEquals(0, D0_NUM.getInt(c[0]));
    }

    @Test
    void nonLeafSinglePageAvoidsTheZeroZeroEncoding() {
        DriverHarness h = DriverHarness.stage1();
        SmmuV3Domain d = domain(h);
        d.tlbFlushWalk(0x3000, 0x1000, 0x1000);
        long[] c = command(h, 2);
        assertEquals(0, D1_LEAF.getInt(c[1]));
        assertEquals(0, D1_TTL.getInt(c[1]));
        assertEquals(1, D0_SCALE.getInt(c[0]), "num_pages bumped to 2: SCALE 1, NUM 0");
        assertEquals(0, D0_NUM.getInt(c[0]));
    }

    @Test
    void withoutRilOneCommandPerGranule() {
        DriverHarness h = new DriverHarness(SmmuV3Features.builder().ril(false).build(), DriverConfig.defaults());
        SmmuV3Domain d = domain(h);
        d.map(0x10000, 0x8000_0000L, 0x3000, IommuProt.READ);
        IotlbGather g = new IotlbGather();
        d.unmap(0x10000, 0x3000, g);
        d.iotlbSync(g);
        for (int i = 0; i < 3; i++) {
            long[] c = command(h, 4 - i);
            assertEquals(TLBI_NH_VA, D0_OP.getInt(c[0]));
            assertEquals(0x10000 + 0x1000L * i, D1_VA.bits(c[1]));
            assertEquals(0, D1_TG.getInt(c[1]) | D1_TTL.getInt(c[1]));
        }
    }

    @Test
    void stage2UsesS2IpaAndS12Vmall() {
        DriverHarness h = DriverHarness.with(SmmuV3Features.Stages.S2, DriverConfig.Stage.S2, true, true, true);
        SmmuV3Domain d = domain(h);
        d.map(0x5000, 0x8000_0000L, 0x1000, IommuProt.READ);
        IotlbGather g = new IotlbGather();
        d.unmap(0x5000, 0x1000, g);
        d.iotlbSync(g);
        long[] c = command(h, 2);
        assertEquals(TLBI_S2_IPA, D0_OP.getInt(c[0]));
        assertEquals(d.vmid(), D0_VMID.getInt(c[0]));
        assertEquals(0x5000, D1_IPA.bits(c[1]));
        d.flushIotlbAll();
        c = command(h, 2);
        assertEquals(TLBI_S12_VMALL, D0_OP.getInt(c[0]));
        assertEquals(d.vmid(), D0_VMID.getInt(c[0]));
    }
}
