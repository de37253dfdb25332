package org.iommulab.smmu.v3.internal.driver;

import static org.iommulab.smmu.v3.internal.format.CmdFormat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommulab.api.backend.BackendCounter;
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

    /**
     * Linux {@code __arm_smmu_tlb_inv_range} with RIL: each command covers
     * {@code num_pages & (0x1f << __ffs(num_pages))} pages. 31 pages: __ffs = 0, num = 31, one
     * command (NUM 30, SCALE 0) and the sync. 33 pages (0b100001): first __ffs = 0, num = 1
     * (NUM 0, SCALE 0, one page at the start), then 32 pages left, __ffs = 5, num = 1 (NUM 0,
     * SCALE 5) at start + 1 page: two commands and one sync.
     */
    @Test
    void rilRangeIsOneCommandWhenNumAndScaleCoverIt() {
        DriverHarness h = DriverHarness.stage1();
        SmmuV3Domain d = domain(h);
        CommandQueue q = h.driver.hw().cmdq;
        d.map(0x10_0000L, 0x8000_0000L, 31 * 0x1000L, IommuProt.READ);
        int before = h.driver.mmio().read32(Regs.CMDQ_PROD.offset());
        IotlbGather g = new IotlbGather();
        d.unmap(0x10_0000L, 31 * 0x1000L, g);
        d.iotlbSync(g);
        int after = h.driver.mmio().read32(Regs.CMDQ_PROD.offset());
        assertEquals(2, q.ring().used(after, before), "one TLBI_NH_VA and its CMD_SYNC");
        long[] c = command(h, 2);
        assertEquals(30, D0_NUM.getInt(c[0]));
        assertEquals(0, D0_SCALE.getInt(c[0]));
        assertEquals(0x10_0000L, D1_VA.bits(c[1]));

        d.map(0x20_0000L, 0x8000_0000L, 33 * 0x1000L, IommuProt.READ);
        before = after;
        g.reset();
        d.unmap(0x20_0000L, 33 * 0x1000L, g);
        d.iotlbSync(g);
        after = h.driver.mmio().read32(Regs.CMDQ_PROD.offset());
        assertEquals(3, q.ring().used(after, before), "two range commands and one CMD_SYNC");
        c = command(h, 3);
        assertEquals(0, D0_NUM.getInt(c[0]) | D0_SCALE.getInt(c[0]));
        assertEquals(0x20_0000L, D1_VA.bits(c[1]));
        c = command(h, 2);
        assertEquals(0, D0_NUM.getInt(c[0]));
        assertEquals(5, D0_SCALE.getInt(c[0]));
        assertEquals(0x20_1000L, D1_VA.bits(c[1]));
        assertEquals(3, d.counter(BackendCounter.IOTLB_INVALIDATIONS),
                "TLBIs issued for the domain: 1 + 2");
    }

    /**
     * Two threads invalidating pages (each a single non-leaf page: Linux bumps num_pages 1 to 2,
     * one command) of two domains of one SMMU, and a third issuing long ranges
     * through a batch, share the one command queue: every command is consumed in order, every
     * sync completes, and each domain counts its own TLBIs.
     */
    @Test
    void concurrentInvalidationsShareTheQueue() throws Exception {
        DriverHarness h = DriverHarness.stage1();
        SmmuV3Domain a = domain(h);
        SmmuV3Domain b = domain(h);
        SmmuV3Domain c = domain(h);
        long consumedBefore = h.model.commandsConsumed();
        int rounds = 2000;
        Thread ta = new Thread(() -> {
            for (int i = 0; i < rounds; i++) {
                a.tlbFlushWalk(0x1000L * (i & 255), 0x1000, 0x1000);
            }
        });
        Thread tb = new Thread(() -> {
            for (int i = 0; i < rounds; i++) {
                b.tlbFlushWalk(0x1000L * (i & 255), 0x1000, 0x1000);
            }
        });
        Thread tc = new Thread(() -> {
            // 65 pages, not a leaf: num_pages 65 ends in 0b00001, so Linux makes it 66; then
            // 2 pages (__ffs 1, num 1) and 64 (__ffs 6, num 1): two range commands gathered
            // in the domain's batch, then one sync.
            for (int i = 0; i < rounds; i++) {
                c.tlbFlushWalk(0x100_0000L, 65 * 0x1000L, 0x1000);
            }
        });
        ta.start();
        tb.start();
        tc.start();
        ta.join();
        tb.join();
        tc.join();
        assertEquals(0, h.driver.hw().cmdq.timeouts(), "no CMD_SYNC timed out");
        // a and b: one TLBI and one sync per call; c: two TLBIs and one sync per call.
        assertEquals(2L * rounds + 2L * rounds + 3L * rounds, h.model.commandsConsumed() - consumedBefore);
        assertEquals(rounds, a.counter(BackendCounter.IOTLB_INVALIDATIONS));
        assertEquals(rounds, b.counter(BackendCounter.IOTLB_INVALIDATIONS));
        assertEquals(2L * rounds, c.counter(BackendCounter.IOTLB_INVALIDATIONS));
        int prod = h.driver.mmio().read32(Regs.CMDQ_PROD.offset());
        assertEquals(prod, h.driver.mmio().read32(Regs.CMDQ_CONS.offset()), "the queue drained");
    }
}
