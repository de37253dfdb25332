package org.iommulab.replay.internal.engine;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.replay.internal.parse.LongArray;

/**
 * One mapping or allocation the replay made for a traced call and has not yet undone: the
 * trace's DMA address it answers for, and what the replay got.
 */
final class Live {
    /** The call that made it, which decides how it is undone. */
    enum Kind { PAGE, PHYS, RESOURCE, COHERENT, PAGES, SG, SGT }

    final Kind kind;
    final long traceDma;
    final long traceSize;
    final long replayedDma;
    final DmaDirection dir;
    final int attrs;
    /** Page-granular DMA address space it holds, for the peak. */
    final long bytes;
    CoherentAllocation coherent;
    /** dma_alloc_pages: the pages the replay allocated. */
    long pages;
    SgTable sg;
    long traceFirstPhys;
    /** dma_map_sg: the trace's DMA segments (addresses, lengths), for syncs that name one of them. */
    LongArray traceSegments = LongArray.EMPTY;
    LongArray traceLengths = LongArray.EMPTY;
    /** dma_map_sg: the replay produced the trace's segment layout, so segment k maps to segment k. */
    boolean sameLayout;
    /** Next entry under the same trace key (the same buffer mapped twice). */
    Live next;

    Live(Kind kind, long traceDma, long traceSize, long replayedDma, DmaDirection dir, int attrs, long bytes) {
        this.kind = kind;
        this.traceDma = traceDma;
        this.traceSize = traceSize;
        this.replayedDma = replayedDma;
        this.dir = dir;
        this.attrs = attrs;
        this.bytes = bytes;
    }

    /** The replayed address of trace address {@code traceAddr} inside this mapping. */
    long translate(long traceAddr) {
        return replayedDma + (traceAddr - traceDma);
    }

    /**
     * The replayed address of trace address {@code traceAddr} inside DMA segment of this sg
     * mapping, or -1 when it is in none or the replay's segments differ from the trace's.
     */
    long translateSegment(long traceAddr) {
        for (int k = 0; k < traceSegments.size(); k++) {
            if (traceAddr - traceSegments.get(k) >= 0 && traceAddr - traceSegments.get(k) < traceLengths.get(k)) {
                return sameLayout ? sg.dmaAddress(k) + (traceAddr - traceSegments.get(k)) : -1;
            }
        }
        return -1;
    }

    /** Pages of DMA address space {@code [dma, dma+size)} covers. */
    static long span(long dma, long size) {
        long start = dma & -4096L;
        long end = (dma + size + 4095) & -4096L;
        return end - start;
    }
}
