package org.iommulab.devices.internal.mmc;

import org.iommulab.api.dma.SgMiter;
import org.iommulab.api.dma.SgTable;

/**
 * The correct way, as Russell King put it in the seed thread: the CPU view and the DMA view of
 * a scatterlist are different lists, so the bytes a DMA segment did not cover are found by
 * their offset in the transfer, walking the CPU view ({@code sg_miter_skip}, then
 * {@code sg_miter_next} chunk by chunk), whatever segment they came from.
 */
final class SgMiterPlacement implements PioPlacement {
    @Override
    public void locate(SgTable sg, int segment, int inSegment, long transferOffset, int length, Chunk chunk) {
        SgMiter miter = new SgMiter(sg);
        if (!miter.skip(transferOffset)) {
            throw new IllegalStateException("transfer offset " + transferOffset + " is beyond the sg list");
        }
        int done = 0;
        while (done < length && miter.next()) {
            int n = Math.min(miter.length(), length - done);
            chunk.at(miter.phys(), done, n);
            done += n;
        }
        if (done < length) {
            throw new IllegalStateException("the sg list ends " + (length - done) + " bytes before the PIO bytes do");
        }
    }
}
