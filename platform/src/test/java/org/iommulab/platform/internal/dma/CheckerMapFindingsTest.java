package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.CheckerFixture.PAGE;
import static org.iommulab.platform.internal.dma.CheckerFixture.assertFinding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.junit.jupiter.api.Test;

/**
 * Findings at map time: dma-debug's {@code check_sg_segment} and its active-cacheline overlap
 * tracking. The mapping itself succeeds; the finding is the signal.
 */
class CheckerMapFindingsTest {
    private static final DmaDirection TO = DmaDirection.TO_DEVICE;
    private static final DmaDirection FROM = DmaDirection.FROM_DEVICE;
    private static final DmaDirection BIDI = DmaDirection.BIDIRECTIONAL;

    @Test
    void anSgSegmentLongerThanTheDeviceSupports() {
        CheckerFixture f = new CheckerFixture(CheckerSettings.DEFAULT, CheckerFixture.device().maxSegmentSize(4096).build(), false);
        SgTable sg = SgTable.of(new long[] {f.page(), f.pages(2)}, new int[] {4096, 8192});
        assertEquals(2, f.api.mapSg(sg, 2, TO, 0));
        assertFinding(f.only(FindingKind.SG_SEGMENT_TOO_LONG), FindingKind.SG_SEGMENT_TOO_LONG, sg.dmaAddress(1), 8192,
                TO, " [len=8192] [max=4096] [segment=1]");
        // A backend that merges past the limit is caught on its DMA segment too.
        SgTable merged = SgTable.of(new long[] {f.page(), f.page()}, new int[] {4096, 4096});
        f.backend.mergeSg = true;
        assertEquals(1, f.api.mapSg(merged, 2, FROM, 0));
        assertEquals(FindingKind.SG_SEGMENT_TOO_LONG, f.only(FindingKind.SG_SEGMENT_TOO_LONG).kind());
        assertEquals(2, f.platform.liveMappings("dev0"), "the mappings stand");
    }

    @Test
    void anSgSegmentAcrossTheDevicesBoundary() {
        CheckerFixture f = new CheckerFixture(CheckerSettings.DEFAULT,
                CheckerFixture.device().segmentBoundaryMask(0xffff).build(), false);
        long block = f.pages(16); // 64 KiB, naturally aligned
        SgTable sg = SgTable.of(new long[] {block + 0xf000}, new int[] {0x2000});
        f.api.mapSgtable(sg, TO, 0);
        long start = sg.dmaAddress(0);
        assertFinding(f.only(FindingKind.SG_SEGMENT_ACROSS_BOUNDARY), FindingKind.SG_SEGMENT_ACROSS_BOUNDARY, start, 0x2000, TO,
                String.format(" [start=0x%016x] [end=0x%016x] [boundary=0x%016x] [segment=0]", start, start + 0x1fff, 0xffffL));
        SgTable inside = SgTable.of(new long[] {block + 0x1000}, new int[] {0x2000});
        f.api.mapSgtable(inside, TO, 0);
        f.none();
    }

    @Test
    void twoMappingsTheDeviceWritesInOneCachelineOverlap() {
        CheckerFixture f = new CheckerFixture();
        long buf = f.page();
        long d1 = f.map(buf, 32, FROM);
        f.none();
        long d2 = f.map(buf + 32, 32, BIDI);
        assertFinding(f.only(FindingKind.OVERLAPPING_MAPPING), FindingKind.OVERLAPPING_MAPPING, d2, 32, BIDI, String.format(
                " [device address=0x%016x] [size=32 bytes] [mapped with DMA_BIDIRECTIONAL] [cacheline=0x%x]", d2, buf >>> 6));
        // TO_DEVICE mappings are never tracked: the device does not write them.
        f.map(buf, 64, TO);
        f.none();
        // After both are unmapped the line is free again.
        f.api.unmapPhys(d2, 32, BIDI, 0);
        f.api.unmapPhys(d1, 32, FROM, 0);
        f.map(buf, 16, FROM);
        f.none();
    }

    @Test
    void skipCpuSyncSilencesTheOverlapAsInLinux() {
        CheckerFixture f = new CheckerFixture();
        long buf = f.page();
        f.map(buf, 64, FROM);
        f.api.mapPhys(buf, 64, FROM, DmaAttrs.SKIP_CPU_SYNC);
        f.none();
    }

    @Test
    void moreThanSevenOverlapsWarnOnce() {
        CheckerFixture f = new CheckerFixture();
        long buf = f.page();
        f.map(buf, 64, FROM);
        for (int i = 1; i <= 7; i++) {
            f.map(buf, 64, FROM);
            assertTrue(!f.only(FindingKind.OVERLAPPING_MAPPING).message().contains("exceeded"));
        }
        f.map(buf, 64, FROM);
        Finding over = f.only(FindingKind.OVERLAPPING_MAPPING);
        assertTrue(over.message().endsWith(String.format("[exceeded 7 overlapping mappings of cacheline 0x%x]", buf >>> 6)),
                over.message());
        f.map(buf, 64, FROM);
        assertTrue(!f.only(FindingKind.OVERLAPPING_MAPPING).message().contains("exceeded"), "WARN_ONCE");
    }

    @Test
    void sgEntriesAndCoherentBuffersAreTrackedPerLine() {
        CheckerFixture f = new CheckerFixture();
        long a = f.page();
        SgTable sg = SgTable.of(new long[] {a, a + 512}, new int[] {64, 64});
        f.api.mapSgtable(sg, FROM, 0);
        f.none();
        f.map(a + 512 + 8, 8, FROM);
        List<Finding> one = f.take();
        assertEquals(1, one.size());
        assertEquals(FindingKind.OVERLAPPING_MAPPING, one.get(0).kind());
        long c = f.api.allocCoherent(PAGE).cpuAddress();
        f.map(c, 64, FROM);
        f.only(FindingKind.OVERLAPPING_MAPPING);
    }
}
