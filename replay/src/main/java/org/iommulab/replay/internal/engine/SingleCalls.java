package org.iommulab.replay.internal.engine;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.replay.internal.memory.PhysTranslator;
import org.iommulab.replay.internal.parse.EventKind;
import org.iommulab.replay.internal.parse.TraceEvent;

/**
 * Replays single mappings (dma_map_page/phys/resource and their unmaps), single syncs,
 * coherent allocations (dma_alloc/dma_free) and dma_alloc_pages/dma_free_pages.
 */
final class SingleCalls {
    private final PhysTranslator phys;
    private final PageAllocator allocator;

    SingleCalls(PhysTranslator phys, PageAllocator allocator) {
        this.phys = phys;
        this.allocator = allocator;
    }

    // ---- map ------------------------------------------------------------------------------

    void map(PassDevice d, TraceEvent e) {
        DmaApi api = d.api;
        boolean traceFailed = e.dmaAddr() == DmaMasks.MAPPING_ERROR;
        boolean mmio = e.kind() == EventKind.DMA_MAP_RESOURCE || DmaAttrs.has(e.attrs(), DmaAttrs.MMIO);
        // MMIO is not RAM: its address is kept as the trace gave it; RAM gets a simulated home
        long p = mmio ? e.physAddr() : phys.translate(e.physAddr(), e.size());
        if (p == PageAllocator.NO_MEMORY) {
            skip(d, e, SkipReason.NO_MEMORY);
            return;
        }
        DmaDirection dir = PassDevice.dir(e.dir());
        Live.Kind kind;
        switch (e.kind()) {
            case DMA_MAP_PAGE: kind = Live.Kind.PAGE; break;
            case DMA_MAP_RESOURCE: kind = Live.Kind.RESOURCE; break;
            default: kind = Live.Kind.PHYS;
        }
        long dma;
        try { // PassDevice.call, in place: no Runnable per call
            long before = d.begin();
            switch (kind) {
                case PAGE:
                    dma = api.mapPage(p & -PageAllocator.PAGE_SIZE, p & (PageAllocator.PAGE_SIZE - 1), e.size(), dir, e.attrs());
                    break;
                case RESOURCE:
                    dma = api.mapResource(p, e.size(), dir, e.attrs());
                    break;
                default:
                    dma = api.mapPhys(p, e.size(), dir, e.attrs());
            }
            d.done(before);
        } catch (RuntimeException ex) {
            d.failed(ex);
            skip(d, e, null);
            return;
        }
        boolean failed = api.mappingError(dma);
        if (traceFailed) {
            d.report.traceFailure(!failed);
            if (!failed) {
                // the trace's driver got an error and never unmapped: undo at once
                d.calledOutside();
                undo(api, kind, dma, e.size(), dir, e.attrs());
            }
            return;
        }
        if (failed) {
            d.report.replayFailure();
            d.table.skippedSingle(e.dmaAddr(), e.size());
            return;
        }
        d.report.replayedAt(dma);
        // A device kept off the IOMMU was on dma-direct in the trace too: its DMA address is
        // phys_to_dma of the buffer, so the replay's equals the trace's moved to where the
        // buffer sits in simulated RAM (MMIO keeps the trace's address).
        long expected = d.device.keptOffIommu() && !mmio ? e.dmaAddr() - e.physAddr() + p : e.dmaAddr();
        d.report.address(dma == expected);
        if (dma != expected && d.report.recording()) {
            d.report.because(String.format("replayed at 0x%x where %s 0x%x", dma,
                    expected == e.dmaAddr() ? "the trace has" : "dma-direct gives the trace's buffer", expected));
        }
        Live l = new Live(kind, e.dmaAddr(), e.size(), dma, dir, e.attrs(), Live.span(dma, e.size()));
        d.table.addSingle(l);
        d.report.mapped(l.bytes);
    }

    private static void undo(DmaApi api, Live.Kind kind, long dma, long size, DmaDirection dir, int attrs) {
        try {
            switch (kind) {
                case PAGE: api.unmapPage(dma, size, dir, attrs); break;
                case RESOURCE: api.unmapResource(dma, size, dir, attrs); break;
                default: api.unmapPhys(dma, size, dir, attrs);
            }
        } catch (RuntimeException ignored) {
            // the clean-up at the end of the pass reclaims what this could not
        }
    }

    private static void skip(PassDevice d, TraceEvent e, SkipReason why) {
        if (why != null) {
            d.report.skip(why);
        }
        if (e.dmaAddr() != DmaMasks.MAPPING_ERROR) {
            d.table.skippedSingle(e.dmaAddr(), e.size());
        }
    }

    // ---- unmap ----------------------------------------------------------------------------

    void unmap(PassDevice d, TraceEvent e) {
        Live l = d.table.single(e.dmaAddr(), e.size());
        long addr;
        if (l != null) {
            addr = l.replayedDma;
        } else if (d.table.wasSkippedSingle(e.dmaAddr(), true)) {
            d.report.skip(SkipReason.MAP_NOT_REPLAYED);
            return;
        } else {
            l = d.table.covering(e.dmaAddr());
            if (l == null) {
                d.report.countMisuse(MisuseKind.NEVER_MAPPED);
                return;
            }
            addr = l.translate(e.dmaAddr()); // inside a mapping, not at its start: the checker decides
        }
        DmaApi api = d.api;
        DmaDirection dir = PassDevice.dir(e.dir());
        d.report.replayedAt(addr);
        try { // PassDevice.call, in place: no Runnable per call
            long before = d.begin();
            switch (e.kind()) {
                case DMA_UNMAP_PAGE: api.unmapPage(addr, e.size(), dir, e.attrs()); break;
                case DMA_UNMAP_RESOURCE: api.unmapResource(addr, e.size(), dir, e.attrs()); break;
                default: api.unmapPhys(addr, e.size(), dir, e.attrs());
            }
            d.done(before);
        } catch (RuntimeException ex) {
            d.failed(ex);
            return;
        }
        d.table.removeSingle(l);
        d.report.unmapped(l.bytes);
    }

    // ---- sync -----------------------------------------------------------------------------

    void sync(PassDevice d, TraceEvent e) {
        Live l = d.table.covering(e.dmaAddr());
        long addr;
        if (l != null) {
            addr = l.translate(e.dmaAddr());
        } else if ((l = d.table.sgCovering(e.dmaAddr())) != null) {
            // dma_sync_single_* on a segment of a dma_map_sg: reachable only when the replay's
            // segments are the trace's; otherwise there is no counterpart address
            addr = l.translateSegment(e.dmaAddr());
            if (addr == -1) {
                d.report.skip(SkipReason.UNSUPPORTED);
                return;
            }
        } else {
            if (d.table.wasSkippedSingle(e.dmaAddr(), false) || d.table.wasSkippedSgDma(e.dmaAddr())) {
                d.report.skip(SkipReason.MAP_NOT_REPLAYED);
            } else {
                d.report.countMisuse(MisuseKind.NEVER_MAPPED);
            }
            return;
        }
        DmaApi api = d.api;
        DmaDirection dir = PassDevice.dir(e.dir());
        d.report.replayedAt(addr);
        if (e.kind() == EventKind.DMA_SYNC_SINGLE_FOR_CPU) {
            d.call(() -> api.syncSingleForCpu(addr, e.size(), dir));
        } else {
            d.call(() -> api.syncSingleForDevice(addr, e.size(), dir));
        }
    }

    // ---- coherent -------------------------------------------------------------------------

    void alloc(PassDevice d, TraceEvent e) {
        if (e.dmaAddr() == 0 || e.dmaAddr() == DmaMasks.MAPPING_ERROR) {
            // dma_alloc prints dma_addr=0 when it returned NULL (since v6.13; garbage before)
            d.report.traceFailure(false);
            d.report.skip(SkipReason.TRACE_FAILED);
            return;
        }
        CoherentAllocation[] got = new CoherentAllocation[1];
        if (!d.call(() -> got[0] = d.api.allocCoherent(e.size(), e.attrs()))) {
            d.table.skippedSingle(e.dmaAddr(), e.size());
            return;
        }
        if (got[0] == null) {
            d.report.replayFailure();
            d.table.skippedSingle(e.dmaAddr(), e.size());
            return;
        }
        d.report.replayedAt(got[0].dmaHandle());
        if (d.device.keptOffIommu()) {
            d.report.notCompared("dma-direct: a coherent buffer's address is where the simulated allocator put it");
        } else {
            d.report.address(got[0].dmaHandle() == e.dmaAddr());
        }
        Live l = new Live(Live.Kind.COHERENT, e.dmaAddr(), e.size(), got[0].dmaHandle(), null, e.attrs(),
                Live.span(got[0].dmaHandle(), e.size()));
        l.coherent = got[0];
        d.table.addSingle(l);
        d.report.mapped(l.bytes);
    }

    void free(PassDevice d, TraceEvent e) {
        Live l = d.toFree(e, Live.Kind.COHERENT);
        if (l == null) {
            return;
        }
        CoherentAllocation c = l.coherent;
        d.report.replayedAt(c.dmaHandle());
        if (d.call(() -> d.api.freeCoherent(e.size(), c.cpuAddress(), c.dmaHandle()))) {
            d.table.removeSingle(l);
            d.report.unmapped(l.bytes);
        }
    }

    // ---- dma_alloc_pages ------------------------------------------------------------------

    /**
     * dma_alloc_pages: the DMA API has no call for it, so the replay does what Linux's
     * {@code dma_common_alloc_pages} (kernel/dma/ops_helpers.c) does for an IOMMU: allocate the
     * pages (below 4 GiB for a device whose coherent mask needs it) and map them with
     * {@code DMA_ATTR_SKIP_CPU_SYNC}.
     */
    void allocPages(PassDevice d, TraceEvent e) {
        if (e.dmaAddr() == 0 || e.dmaAddr() == DmaMasks.MAPPING_ERROR) {
            d.report.traceFailure(false);
            d.report.skip(SkipReason.TRACE_FAILED);
            return;
        }
        long count = (e.size() + PageAllocator.PAGE_SIZE - 1) / PageAllocator.PAGE_SIZE;
        Zone zone = Long.compareUnsigned(d.api.coherentMask(), 0xffff_ffffL) <= 0 ? Zone.DMA32 : Zone.NORMAL;
        long pages = allocator.allocPages(count, zone);
        if (pages == PageAllocator.NO_MEMORY) {
            skip(d, e, SkipReason.NO_MEMORY);
            return;
        }
        DmaDirection dir = e.dir() == null ? DmaDirection.BIDIRECTIONAL : e.dir();
        int attrs = e.attrs() | DmaAttrs.SKIP_CPU_SYNC;
        long[] got = {DmaMasks.MAPPING_ERROR};
        boolean called = d.call(() -> got[0] = d.api.mapPage(pages, 0, e.size(), dir, attrs));
        if (!called || d.api.mappingError(got[0])) {
            if (called) {
                d.report.replayFailure();
            }
            allocator.free(pages);
            d.table.skippedSingle(e.dmaAddr(), e.size());
            return;
        }
        d.report.replayedAt(got[0]);
        if (d.device.keptOffIommu()) {
            d.report.notCompared("dma-direct: the pages' address is where the simulated allocator put them");
        } else {
            d.report.address(got[0] == e.dmaAddr());
        }
        Live l = new Live(Live.Kind.PAGES, e.dmaAddr(), e.size(), got[0], dir, attrs, Live.span(got[0], e.size()));
        l.pages = pages;
        d.table.addSingle(l);
        d.report.mapped(l.bytes);
    }

    /** dma_free_pages: {@code dma_common_free_pages}, unmap with SKIP_CPU_SYNC, then free. */
    void freePages(PassDevice d, TraceEvent e) {
        Live l = d.toFree(e, Live.Kind.PAGES);
        if (l == null) {
            return;
        }
        DmaDirection dir = e.dir() == null ? l.dir : e.dir();
        d.report.replayedAt(l.replayedDma);
        if (d.call(() -> d.api.unmapPage(l.replayedDma, e.size(), dir, l.attrs))) {
            allocator.free(l.pages);
            d.table.removeSingle(l);
            d.report.unmapped(l.bytes);
        }
    }
}
