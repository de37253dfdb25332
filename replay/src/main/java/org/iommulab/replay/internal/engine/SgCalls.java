package org.iommulab.replay.internal.engine;

import java.util.function.Supplier;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.replay.internal.memory.PhysTranslator;
import org.iommulab.replay.internal.parse.EventKind;
import org.iommulab.replay.internal.parse.LongArray;
import org.iommulab.replay.internal.parse.TraceEvent;
import org.iommulab.replay.internal.sg.PrecedingMaps;
import org.iommulab.replay.internal.sg.SgCertainty;
import org.iommulab.replay.internal.sg.SgRebuild;
import org.iommulab.replay.internal.sg.SgRebuilder;
import org.iommulab.replay.internal.sg.TruncatedSgIndex;

/**
 * Replays scatter-gather calls: dma_map_sg (after rebuilding its entry lengths), dma_unmap_sg,
 * dma_sync_sg_*, and dma_alloc_sgt/dma_free_sgt of a single entry.
 */
final class SgCalls {
    private final PhysTranslator phys;
    private final SgRebuilder rebuilder;
    private final boolean guess;
    private final Supplier<TruncatedSgIndex> truncated;

    /**
     * @param truncated the entries of the trace's truncated dma_map_sg calls, asked for only when
     *        the first such call is met
     */
    SgCalls(PhysTranslator phys, SgRebuilder rebuilder, boolean guess, Supplier<TruncatedSgIndex> truncated) {
        this.phys = phys;
        this.rebuilder = rebuilder;
        this.guess = guess;
        this.truncated = truncated;
    }

    void map(PassDevice d, TraceEvent e, PrecedingMaps maps) {
        LongArray all = e.truncated() ? truncated.get().entries(e.line()) : null;
        SgRebuild r = rebuilder.rebuild(e, maps, all);
        d.report.sgRebuild(r.certainty());
        LongArray p = all != null ? all : e.physAddrs();
        long firstPhys = p.get(0);
        long firstDma = e.dmaAddrs().isEmpty() ? -1 : e.dmaAddrs().get(0);
        if (r.certainty() == SgCertainty.IMPOSSIBLE) {
            d.report.skip(SkipReason.SG_IMPOSSIBLE, r.basis());
            d.table.skippedSg(firstPhys, firstDma);
            return;
        }
        boolean guessed = r.certainty() == SgCertainty.UNCERTAIN;
        if (guessed && (!guess || !r.hasLengths())) {
            d.report.skip(SkipReason.SG_UNCERTAIN, r.basis());
            d.table.skippedSg(firstPhys, firstDma);
            return;
        }
        if (e.truncated()) {
            d.report.countSgTruncatedRebuilt();
        }
        int n = p.size();
        SgTable sg = new SgTable(n);
        for (int i = 0; i < n; i++) {
            long sim = phys.translate(p.get(i), r.length(i));
            if (sim == PageAllocator.NO_MEMORY) {
                d.report.skip(SkipReason.NO_MEMORY);
                d.table.skippedSg(firstPhys, firstDma);
                return;
            }
            sg.add(sim, r.length(i));
        }
        DmaApi api = d.api;
        DmaDirection dir = PassDevice.dir(e.dir());
        int[] got = new int[1];
        if (!d.call(() -> got[0] = api.mapSg(sg, n, dir, e.attrs()))) {
            d.table.skippedSg(firstPhys, firstDma);
            return;
        }
        if (guessed) {
            d.report.countSgGuessed();
        }
        if (got[0] <= 0) {
            d.report.replayFailure();
            d.table.skippedSg(firstPhys, firstDma);
            return;
        }
        LongArray lens = e.lengths();
        LongArray dmas = e.dmaAddrs();
        // A truncated trace holds only the first 128 segments: those are compared, and the count.
        boolean layout = got[0] == e.fullEnts();
        boolean addrs = layout;
        if (!layout && d.report.recording()) {
            d.report.because(got[0] + " DMA segment(s) where the trace has " + e.fullEnts());
        }
        long bytes = 0;
        for (int k = 0; k < got[0]; k++) {
            bytes += Live.span(sg.dmaAddress(k), sg.dmaLength(k));
            if (k >= dmas.size()) {
                continue;
            }
            if (layout && sg.dmaLength(k) != lens.get(k)) {
                layout = false;
                if (d.report.recording()) {
                    d.report.because(String.format("segment %d is 0x%x bytes where the trace has 0x%x", k, sg.dmaLength(k),
                            lens.get(k)));
                }
            }
            // Kept off the IOMMU: dma-direct maps entry k to phys_to_dma of where it sits now.
            long expected = d.device.keptOffIommu() && k < p.size() ? dmas.get(k) - p.get(k) + sg.cpuPhys(k) : dmas.get(k);
            if (addrs && sg.dmaAddress(k) != expected) {
                addrs = false;
                if (d.report.recording()) {
                    d.report.because(String.format("segment %d at 0x%x where %s 0x%x", k, sg.dmaAddress(k),
                            expected == dmas.get(k) ? "the trace has" : "dma-direct gives the trace's buffer", expected));
                }
            }
        }
        d.report.replayedAt(sg.dmaAddress(0));
        d.report.sgMapped(layout);
        d.report.address(addrs);
        Live l = new Live(Live.Kind.SG, firstDma, sg.totalDmaLength(), sg.dmaAddress(0), dir, e.attrs(), bytes);
        l.sg = sg;
        l.traceFirstPhys = firstPhys;
        l.traceSegments = dmas;
        l.traceLengths = lens;
        l.sameLayout = layout;
        d.table.addSg(l, firstDma);
        d.report.mapped(bytes);
    }

    void unmap(PassDevice d, TraceEvent e) {
        long firstPhys = e.physAddrs().get(0);
        Live l = d.table.sgByPhys(firstPhys);
        if (l == null) {
            if (d.table.forgetSkippedSg(firstPhys)) {
                d.report.skip(SkipReason.MAP_NOT_REPLAYED);
            } else {
                d.report.countMisuse(MisuseKind.NEVER_MAPPED);
            }
            return;
        }
        int nents = e.physAddrs().size();
        DmaDirection dir = PassDevice.dir(e.dir());
        d.report.replayedAt(l.sg.dmaAddress(0));
        if (d.call(() -> d.api.unmapSg(l.sg, nents, dir, e.attrs()))) {
            d.table.removeSg(l);
            d.report.unmapped(l.bytes);
        }
    }

    void sync(PassDevice d, TraceEvent e) {
        long firstDma = e.dmaAddrs().get(0);
        Live l = d.table.sgByDma(firstDma);
        if (l == null) {
            if (d.table.wasSkippedSgDma(firstDma)) {
                d.report.skip(SkipReason.MAP_NOT_REPLAYED);
            } else {
                d.report.countMisuse(MisuseKind.NEVER_MAPPED);
            }
            return;
        }
        int nents = e.dmaAddrs().size();
        DmaDirection dir = PassDevice.dir(e.dir());
        d.report.replayedAt(l.sg.dmaAddress(0));
        if (e.kind() == EventKind.DMA_SYNC_SG_FOR_CPU) {
            d.call(() -> d.api.syncSgForCpu(l.sg, nents, dir));
        } else {
            d.call(() -> d.api.syncSgForDevice(l.sg, nents, dir));
        }
    }

    /**
     * dma_alloc_sgt (dma_alloc_noncontiguous): the trace gives the entries' physical addresses
     * but not their lengths; with one entry the length is the page-aligned size (dma-direct's
     * {@code alloc_single_sgt}), so that case is replayed as a mapping of that table. Several
     * entries are counted as unsupported.
     */
    void allocSgt(PassDevice d, TraceEvent e) {
        if (e.physAddrs().size() != 1) {
            d.report.skip(SkipReason.UNSUPPORTED);
            d.table.skippedSingle(e.dmaAddr(), e.size());
            return;
        }
        long len = (e.size() + PageAllocator.PAGE_SIZE - 1) & -PageAllocator.PAGE_SIZE;
        long sim = len > Integer.MAX_VALUE ? PageAllocator.NO_MEMORY : phys.translate(e.physAddrs().get(0), len);
        if (sim == PageAllocator.NO_MEMORY) {
            d.report.skip(SkipReason.NO_MEMORY);
            d.table.skippedSingle(e.dmaAddr(), e.size());
            return;
        }
        SgTable sg = new SgTable(1).add(sim, (int) len);
        DmaDirection dir = e.dir() == null ? DmaDirection.BIDIRECTIONAL : e.dir();
        int[] status = new int[1];
        if (!d.call(() -> status[0] = d.api.mapSgtable(sg, dir, e.attrs()))) {
            d.table.skippedSingle(e.dmaAddr(), e.size());
            return;
        }
        if (status[0] != 0) {
            d.report.replayFailure();
            d.table.skippedSingle(e.dmaAddr(), e.size());
            return;
        }
        d.report.replayedAt(sg.dmaAddress(0));
        if (d.device.keptOffIommu()) {
            d.report.notCompared("dma-direct: the buffer's address is where the simulated allocator put it");
        } else {
            d.report.address(sg.dmaAddress(0) == e.dmaAddr());
        }
        long bytes = 0;
        for (int k = 0; k < sg.nents(); k++) {
            bytes += Live.span(sg.dmaAddress(k), sg.dmaLength(k));
        }
        Live l = new Live(Live.Kind.SGT, e.dmaAddr(), e.size(), sg.dmaAddress(0), dir, e.attrs(), bytes);
        l.sg = sg;
        d.table.addSingle(l);
        d.report.mapped(bytes);
    }

    void freeSgt(PassDevice d, TraceEvent e) {
        Live l = d.toFree(e, Live.Kind.SGT);
        if (l == null) {
            return;
        }
        DmaDirection dir = e.dir() == null ? l.dir : e.dir();
        if (d.call(() -> d.api.unmapSgtable(l.sg, dir, l.attrs))) {
            d.table.removeSingle(l);
            d.report.unmapped(l.bytes);
        }
    }
}
