package org.iommulab.platform.internal.dma;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input to every DMA API operation throws IllegalArgumentException with a message that
 * names the call, and changes nothing: not the live mappings, not the backend, not the counters.
 */
class DeviceDmaApiBadInputTest {
    private static final long PAGE = DmaApiFixture.PAGE;
    private static final int UNKNOWN_ATTR = 1 << 20;
    private static final DmaDirection TO = DmaDirection.TO_DEVICE;
    private static final DmaDirection NONE = DmaDirection.NONE;

    private final DmaApiFixture f = new DmaApiFixture(0);
    private final DmaApi api = f.api;

    @Test
    void everyOperationRefusesBadInputAndChangesNothing() {
        long p = f.page();
        long dma = api.mapPhys(p, PAGE, TO, 0);
        SgTable sg = SgTable.of(new long[] {f.page(), f.page()}, new int[] {4096, 4096});
        SgTable empty = new SgTable(2);
        long top = 0xffff_ffff_ffff_f000L;

        Map<String, Executable> bad = new LinkedHashMap<>();
        bad.put("mapPage unaligned page", () -> api.mapPage(p + 8, 0, 64, TO, 0));
        bad.put("mapPage negative offset", () -> api.mapPage(p, -1, 64, TO, 0));
        bad.put("mapPage zero size", () -> api.mapPage(p, 0, 0, TO, 0));
        bad.put("mapPage negative size", () -> api.mapPage(p, 0, -5, TO, 0));
        bad.put("mapPage overflow", () -> api.mapPage(0x7fff_ffff_ffff_f000L, 0x800, 0x1000, TO, 0));
        bad.put("mapPage offset overflow", () -> api.mapPage(0x7fff_ffff_ffff_f000L, Long.MAX_VALUE, 1, TO, 0));
        bad.put("mapPage NONE", () -> api.mapPage(p, 0, 64, NONE, 0));
        bad.put("mapPage null dir", () -> api.mapPage(p, 0, 64, null, 0));
        bad.put("mapPage attrs", () -> api.mapPage(p, 0, 64, TO, UNKNOWN_ATTR));
        bad.put("unmapPage zero size", () -> api.unmapPage(dma, 0, TO, 0));
        bad.put("unmapPage NONE", () -> api.unmapPage(dma, PAGE, NONE, 0));
        bad.put("unmapPage attrs", () -> api.unmapPage(dma, PAGE, TO, UNKNOWN_ATTR));
        bad.put("unmapPage wraps", () -> api.unmapPage(top, 0x2000, TO, 0));
        bad.put("mapPhys zero size", () -> api.mapPhys(p, 0, TO, 0));
        bad.put("mapPhys negative size", () -> api.mapPhys(p, -1, TO, 0));
        bad.put("mapPhys negative phys", () -> api.mapPhys(-4096, 64, TO, 0));
        bad.put("mapPhys overflow", () -> api.mapPhys(Long.MAX_VALUE - 10, 100, TO, 0));
        bad.put("mapPhys NONE", () -> api.mapPhys(p, 64, NONE, 0));
        bad.put("mapPhys attrs", () -> api.mapPhys(p, 64, TO, UNKNOWN_ATTR | DmaAttrs.NO_WARN));
        bad.put("unmapPhys zero size", () -> api.unmapPhys(dma, 0, TO, 0));
        bad.put("unmapPhys NONE", () -> api.unmapPhys(dma, PAGE, NONE, 0));
        bad.put("unmapPhys null dir", () -> api.unmapPhys(dma, PAGE, null, 0));
        bad.put("unmapPhys attrs", () -> api.unmapPhys(dma, PAGE, TO, UNKNOWN_ATTR));
        bad.put("unmapPhys wraps", () -> api.unmapPhys(top, 0x2000, TO, 0));
        bad.put("mapResource zero size", () -> api.mapResource(p, 0, TO, 0));
        bad.put("mapResource overflow", () -> api.mapResource(Long.MAX_VALUE, 2, TO, 0));
        bad.put("mapResource NONE", () -> api.mapResource(p, 64, NONE, 0));
        bad.put("mapResource attrs", () -> api.mapResource(p, 64, TO, UNKNOWN_ATTR));
        bad.put("unmapResource zero size", () -> api.unmapResource(dma, 0, TO, 0));
        bad.put("unmapResource NONE", () -> api.unmapResource(dma, 64, NONE, 0));
        bad.put("unmapResource attrs", () -> api.unmapResource(dma, 64, TO, UNKNOWN_ATTR));
        bad.put("mapSg null", () -> api.mapSg(null, 1, TO, 0));
        bad.put("mapSg nents 0", () -> api.mapSg(sg, 0, TO, 0));
        bad.put("mapSg nents > origNents", () -> api.mapSg(sg, 3, TO, 0));
        bad.put("mapSg NONE", () -> api.mapSg(sg, 2, NONE, 0));
        bad.put("mapSg attrs", () -> api.mapSg(sg, 2, TO, UNKNOWN_ATTR));
        bad.put("mapSg empty table", () -> api.mapSg(empty, 1, TO, 0));
        bad.put("unmapSg null", () -> api.unmapSg(null, 1, TO, 0));
        bad.put("unmapSg nents 0", () -> api.unmapSg(sg, 0, TO, 0));
        bad.put("unmapSg nents > origNents", () -> api.unmapSg(sg, 5, TO, 0));
        bad.put("unmapSg NONE", () -> api.unmapSg(sg, 2, NONE, 0));
        bad.put("unmapSg attrs", () -> api.unmapSg(sg, 2, TO, UNKNOWN_ATTR));
        bad.put("mapSgtable null", () -> api.mapSgtable(null, TO, 0));
        bad.put("mapSgtable empty", () -> api.mapSgtable(empty, TO, 0));
        bad.put("mapSgtable NONE", () -> api.mapSgtable(sg, NONE, 0));
        bad.put("mapSgtable attrs", () -> api.mapSgtable(sg, TO, UNKNOWN_ATTR));
        bad.put("unmapSgtable null", () -> api.unmapSgtable(null, TO, 0));
        bad.put("unmapSgtable empty", () -> api.unmapSgtable(empty, TO, 0));
        bad.put("unmapSgtable NONE", () -> api.unmapSgtable(sg, NONE, 0));
        bad.put("syncSingleForCpu zero size", () -> api.syncSingleForCpu(dma, 0, TO));
        bad.put("syncSingleForCpu NONE", () -> api.syncSingleForCpu(dma, 64, NONE));
        bad.put("syncSingleForCpu wraps", () -> api.syncSingleForCpu(top, 0x2000, TO));
        bad.put("syncSingleForDevice negative size", () -> api.syncSingleForDevice(dma, -1, TO));
        bad.put("syncSingleForDevice NONE", () -> api.syncSingleForDevice(dma, 64, NONE));
        bad.put("syncSingleRangeForCpu negative offset", () -> api.syncSingleRangeForCpu(dma + 64, -64, 64, TO));
        bad.put("syncSingleRangeForCpu offset wraps", () -> api.syncSingleRangeForCpu(top, 0x2000, 1, TO));
        bad.put("syncSingleRangeForDevice negative offset", () -> api.syncSingleRangeForDevice(dma, -1, 64, TO));
        bad.put("syncSingleRangeForDevice NONE", () -> api.syncSingleRangeForDevice(dma, 0, 64, NONE));
        bad.put("syncSgForCpu null", () -> api.syncSgForCpu(null, 1, TO));
        bad.put("syncSgForCpu nents", () -> api.syncSgForCpu(sg, 3, TO));
        bad.put("syncSgForCpu NONE", () -> api.syncSgForCpu(sg, 2, NONE));
        bad.put("syncSgForDevice null", () -> api.syncSgForDevice(null, 1, TO));
        bad.put("syncSgForDevice nents", () -> api.syncSgForDevice(sg, 0, TO));
        bad.put("syncSgtableForCpu null", () -> api.syncSgtableForCpu(null, TO));
        bad.put("syncSgtableForDevice null", () -> api.syncSgtableForDevice(null, TO));
        bad.put("syncSgtableForDevice empty", () -> api.syncSgtableForDevice(empty, TO));
        bad.put("allocCoherent zero size", () -> api.allocCoherent(0));
        bad.put("allocCoherent negative size", () -> api.allocCoherent(-PAGE, 0));
        bad.put("allocCoherent attrs", () -> api.allocCoherent(PAGE, UNKNOWN_ATTR));
        bad.put("freeCoherent zero size", () -> api.freeCoherent(0, p, dma));
        bad.put("freeCoherent null", () -> api.freeCoherent((CoherentAllocation) null));
        bad.put("setMask 0", () -> api.setMask(0));
        bad.put("setMask not 2^n-1", () -> api.setMask(0xff00));
        bad.put("setCoherentMask not 2^n-1", () -> api.setCoherentMask(5));
        bad.put("setMaskAndCoherent not 2^n-1", () -> api.setMaskAndCoherent(0x8000_0000_0000_0000L));
        // Memory that does not exist, and more than dma_max_mapping_size(): refused before the backend.
        bad.put("mapPhys outside RAM", () -> api.mapPhys(0x7000_0000_0000L, PAGE, TO, 0));
        bad.put("mapPhys 2^40 bytes", () -> api.mapPhys(p, 1L << 40, TO, 0));
        bad.put("mapPhys past the end of RAM", () -> api.mapPhys(0x1_ffff_f000L, 2 * PAGE, TO, 0));
        bad.put("mapPhys across a RAM hole", () -> api.mapPhys(0x3fff_f000L, 2 * PAGE, TO, 0));
        bad.put("mapPhys MMIO attr outside RAM and MMIO", () -> api.mapPhys(0x7000_0000_0000L, PAGE, TO, DmaAttrs.MMIO));
        bad.put("mapPage outside RAM", () -> api.mapPage(0x7000_0000_0000L, 0, 64, TO, 0));
        bad.put("mapPage in MMIO", () -> api.mapPage(0x1000_0000L, 0, 64, TO, 0));
        bad.put("mapResource outside RAM and MMIO", () -> api.mapResource(0x7000_0000_0000L, PAGE, TO, 0));
        bad.put("mapResource past declared MMIO", () -> api.mapResource(0x3fff_f000L, 2 * PAGE, TO, 0));
        bad.put("mapResource 2^40 bytes", () -> api.mapResource(0x1000_0000L, 1L << 40, TO, 0));
        bad.put("mapSg entry outside RAM", () -> api.mapSg(SgTable.of(new long[] {p, 0x7000_0000_0000L}, new int[] {64, 64}), 2, TO, 0));
        bad.put("mapSgtable entry in MMIO", () -> api.mapSgtable(SgTable.of(new long[] {0x1000_0000L}, new int[] {64}), TO, 0));

        int findings = f.platform.findings().size();
        for (Map.Entry<String, Executable> c : bad.entrySet()) {
            DmaApiFixture.State before = f.state();
            long findingCount = f.findingCount();
            long mask = api.mask();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c.getValue(), c.getKey());
            assertTrue(e.getMessage() != null && e.getMessage().length() > 10, c.getKey() + ": message " + e.getMessage());
            before.assertSame(f.state(), c.getKey());
            assertTrue(mask == api.mask(), c.getKey() + ": mask changed");
            assertTrue(sg.nents() == 0, c.getKey() + ": table became mapped");
            assertTrue(findingCount == f.findingCount(), c.getKey() + ": bad input is not a finding");
        }
        assertTrue(findings == f.platform.findings().size(), "bad input raised findings: " + f.platform.findings());
    }

    @Test
    void aMappingOverTheMaxMappingSizeIsRefusedBeforeTheBackendAndChangesNothing() {
        f.backend.maxMappingSize = 2 * PAGE;
        long p = f.page();
        DmaApiFixture.State before = f.state();
        long findings = f.findingCount();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> api.mapPhys(p, 2 * PAGE + 1, TO, 0));
        assertTrue(e.getMessage().contains("dma_map_phys: 8193 bytes is more than dma_max_mapping_size() = 8192 bytes"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> api.mapPage(p, 0, 3 * PAGE, TO, 0));
        before.assertSame(f.state(), "over the max mapping size");
        assertTrue(findings == f.findingCount(), "bad input is not a finding");
        // Exactly the maximum maps; a resource is never bounced, so the streaming limit does not apply to it.
        long dma = api.mapPhys(p, 2 * PAGE, TO, 0);
        api.unmapPhys(dma, 2 * PAGE, TO, 0);
        long mmio = api.mapResource(0x1000_0000L, 4 * PAGE, TO, 0);
        api.unmapResource(mmio, 4 * PAGE, TO, 0);
    }

    @Test
    void memoryThatDoesNotExistIsNamedWithTheRamAndMmioThereIs() {
        IllegalArgumentException ram = assertThrows(IllegalArgumentException.class,
                () -> api.mapPhys(0x7000_0000_0000L, PAGE, TO, 0));
        assertTrue(ram.getMessage().startsWith("dma_map_phys: physical range 0x700000000000+0x1000 is not RAM (RAM [0x40000000-0x100000000) "
                + "[0x100000000-0x200000000); declared MMIO [0x8000000-0x40000000))"), ram.getMessage());
        IllegalArgumentException res = assertThrows(IllegalArgumentException.class,
                () -> api.mapResource(0x7000_0000_0000L, PAGE, TO, 0));
        assertTrue(res.getMessage().contains("dma_map_resource: physical range 0x700000000000+0x1000 is neither RAM nor a declared MMIO region"),
                res.getMessage());
        // RAM may be mapped as a resource (replayed traces do); declared MMIO may.
        long d = api.mapResource(f.page(), 64, TO, 0);
        api.unmapResource(d, 64, TO, 0);
    }

    @Test
    void messagesNameTheCallAndTheValue() {
        long p = f.page();
        IllegalArgumentException dir = assertThrows(IllegalArgumentException.class, () -> api.mapPhys(p, 64, NONE, 0));
        assertTrue(dir.getMessage().startsWith("dma_map_phys: direction must be BIDIRECTIONAL, TO_DEVICE or FROM_DEVICE, got NONE"),
                dir.getMessage());
        IllegalArgumentException attrs = assertThrows(IllegalArgumentException.class, () -> api.mapPhys(p, 64, TO, UNKNOWN_ATTR));
        assertTrue(attrs.getMessage().contains("unknown DMA attribute bits 0x100000"), attrs.getMessage());
        IllegalArgumentException page = assertThrows(IllegalArgumentException.class, () -> api.mapPage(p + 1, 0, 1, TO, 0));
        assertTrue(page.getMessage().contains("is not page-aligned"), page.getMessage());
        IllegalArgumentException nents = assertThrows(IllegalArgumentException.class,
                () -> api.mapSg(SgTable.of(new long[] {p}, new int[] {8}), 2, TO, 0));
        assertTrue(nents.getMessage().contains("nents 2 outside 1..1"), nents.getMessage());
        IllegalArgumentException mask = assertThrows(IllegalArgumentException.class, () -> api.setMask(0x1234));
        assertTrue(mask.getMessage().contains("DMA mask must be 2^n-1 with n in 1..64, got 0x1234"), mask.getMessage());
    }
}
