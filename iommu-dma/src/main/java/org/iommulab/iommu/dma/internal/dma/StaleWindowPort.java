package org.iommulab.iommu.dma.internal.dma;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.AccessType;

/**
 * The device side of a lazy (flush-queue) binding: fires the flush-queue timer when due, then
 * lets the IOMMU translate; an access that succeeds on an IOVA the driver already unmapped
 * (still in the flush queue, so only a stale IOTLB entry can have served it) is counted as a
 * {@code STALE_TRANSLATIONS}. Allocation-free on success.
 */
final class StaleWindowPort implements TranslationPort {
    private final TranslationPort iommu;
    private final FlushQueue fq;
    private final DmaCounters counters;
    private final int iovaShift;

    StaleWindowPort(TranslationPort iommu, FlushQueue fq, DmaCounters counters, int iovaShift) {
        this.iommu = iommu;
        this.fq = fq;
        this.counters = counters;
        this.iovaShift = iovaShift;
    }

    @Override
    public long translate(int streamId, long busAddr, AccessType access) {
        fq.runTimerIfDue();
        long phys = iommu.translate(streamId, busAddr, access);
        if (fq.isPending(busAddr >>> iovaShift)) {
            counters.staleTranslations.increment();
        }
        return phys;
    }

    /**
     * A run of blocks as the IOMMU translates it, with the same checks {@link #translate} makes
     * for each block it returns: the timer once (nothing between the blocks of one run moves the
     * simulated clock), then each block's first address (block 0: {@code busAddr}) asked of the
     * flush queue under one hold of its lock ({@link FlushQueue#pendingBlocks}). Without this the
     * bus master would fall back to one translation, and one hold of the IOMMU's lock, per block
     * on every lazy binding.
     */
    @Override
    public int translateRun(int streamId, long busAddr, AccessType access, long[] frames, int count) {
        fq.runTimerIfDue();
        int n = iommu.translateRun(streamId, busAddr, access, frames, count);
        int stale = fq.pendingBlocks(busAddr, n, iommu.pageShift(), iovaShift);
        if (stale != 0) {
            counters.staleTranslations.add(stale);
        }
        return n;
    }

    @Override
    public int pageShift() {
        return iommu.pageShift();
    }
}
