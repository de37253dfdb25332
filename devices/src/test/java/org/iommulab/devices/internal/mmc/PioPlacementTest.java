package org.iommulab.devices.internal.mmc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.dma.SgTable;
import org.junit.jupiter.api.Test;

/** The one difference between the two MMC drivers, on a list an IOMMU merged into one segment. */
class PioPlacementTest {
    /** Three scattered 4 KiB pages, merged into one 12 KiB DMA segment at IOVA 0x10000. */
    private static SgTable mergedList() {
        SgTable sg = new SgTable(3).add(0x4000_0000L, 4096).add(0x4000_8000L, 4096).add(0x4001_0000L, 4096);
        sg.setDmaSegment(0, 0x10000, 3 * 4096);
        sg.setNents(1);
        return sg;
    }

    private static List<long[]> chunks(PioPlacement p, SgTable sg) {
        List<long[]> out = new ArrayList<>();
        // The engine moved the first 4 KiB of segment 0; 8 KiB are left for PIO at transfer offset 4096.
        p.locate(sg, 0, 4096, 4096, 2 * 4096, (phys, off, len) -> out.add(new long[] {phys, off, len}));
        return out;
    }

    @Test
    void theCpuViewPutsThePioBytesIntoEntriesOneAndTwo() {
        List<long[]> c = chunks(new SgMiterPlacement(), mergedList());
        assertEquals(2, c.size());
        assertEquals(List.of(0x4000_8000L, 0L, 4096L), List.of(c.get(0)[0], c.get(0)[1], c.get(0)[2]));
        assertEquals(List.of(0x4001_0000L, 4096L, 4096L), List.of(c.get(1)[0], c.get(1)[1], c.get(1)[2]));
    }

    @Test
    void pairingDmaSegmentWithCpuEntryWritesPastTheEndOfEntryZero() {
        List<long[]> c = chunks(new EntryPairingPlacement(), mergedList());
        assertEquals(1, c.size());
        assertEquals(0x4000_1000L, c.get(0)[0], "entry 0 + 4 KiB: the page after entry 0, not entry 1");
        assertEquals(2 * 4096L, c.get(0)[2]);
    }

    @Test
    void withoutMergingBothAgree() {
        SgTable sg = new SgTable(2).add(0x4000_0000L, 8192).add(0x4000_8000L, 4096);
        sg.setDmaSegment(0, 0x4000_0000L, 8192);
        sg.setDmaSegment(1, 0x4000_8000L, 4096);
        sg.setNents(2);
        List<long[]> a = new ArrayList<>();
        List<long[]> b = new ArrayList<>();
        new SgMiterPlacement().locate(sg, 0, 4096, 4096, 4096, (p, o, l) -> a.add(new long[] {p, l}));
        new EntryPairingPlacement().locate(sg, 0, 4096, 4096, 4096, (p, o, l) -> b.add(new long[] {p, l}));
        assertEquals(a.get(0)[0], b.get(0)[0]);
        assertEquals(a.get(0)[1], b.get(0)[1]);
    }
}
