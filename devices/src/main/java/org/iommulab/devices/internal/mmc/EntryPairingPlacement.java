package org.iommulab.devices.internal.mmc;

import org.iommulab.api.dma.SgTable;

/**
 * The seed case's bug, kept on purpose: "if you're at scatterlist entry N for DMA, you can
 * switch to PIO for entry N" (Russell King, 2015-11-04, describing drivers that assume it). The
 * rest of DMA segment N is taken to live in CPU entry N, right after the part the DMA engine
 * moved. Without an IOMMU a DMA segment is a CPU entry and this holds; once an IOMMU has merged
 * the list (nents < orig_nents), segment N spans several entries and these bytes land past the
 * end of entry N: in free memory and in other entries, silently corrupting data.
 */
final class EntryPairingPlacement implements PioPlacement {
    @Override
    public void locate(SgTable sg, int segment, int inSegment, long transferOffset, int length, Chunk chunk) {
        chunk.at(sg.cpuPhys(segment) + inSegment, 0, length);
    }

    @Override
    public int pairedEntry(int segment) {
        return segment;
    }
}
