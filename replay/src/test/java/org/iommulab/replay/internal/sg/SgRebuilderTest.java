package org.iommulab.replay.internal.sg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.replay.internal.parse.LineParser;
import org.iommulab.replay.internal.parse.LineResult;
import org.iommulab.replay.internal.parse.TraceEvent;
import org.junit.jupiter.api.Test;

class SgRebuilderTest {
    private final SgRebuilder rebuilder = new SgRebuilder(4096);
    private final LineParser parser = new LineParser();

    private TraceEvent line(String l) {
        LineResult r = parser.parse(l, 1);
        assertEquals(LineResult.Type.EVENT, r.type(), r::toString);
        return r.event();
    }

    private TraceEvent sg(String dma, String sizes, String phys) {
        return line("fio-1290 [003] ..... 410.5: dma_map_sg: 0000:02:00.0 dir=FROM_DEVICE dma_addrs={" + dma + "} sizes={" + sizes
                + "} phys_addrs={" + phys + "} attrs=");
    }

    private static PrecedingMaps maps(long... iovaPaddrSize) {
        List<IommuMap> l = new ArrayList<>();
        for (int i = 0; i < iovaPaddrSize.length; i += 3) {
            l.add(new IommuMap(iovaPaddrSize[i], iovaPaddrSize[i + 1], iovaPaddrSize[i + 2], 1290, i));
        }
        return new PrecedingMaps(l, true);
    }

    @Test
    void equalCountsAreCertain() {
        SgRebuild r = rebuilder.rebuild(sg("0x8a2c1040,0x8a2c3000", "0x200,0x1000", "0x8a2c1040,0x8a2c3000"), PrecedingMaps.NONE);
        assertEquals(SgCertainty.CERTAIN, r.certainty());
        assertArrayEquals(new int[] {0x200, 0x1000}, r.lengths());
        assertTrue(r.basis().contains("nents == ents"));
    }

    @Test
    void iommuMapEventsPinDownAMergedSegment() {
        // three pages, the first two physically contiguous (one iommu:map run), all merged into one segment
        SgRebuild r = rebuilder.rebuild(sg("0xffff0000", "0x3000", "0x10b200000,0x10b201000,0x10c7f5000"),
                maps(0xffff0000L, 0x10b200000L, 8192, 0xffff2000L, 0x10c7f5000L, 4096));
        assertEquals(SgCertainty.CERTAIN, r.certainty(), r::toString);
        assertArrayEquals(new int[] {4096, 4096, 4096}, r.lengths());
    }

    @Test
    void iommuMapEventsWithOffsetsAndTwoSegments() {
        // entry 0 starts mid-page and ends on the boundary, entry 1 merges into it; entry 2 starts mid-page: new segment;
        // entry 3 (multi-page) merges into segment 1 and its length is what is left of it
        SgRebuild r = rebuilder.rebuild(
                sg("0xfff00a00,0xfff02300", "0x1600,0x3000", "0x20000a00,0x20001000,0x30000300,0x30001000"),
                maps(0xfff00000L, 0x20000000L, 8192, 0xfff02000L, 0x30000000L, 0x4000));
        assertEquals(SgCertainty.CERTAIN, r.certainty(), r::toString);
        assertArrayEquals(new int[] {0x600, 0x1000, 0xd00, 0x2300}, r.lengths());
    }

    @Test
    void withoutIommuEventsAMergedCallIsUncertainWithAGuess() {
        SgRebuild r = rebuilder.rebuild(sg("0xfbff8000", "0x2000", "0x41c2a000,0x41c2b000"), PrecedingMaps.NONE);
        assertEquals(SgCertainty.UNCERTAIN, r.certainty());
        assertTrue(r.hasLengths());
        assertArrayEquals(new int[] {4096, 4096}, r.lengths());
        assertTrue(r.basis().contains("guess"));
    }

    @Test
    void noGuessFitsAnUnalignedEntryInsideAMergedSegment() {
        // entry 1 has an IOVA offset, so __finalise_sg could never have merged it: no layout fits
        SgRebuild r = rebuilder.rebuild(sg("0xfbff8000", "0x1200", "0x41c2a000,0x41c2b100"), PrecedingMaps.NONE);
        assertEquals(SgCertainty.UNCERTAIN, r.certainty());
        assertFalse(r.hasLengths());
        assertNull(r.lengths());
    }

    @Test
    void mapsThatDoNotFitFallBackToUncertain() {
        SgRebuild r = rebuilder.rebuild(sg("0xffff0000", "0x2000", "0x10b200000,0x10b201000"),
                maps(0xffff0000L, 0x99990000L, 8192));
        assertEquals(SgCertainty.UNCERTAIN, r.certainty());
        assertTrue(r.basis().contains("do not fit"), r.basis());
        assertArrayEquals(new int[] {4096, 4096}, r.lengths());
    }

    @Test
    void incompleteMapWindowIsNotTrusted() {
        SgRebuild r = rebuilder.rebuild(sg("0xffff0000", "0x2000", "0x10b200000,0x10b201000"),
                new PrecedingMaps(List.of(new IommuMap(0xffff0000L, 0x10b200000L, 8192, 1, 1)), false));
        assertEquals(SgCertainty.UNCERTAIN, r.certainty());
    }

    @Test
    void truncatedArraysAreImpossible() {
        StringBuilder p = new StringBuilder();
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < 128; i++) {
            p.append(i == 0 ? "" : ",").append("0x").append(Long.toHexString(0x80000000L + 4096L * i));
            l.append(i == 0 ? "" : ",").append("0x1000");
        }
        TraceEvent e = line("k-1 [000] 1.0: dma_map_sg: d dir=TO_DEVICE nents=128/200 ents=128/200 [TRUNCATED] dma_addrs={" + p
                + "} sizes={" + l + "} phys_addrs={" + p + "} attrs=");
        SgRebuild r = rebuilder.rebuild(e, PrecedingMaps.NONE);
        assertEquals(SgCertainty.IMPOSSIBLE, r.certainty());
        assertTrue(r.basis().contains("128 of 200"), r.basis());
        assertFalse(r.hasLengths());
    }

    /**
     * 130 single-page entries at every other page (so each is its own iommu:map run), which
     * __finalise_sg merges 16 at a time under the default 64 KiB max segment size: 9 segments.
     * The map_sg event prints 128 of the 130 entries; the dma_unmap_sg prints all of them.
     */
    @Test
    void aTruncatedCallIsRebuiltFromItsRunsAndItsUnmap() {
        int n = 130;
        long base = 0xfff00000L;
        StringBuilder p = new StringBuilder();
        long[] all = new long[n];
        List<IommuMap> runs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all[i] = 0x70000000L + 0x2000L * i;
            runs.add(new IommuMap(base + 0x1000L * i, all[i], 4096, 1, i));
            if (i < 128) {
                p.append(i == 0 ? "" : ",").append("0x").append(Long.toHexString(all[i]));
            }
        }
        StringBuilder d = new StringBuilder();
        StringBuilder l = new StringBuilder();
        for (int k = 0; k < 9; k++) {
            d.append(k == 0 ? "" : ",").append("0x").append(Long.toHexString(base + 0x10000L * k));
            l.append(k == 0 ? "" : ",").append(k < 8 ? "0x10000" : "0x2000");
        }
        TraceEvent e = line("k-1 [000] 1.0: dma_map_sg: d dir=TO_DEVICE nents=128/130 ents=9/9 [TRUNCATED] dma_addrs={" + d
                + "} sizes={" + l + "} phys_addrs={" + p + "} attrs=");
        SgRebuild none = rebuilder.rebuild(e, new PrecedingMaps(runs, true), null);
        assertEquals(SgCertainty.IMPOSSIBLE, none.certainty(), "without the unmap the entries past 128 are unknown");
        SgRebuild r = rebuilder.rebuild(e, new PrecedingMaps(runs, true),
                org.iommulab.replay.internal.parse.LongArray.of(all));
        assertEquals(SgCertainty.CERTAIN, r.certainty(), r::toString);
        assertEquals(n, r.lengths().length);
        for (int i = 0; i < n; i++) {
            assertEquals(4096, r.length(i));
        }
        // A segment that does not start at an entry contradicts the layout.
        List<IommuMap> shifted = new ArrayList<>(runs);
        shifted.set(0, new IommuMap(base, all[0] + 0x1000, 4096, 1, 0));
        assertEquals(SgCertainty.IMPOSSIBLE, rebuilder.rebuild(e, new PrecedingMaps(shifted, true),
                org.iommulab.replay.internal.parse.LongArray.of(all)).certainty());
    }

    @Test
    void granuleMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new SgRebuilder(3000));
        assertThrows(IllegalArgumentException.class, () -> new SgRebuilder(256));
        assertEquals(65536, new SgRebuilder(65536).granule());
    }
}
