package org.iommulab.replay.internal.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.junit.jupiter.api.Test;

/** Lines written after the TP_printk formats of include/trace/events/dma.h and iommu.h. */
class LineParserTest {
    private final LineParser parser = new LineParser();

    private TraceEvent event(String line) {
        LineResult r = parser.parse(line, 7);
        assertEquals(LineResult.Type.EVENT, r.type(), () -> "not an event: " + r);
        return r.event();
    }

    private String malformed(String line) {
        LineResult r = parser.parse(line, 7);
        assertEquals(LineResult.Type.MALFORMED, r.type(), () -> "not malformed: " + r);
        return r.message();
    }

    // ---- prefixes ---------------------------------------------------------------------------

    @Test
    void kernelTracePrefixWithLatencyFlags() {
        TraceEvent e = event("  irq/45-nvme0q3-318     [003] d.h1.   410.500390: dma_sync_single_for_cpu: 0000:02:00.0 dir=FROM_DEVICE dma_addr=ffffe800 size=98");
        assertEquals("irq/45-nvme0q3", e.task());
        assertEquals(318, e.pid());
        assertEquals(3, e.cpu());
        assertEquals(410_500_390_000L, e.timestampNs());
        assertEquals(7, e.line());
    }

    @Test
    void fourCharacterFlagsAndTgidColumn() {
        TraceEvent e = event("           <...>-1290  ( 1288) [000] ...1  12.000001: dma_unmap_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=ffffd0c2 size=98 attrs=");
        assertEquals("<...>", e.task());
        assertEquals(1290, e.pid());
        assertEquals(12_000_001_000L, e.timestampNs());
    }

    @Test
    void traceCmdReportPrefixPaddedNamesAndNanoseconds() {
        TraceEvent e = event("        weston-877       [002]  9121.000100551: dma_map_phys:         0000:00:02.0 dir=TO_DEVICE dma_addr=fbffc040 size=256 phys_addr=11f0a3040 attrs=");
        assertEquals(EventKind.DMA_MAP_PHYS, e.kind());
        assertEquals(9121_000_100_551L, e.timestampNs());
        assertEquals("0000:00:02.0", e.device());
    }

    @Test
    void systemPrefixedEventNames() {
        assertEquals(EventKind.IOMMU_MAP, event("x-1 [000] 1.0: iommu:map: IOMMU: iova=0x0000000000001000 - 0x0000000000002000 paddr=0x0000000000005000 size=4096").kind());
        assertEquals(LineResult.Type.UNKNOWN_EVENT, parser.parse("x-1 [000] 1.0: kvm:map: something", 1).type());
    }

    @Test
    void taskNamesWithDashesAndDigits() {
        TraceEvent e = event("a-1-55 [001] .... 3.5: dma_sync_single_for_device: dev dir=BIDIRECTIONAL dma_addr=1000 size=16");
        assertEquals("a-1", e.task());
        assertEquals(55, e.pid());
    }

    // ---- v6.12 dma events -----------------------------------------------------------------

    @Test
    void mapPageOf612() {
        TraceEvent e = event("ping-1402    [002] ..s1.   405.310005: dma_map_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=ffffd0c2 size=98 phys_addr=10b7a20c2 attrs=");
        assertEquals(EventKind.DMA_MAP_PAGE, e.kind());
        assertEquals(DmaDirection.TO_DEVICE, e.dir());
        assertEquals(0xffffd0c2L, e.dmaAddr());
        assertEquals(98, e.size());
        assertEquals(0x10b7a20c2L, e.physAddr());
        assertEquals(0, e.attrs());
        assertNull(e.unknownAttrs());
    }

    @Test
    void failedMapPrintsMappingError() {
        TraceEvent e = event("t-1 [000] ..... 1.0: dma_map_page: dev dir=FROM_DEVICE dma_addr=ffffffffffffffff size=4096 phys_addr=880000000 attrs=NO_WARN");
        assertEquals(-1L, e.dmaAddr());
        assertEquals(DmaAttrs.NO_WARN, e.attrs());
    }

    @Test
    void mapResourceAndUnmaps() {
        TraceEvent m = event("k-31 [002] ..... 411.000400: dma_map_resource: ffd00000.usb dir=TO_DEVICE dma_addr=fe200040 size=4 phys_addr=fe200040 attrs=SKIP_CPU_SYNC");
        assertEquals(EventKind.DMA_MAP_RESOURCE, m.kind());
        assertEquals(DmaAttrs.SKIP_CPU_SYNC, m.attrs());
        TraceEvent u = event("k-31 [002] ..... 411.000450: dma_unmap_resource: ffd00000.usb dir=TO_DEVICE dma_addr=fe200040 size=4 attrs=SKIP_CPU_SYNC|WEAK_ORDERING");
        assertEquals(DmaAttrs.SKIP_CPU_SYNC | DmaAttrs.WEAK_ORDERING, u.attrs());
        assertEquals(TraceEvent.ABSENT, u.physAddr());
    }

    @Test
    void mapSgOf612WithoutCounts() {
        TraceEvent e = event("fio-1290 [003] ..... 410.500106: dma_map_sg: 0000:02:00.0 dir=FROM_DEVICE dma_addrs={0xffff0000} sizes={0x3000} phys_addrs={0x10b200000,0x10b201000,0x10c7f5000} attrs=");
        assertEquals(3, e.physAddrs().size());
        assertEquals(0x10b201000L, e.physAddrs().get(1));
        assertEquals(1, e.dmaAddrs().size());
        assertEquals(0x3000, e.lengths().get(0));
        assertEquals(3, e.fullNents());
        assertEquals(1, e.fullEnts());
        assertFalse(e.truncated());
    }

    @Test
    void unmapSgAndSyncSg() {
        TraceEvent u = event("i-318 [003] d.h.. 1.0: dma_unmap_sg: 0000:02:00.0 dir=FROM_DEVICE phys_addrs={0x10b200000,0x10b201000} attrs=");
        assertEquals(2, u.physAddrs().size());
        TraceEvent s = event("i-318 [003] d.h.. 1.0: dma_sync_sg_for_cpu: 0000:02:00.0 dir=FROM_DEVICE dma_addrs={0xffff0000,0xffffffffffffffff} sizes={0x3000,0x0}");
        assertEquals(EventKind.DMA_SYNC_SG_FOR_CPU, s.kind());
        assertEquals(-1L, s.dmaAddrs().get(1));
        assertEquals(0, s.lengths().get(1));
    }

    @Test
    void allocAndFree() {
        TraceEvent a = event("nm-611 [001] ..... 2.0: dma_alloc: 0000:01:00.0 dir=BIDIRECTIONAL dma_addr=fffff000 size=4096 virt_addr=00000000c8a1d3f2 flags=GFP_KERNEL|__GFP_ZERO attrs=");
        assertEquals(EventKind.DMA_ALLOC, a.kind());
        assertEquals(0xfffff000L, a.dmaAddr());
        TraceEvent f = event("nm-611 [001] ..... 3.0: dma_free: 0000:01:00.0 dir=BIDIRECTIONAL dma_addr=fffff000 size=4096 virt_addr=(____ptrval____) attrs=");
        assertEquals(EventKind.DMA_FREE, f.kind());
    }

    // ---- later dma events -----------------------------------------------------------------

    @Test
    void mapPhysWithMmio() {
        TraceEvent e = event("k-201 [001] 1.0: dma_map_phys: 0000:00:02.0 dir=BIDIRECTIONAL dma_addr=fbffb000 size=4096 phys_addr=4010000000 attrs=MMIO");
        assertEquals(DmaAttrs.MMIO, e.attrs());
    }

    @Test
    void attributesTheModelLacksAreKeptApart() {
        TraceEvent e = event("k-1 [000] 1.0: dma_unmap_phys: d dir=TO_DEVICE dma_addr=1000 size=64 attrs=SKIP_CPU_SYNC|CC_SHARED|CACHELINES_OVERLAP|0x80000");
        assertEquals(DmaAttrs.SKIP_CPU_SYNC, e.attrs());
        assertEquals("CC_SHARED|CACHELINES_OVERLAP|0x80000", e.unknownAttrs());
    }

    @Test
    void numericDirectionIsUnknown() {
        assertNull(event("k-1 [000] 1.0: dma_alloc: d dir=0x7f3a dma_addr=1000 size=64 virt_addr=0 flags=none attrs=").dir());
    }

    @Test
    void mapSgWithCountsAndTruncation() {
        TraceEvent e = event("k-1 [000] 1.0: dma_map_sg: d dir=TO_DEVICE nents=2/2 ents=1/1 dma_addrs={0xfbff8000} sizes={0x2000} phys_addrs={0x41c2a000,0x41c2b000} attrs=");
        assertEquals(2, e.fullNents());
        assertFalse(e.truncated());
        StringBuilder phys = new StringBuilder();
        StringBuilder dma = new StringBuilder();
        StringBuilder len = new StringBuilder();
        for (int i = 0; i < 128; i++) {
            phys.append(i == 0 ? "" : ",").append("0x").append(Long.toHexString(0x80000000L + i * 4096L));
            dma.append(i == 0 ? "" : ",").append("0x").append(Long.toHexString(0x80000000L + i * 4096L));
            len.append(i == 0 ? "" : ",").append("0x1000");
        }
        TraceEvent t = event("k-1 [000] 1.0: dma_map_sg: d dir=TO_DEVICE nents=128/300 ents=128/300 [TRUNCATED] dma_addrs={" + dma
                + "} sizes={" + len + "} phys_addrs={" + phys + "} attrs=");
        assertTrue(t.truncated());
        assertEquals(300, t.fullNents());
        assertEquals(300, t.fullEnts());
        assertEquals(128, t.physAddrs().size());
    }

    @Test
    void mapSgErrArrayHoldsPhysAddresses() {
        TraceEvent e = event("k-1 [000] 1.0: dma_map_sg_err: d dir=FROM_DEVICE dma_addrs={0x41c2a000,0x41c2b000} err=-22 attrs=");
        assertEquals(2, e.physAddrs().size());
        assertEquals(-22, e.err());
    }

    @Test
    void allocPagesAllocSgtAndFreeSgt() {
        assertEquals(EventKind.DMA_ALLOC_PAGES, event("k-1 [000] 1.0: dma_alloc_pages: d dir=FROM_DEVICE dma_addr=fbffd000 size=8192 virt_addr=00000000a17c42d9 flags=GFP_KERNEL attrs=").kind());
        TraceEvent s = event("k-1 [000] 1.0: dma_alloc_sgt: d dir=BIDIRECTIONAL dma_addr=fbf00000 size=65536 phys_addrs={0x41000000,0x41200000} flags=GFP_KERNEL attrs=");
        assertEquals(2, s.physAddrs().size());
        assertEquals(65536, s.size());
        TraceEvent f = event("k-1 [000] 2.0: dma_free_sgt: d dir=BIDIRECTIONAL dma_addr=fbf00000 size=65536 phys_addrs={0x41000000,0x41200000}");
        assertEquals(EventKind.DMA_FREE_SGT, f.kind());
        assertEquals(EventKind.DMA_ALLOC_SGT_ERR, event("k-1 [000] 1.0: dma_alloc_sgt_err: d dir=BIDIRECTIONAL dma_addr=0 size=65536 virt_addr=0000000000000000 flags=GFP_KERNEL attrs=").kind());
    }

    // ---- iommu events ---------------------------------------------------------------------

    @Test
    void iommuMapAndUnmap() {
        TraceEvent m = event("fio-1290 [003] ..... 410.500100: map: IOMMU: iova=0x00000000ffff0000 - 0x00000000ffff2000 paddr=0x000000010b200000 size=8192");
        assertEquals(0xffff0000L, m.iova());
        assertEquals(0x10b200000L, m.physAddr());
        assertEquals(8192, m.size());
        assertNull(m.device());
        TraceEvent u = event("i-318 [003] d.h.. 1.0: unmap: IOMMU: iova=0x00000000ffff0000 - 0x00000000ffff3000 size=12288 unmapped_size=12288");
        assertEquals(12288, u.unmappedSize());
    }

    @Test
    void iommuDeviceEventsAndFaults() {
        assertEquals("0000:01:00.0", event("k-23 [000] ..... 1.0: attach_device_to_domain: IOMMU: device=0000:01:00.0").device());
        assertEquals("0000:01:00.0", event("k-23 [000] ..... 1.0: add_device_to_group: IOMMU: groupID=12 device=0000:01:00.0").device());
        TraceEvent f = event("<idle>-0 [001] d.h1. 406.000200: io_page_fault: IOMMU:igb 0000:01:00.0 iova=0x00000000ffffe800 flags=0x0001");
        assertEquals("igb", f.driver());
        assertEquals("0000:01:00.0", f.device());
        assertEquals(0xffffe800L, f.iova());
        assertEquals(1, f.faultFlags());
        TraceEvent noDriver = event("<idle>-0 [001] d.h1. 406.000200: io_page_fault: IOMMU: 9050000.smmuv3 iova=0x0000000000001000 flags=0x0000");
        assertEquals("", noDriver.driver());
        assertEquals("9050000.smmuv3", noDriver.device());
    }

    // ---- everything else ------------------------------------------------------------------

    @Test
    void headersBlankAndInfoLinesAreIgnored() {
        for (String l : new String[] {"# tracer: nop", "", "   ", "cpus=4", "version = 6", "CPU 2 is empty",
            "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION"}) {
            assertEquals(LineResult.Type.IGNORED, parser.parse(l, 1).type(), l);
        }
    }

    @Test
    void lostEventLines() {
        LineResult r = parser.parse("CPU:2 [LOST 1734 EVENTS]", 1);
        assertEquals(LineResult.Type.LOST_EVENTS, r.type());
        assertEquals(1734, r.lost());
        assertEquals(12, parser.parse("CPU:0 [12 EVENTS DROPPED]", 1).lost());
    }

    @Test
    void unknownEventsAreNamed() {
        assertEquals("sched_switch", parser.parse("bash-1 [000] d..2. 1.0: sched_switch: prev_comm=bash prev_pid=1", 1).name());
        assertEquals(LineResult.Type.UNKNOWN_EVENT, parser.parse("bash-1 [000] ..... 1.0: do_sys_open <-do_syscall_64", 1).type());
    }

    @Test
    void absurdNumbersInThePrefixAreMalformedNotThrown() {
        assertEquals(LineResult.Type.MALFORMED,
                parser.parse("t-99999999999 [000] ..... 1.0: dma_sync_single_for_cpu: d dir=TO_DEVICE dma_addr=1000 size=4", 1).type());
        assertEquals(LineResult.Type.MALFORMED,
                parser.parse("t-1 [000] ..... 99999999999999999.0: dma_sync_single_for_cpu: d dir=TO_DEVICE dma_addr=1000 size=4", 1).type());
    }

    @Test
    void malformedLinesSayWhy() {
        assertTrue(malformed("just some text").contains("not an ftrace event line"));
        assertTrue(malformed("t-1 [000] ..... 1.0: dma_map_page: dev dir=TO_DEVICE dma_addr=1000 phys_addr=2000 attrs=").contains("size="));
        assertTrue(malformed("t-1 [000] ..... 1.0: dma_map_page: dev dir=SIDEWAYS dma_addr=1000 size=4 phys_addr=2000 attrs=").contains("SIDEWAYS"));
        assertTrue(malformed("t-1 [000] ..... 1.0: dma_map_page: dir=TO_DEVICE dma_addr=1000 size=4 phys_addr=2000 attrs=").contains("device"));
        assertTrue(malformed("t-1 [000] ..... 1.0: dma_map_page: d dir=TO_DEVICE dma_addr=xyz size=4 phys_addr=2000 attrs=").contains("xyz"));
        assertTrue(malformed("t-1 [000] ..... 1.0: dma_map_sg: d dir=TO_DEVICE dma_addrs={0x1000,0x2000} sizes={0x1000} phys_addrs={0x1000} attrs=").contains("sizes"));
        assertTrue(malformed("t-1 [000] ..... 1.0: dma_map_sg: d dir=TO_DEVICE dma_addrs={0x1000,0x2000} sizes={0x1000,0x1000} phys_addrs={0x1000} attrs=").contains("ents 2 > nents 1"));
        assertTrue(malformed("t-1 [000] ..... 1.0: dma_map_sg: d dir=TO_DEVICE nents=2/2 ents=1/1 dma_addrs={0x1000} sizes={0x1000} phys_addrs={0x1000} attrs=").contains("nents=2/2"));
        assertTrue(malformed("t-1 [000] ..... 1.0: dma_map_sg: d dir=TO_DEVICE dma_addrs={0x1000 sizes={0x1000} phys_addrs={0x1000} attrs=").contains("array"));
        assertTrue(malformed("t-1 [000] ..... 1.0: map: IOMMU: iova=0x1000 - 0x3000 paddr=0x5000 size=4096").contains("is not size"));
        assertTrue(malformed("t-1 [000] ..... 1.0: dma_sync_single_for_cpu: d dir=TO_DEVICE dma_addr=1000 size=0").contains("size=0"));
        assertTrue(malformed("t-1 [000] ..... 1.0: dma_unmap_page: d dir=TO_DEVICE dma_addr=1000 size=4 attrs=lowercase").contains("lowercase"));
    }
}
