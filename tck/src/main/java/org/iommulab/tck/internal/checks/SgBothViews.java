package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.data;
import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.sameBytes;
import static org.iommulab.tck.internal.Expect.that;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Expect;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TestDevice;

/** A scatterlist keeps its CPU view and gains a DMA view, merged where the backend merges. */
final class SgBothViews extends RigCheck {
    static final int ENTRIES = 4;

    SgBothViews() {
        super("sg-both-views", "dma_map_sg returns nents <= orig_nents DMA segments and leaves the CPU entries as they"
                + " were; the DMA segments carry the entries' bytes in order, none longer than"
                + " dma_get_max_seg_size or crossing dma_get_seg_boundary. iommu-dma (iommu_dma_map_sg with"
                + " __finalise_sg) maps page-aligned entries into one IOVA range and merges them into one segment"
                + " up to the max segment size; with a 4 KiB max segment size no backend merges 4 KiB pages.");
    }

    @Override
    String run(Rig rig) throws Exception {
        // iommu-dma merges page-aligned entries when the IOVA granule is a page (a larger granule
        // pads every entry to a granule of its own).
        org.iommulab.api.iommu.IommuDriver drv = rig.backend.iommuDriver();
        boolean merges = drv != null && Long.lowestOneBit(drv.pgsizeBitmap()) <= PAGE;
        TestDevice d = rig.device("sg");
        int nents = mapAndCheck(rig, d, merges ? 1 : -1, 3);
        TestDevice small = rig.device("sg4k", b -> b.maxSegmentSize(PAGE));
        mapAndCheck(rig, small, ENTRIES, 4);
        return ENTRIES + " discontiguous pages: " + nents + " DMA segment(s)" + (merges ? " (merged, as iommu-dma does)" : "")
                + ", the CPU view intact, the DMA view carrying the bytes in order; with a 4 KiB max segment size: "
                + ENTRIES + " segments";
    }

    /** Maps 4 discontiguous pages; {@code wantNents} -1 for any count. Returns the count. */
    private static int mapAndCheck(Rig rig, TestDevice d, int wantNents, long seed) {
        long block = rig.pages(2 * ENTRIES, Zone.NORMAL);
        long[] pages = new long[ENTRIES];
        SgTable sg = new SgTable(ENTRIES);
        byte[] bytes = data(ENTRIES * PAGE, seed);
        for (int i = 0; i < ENTRIES; i++) {
            pages[i] = block + 2L * i * PAGE;
            sg.add(pages[i], PAGE);
            rig.memory.write(pages[i], bytes, i * PAGE, PAGE);
        }
        int nents = d.api.mapSg(sg, ENTRIES, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        that(nents >= 1 && nents <= ENTRIES, () -> d + ": dma_map_sg of " + ENTRIES + " entries returned " + nents
                + "; log: " + rig.admin.log(d.name));
        try {
            that(sg.nents() == nents, () -> "sg_table nents is " + sg.nents() + ", dma_map_sg returned " + nents);
            that(sg.origNents() == ENTRIES, () -> "orig_nents changed to " + sg.origNents());
            for (int i = 0; i < ENTRIES; i++) {
                int idx = i;
                that(sg.cpuPhys(i) == pages[i] && sg.cpuLength(i) == PAGE, () -> "CPU entry " + idx + " changed to "
                        + hex(sg.cpuPhys(idx)) + "+" + sg.cpuLength(idx));
            }
            if (wantNents > 0) {
                that(nents == wantNents, () -> d + ": " + ENTRIES + " page-aligned 4 KiB entries (max segment size "
                        + d.api.maxSegmentSize() + ") gave " + nents + " DMA segments, not " + wantNents + ": " + sg);
            }
            byte[] seen = new byte[ENTRIES * PAGE];
            long covered = 0;
            for (int s = 0; s < nents; s++) {
                long addr = sg.dmaAddress(s);
                int len = sg.dmaLength(s);
                int seg = s;
                that(len > 0 && len <= d.api.maxSegmentSize(), () -> "DMA segment " + seg + " is " + len
                        + " bytes; the max segment size is " + d.api.maxSegmentSize());
                long boundary = d.api.segmentBoundary();
                that(((addr ^ (addr + len - 1)) & ~boundary) == 0, () -> "DMA segment " + seg + " " + hex(addr) + "+"
                        + len + " crosses the segment boundary mask " + hex(boundary));
                that(covered + len <= seen.length, () -> "the DMA segments add up to more than " + seen.length + " bytes");
                d.bus.read(addr, seen, (int) covered, len);
                covered += len;
            }
            long total = covered;
            that(total == seen.length, () -> "the DMA segments add up to " + total + " bytes, not " + seen.length);
            sameBytes(bytes, seen, d + ": the DMA view does not carry the CPU view's bytes in order");
            if (nents < ENTRIES) {
                try {
                    sg.dmaAddress(nents);
                    throw Expect.fail("DMA segment " + nents + " of " + nents + " could be read");
                } catch (IllegalStateException expected) {
                    // DMA segments past nents do not exist.
                }
            }
        } finally {
            d.api.unmapSg(sg, ENTRIES, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        }
        that(sg.nents() == 0, () -> "after dma_unmap_sg the table still has " + sg.nents() + " DMA segments");
        return nents;
    }
}
