package org.iommulab.smmu.v3.internal.model;

import static org.iommulab.smmu.v3.internal.format.CmdFormat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.format.SteFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TLB maintenance seen from a device: a removed mapping stays usable from the IOTLB until a
 * TLBI is consumed (a command written but not published does nothing); the TLBI forms remove
 * exactly what they cover: by ASID, by VA, by range (TG, NUM, SCALE with granule = TG*2+10,
 * and TTL); stage-2 forms by VMID and IPA. Also the IOTLB bound and an allocation-free hit.
 */
class TlbInvalidationTest {
    private static final int SID = 2;
    private static final long VA = 0x1000_0000L;
    private static final long PA = 0x9000_0000L;

    private SmmuHarness h;
    private TableBuilder pt;

    @BeforeEach
    void setUp() {
        h = SmmuHarness.stage1().up();
        pt = TableBuilder.stage1(h.mem, h.alloc, 12, 48);
        h.stage1Stream(SID, pt, 3);
    }

    private void mapAndTouch(int pages) {
        for (int i = 0; i < pages; i++) {
            pt.map(VA + ((long) i << 12), PA + ((long) i << 12), 3, TableBuilder.S1_RW);
            h.read(SID, VA + ((long) i << 12));
        }
        // Remove every leaf from memory: from now on only the IOTLB can translate.
        for (int i = 0; i < pages; i++) {
            pt.set(VA + ((long) i << 12), 3, 0);
        }
    }

    private boolean cached(long va) {
        try {
            h.read(SID, va);
            return true;
        } catch (DmaFaultException e) {
            return false;
        }
    }

    private static long va(int page) {
        return VA + ((long) page << 12);
    }

    @Test
    void staleUntilTheTlbiIsConsumed() {
        mapAndTouch(1);
        assertTrue(cached(VA), "stale translation still served");
        int prod = h.stage(D0_OP.of(TLBI_NH_VA) | D0_ASID.of(3), D1_VA.bits(VA));
        assertTrue(cached(VA), "a TLBI written but not published does nothing");
        h.mmio.write32(Regs.CMDQ_PROD.offset(), prod);
        h.sync();
        assertTrue(!cached(VA));
    }

    @Test
    void nonRangeTlbiRemovesOnlyTheLeafContainingTheAddress() {
        mapAndTouch(3);
        h.cmd(D0_OP.of(TLBI_NH_VA) | D0_ASID.of(3), D1_VA.bits(va(1)) | D1_TTL.of(2));
        h.sync();
        assertTrue(cached(va(0)));
        assertTrue(!cached(va(1)), "TTL is ignored when TG = 0");
        assertTrue(cached(va(2)));
    }

    @Test
    void tlbiByAsidSparesOtherAsids() {
        TableBuilder other = TableBuilder.stage1(h.mem, h.alloc, 12, 48);
        h.stage1Stream(SID + 1, other, 4);
        other.map(VA, PA, 3, TableBuilder.S1_RW);
        h.read(SID + 1, VA);
        other.set(VA, 3, 0);
        mapAndTouch(1);
        h.cmd(D0_OP.of(TLBI_NH_ASID) | D0_ASID.of(3), 0);
        h.sync();
        assertTrue(!cached(VA));
        assertEquals(PA, h.read(SID + 1, VA), "ASID 4's entry survives");
    }

    @Test
    void rangeTlbiRemovesExactlyTheCoveredPages() {
        mapAndTouch(40);
        // TG = 4K, SCALE = 2, NUM = 3: (3 + 1) << 2 = 16 pages from page 8.
        h.cmd(D0_OP.of(TLBI_NH_VA) | D0_ASID.of(3) | D0_NUM.of(3) | D0_SCALE.of(2),
                D1_VA.bits(va(8)) | D1_TG.of(1) | D1_LEAF.of(1));
        h.sync();
        for (int p = 0; p < 40; p++) {
            assertEquals(p < 8 || p >= 24, cached(va(p)), "page " + p);
        }
    }

    @Test
    void rangeGranuleIsTgTimesTwoPlusTen() {
        mapAndTouch(8);
        // TG = 2 (16 KiB), NUM = 0, SCALE = 0: one 16 KiB granule = 4 pages (QEMU once used the raw TG).
        h.cmd(D0_OP.of(TLBI_NH_VAA) | D0_NUM.of(0), D1_VA.bits(va(4)) | D1_TG.of(2));
        h.sync();
        for (int p = 0; p < 8; p++) {
            assertEquals(p < 4, cached(va(p)), "page " + p);
        }
    }

    @Test
    void ttlLimitsARangeToOneLevel() {
        pt.map(0x4000_0000L, 0x1_0000_0000L, 2, TableBuilder.S1_RW);
        h.read(SID, 0x4000_0000L);
        pt.set(0x4000_0000L, 2, 0);
        pt.map(0x4020_0000L, PA, 3, TableBuilder.S1_RW);
        h.read(SID, 0x4020_0000L);
        pt.set(0x4020_0000L, 3, 0);
        // 1024 pages from 0x4000_0000 with TTL = 3: only the level-3 leaf goes.
        h.cmd(D0_OP.of(TLBI_NH_VA) | D0_ASID.of(3) | D0_NUM.of(0) | D0_SCALE.of(10),
                D1_VA.bits(0x4000_0000L) | D1_TG.of(1) | D1_TTL.of(3) | D1_LEAF.of(1));
        h.sync();
        assertTrue(cached(0x4000_0000L), "the level-2 block survives TTL = 3");
        assertTrue(!cached(0x4020_0000L));
        h.cmd(D0_OP.of(TLBI_NH_VA) | D0_ASID.of(3) | D0_NUM.of(0) | D0_SCALE.of(10),
                D1_VA.bits(0x4000_0000L) | D1_TG.of(1) | D1_TTL.of(2) | D1_LEAF.of(1));
        h.sync();
        assertTrue(!cached(0x4000_0000L));
    }

    @Test
    void boundedIotlbEvictsSingleEntries() {
        SmmuHarness small = SmmuHarness.of(SmmuV3Features.builder().iotlbEntries(4)).up();
        TableBuilder t = TableBuilder.stage1(small.mem, small.alloc, 12, 48);
        small.stage1Stream(SID, t, 1);
        for (int p = 0; p < 6; p++) {
            t.map(va(p), PA + ((long) p << 12), 3, TableBuilder.S1_RW);
            small.read(SID, va(p));
        }
        assertEquals(4, small.model.iotlbSize());
        assertEquals(2, small.model.iotlbEvictions());
        small.read(SID, va(5));
        assertEquals(1, small.port.hits(), "the newest entry is still there");
    }

    @Test
    void hitPathAllocatesNothing() {
        pt.map(VA, PA, 3, TableBuilder.S1_RW);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (int round = 0; round < 3; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 50_000; i++) {
                sum += h.port.translate(SID, VA + (i & 0xff8), (i & 1) == 0 ? AccessType.READ : AccessType.WRITE);
            }
            long after = mx.getCurrentThreadAllocatedBytes();
            if (round == 2) {
                // A single object per call would be >= 16 bytes each; stray JIT or JMX bookkeeping is far less.
                assertTrue(after - before < 4096, "bytes allocated by 50000 translations that hit: " + (after - before));
            }
        }
        assertTrue(sum != 0);
    }

    @Test
    void stage2InvalidationByIpaAndVmid() {
        SmmuHarness s = SmmuHarness.of(SmmuV3Features.builder().stages(SmmuV3Features.Stages.S2)).up();
        TableBuilder s2 = new TableBuilder(s.mem, s.alloc, 12, 44, 0);
        for (int sid = 0; sid < 2; sid++) {
            s.writeEntry(s.steAddr(sid), SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_S2), 0,
                    SmmuHarness.steS2Dword2(10 + sid, 20, 2), s2.root);
        }
        for (int p = 0; p < 2; p++) {
            s2.map(va(p), PA + ((long) p << 12), 3, TableBuilder.S2_RW);
            s.read(0, va(p));
            s.read(1, va(p));
            s2.set(va(p), 3, 0);
        }
        s.cmd(D0_OP.of(TLBI_S2_IPA) | D0_VMID.of(10), D1_IPA.bits(va(0)));
        s.sync();
        assertEquals(3, s.model.iotlbSize(), "only VMID 10's page 0 went");
        s.cmd(D0_OP.of(TLBI_S12_VMALL) | D0_VMID.of(11), 0);
        s.sync();
        assertEquals(1, s.model.iotlbSize());
        s.read(0, va(1));
        s.cmd(D0_OP.of(TLBI_NSNH_ALL), 0);
        s.sync();
        assertEquals(0, s.model.iotlbSize());
    }
}
