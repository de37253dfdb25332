package org.iommulab.replay.internal.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.replay.internal.device.ReplayDevice;
import org.iommulab.replay.internal.device.ReplayDevices;
import org.iommulab.replay.internal.memory.PhysTranslator;
import org.iommulab.replay.internal.parse.TraceEvent;
import org.iommulab.replay.internal.sg.IommuMapCollector;
import org.iommulab.replay.internal.sg.PrecedingMaps;
import org.iommulab.replay.internal.sg.SgRebuilder;

/**
 * One pass of the trace on one backend: receives the events in trace order, brings each trace
 * device onto the backend the first time the trace names it (adding it to the platform if this
 * is the replay's first pass, then {@link PlatformAdmin#bind}), replays its calls, and at the
 * end counts what the trace left mapped (leaks), reads the platform's counters and releases
 * everything so the next pass starts clean. No device-side DMA is invented: only the traced
 * DMA-API calls are made.
 */
final class BackendPass {
    private final String backend;
    private final PlatformAdmin admin;
    private final BiFunction<String, String, DmaApi> lookup;
    private final ReplayDevices devices;
    private final SingleCalls singles;
    private final SgCalls sgs;
    private final IommuMapCollector maps = new IommuMapCollector();
    private final Map<String, PassDevice> active = new LinkedHashMap<>();
    /** The checker's last finding before the pass: later ones are the pass's. */
    private final long findingsBefore;

    BackendPass(String backend, PlatformAdmin admin, BiFunction<String, String, DmaApi> lookup, ReplayDevices devices,
            PhysTranslator phys, SgRebuilder rebuilder, ReplayOptions options) {
        this.backend = backend;
        this.admin = admin;
        this.lookup = lookup;
        this.devices = devices;
        this.singles = new SingleCalls(phys, admin.allocator());
        this.sgs = new SgCalls(phys, rebuilder, options.sgGuess());
        this.findingsBefore = lastFinding(admin);
    }

    private static long lastFinding(PlatformAdmin admin) {
        List<Finding> all = admin.findings();
        return all.isEmpty() ? 0 : all.get(all.size() - 1).sequence();
    }

    /** Replays {@code e}, the next event of the trace. */
    void accept(TraceEvent e) {
        PrecedingMaps preceding = maps.accept(e);
        if (!e.kind().isDma()) {
            return; // iommu events only inform the sg rebuild and the trace's own statistics
        }
        PassDevice d = device(e.device());
        d.report.call(e.kind());
        if (!d.usable()) {
            d.report.skip(SkipReason.DEVICE_UNAVAILABLE);
            return;
        }
        if (e.unknownAttrs() != null) {
            d.report.countDroppedAttrs();
        }
        switch (e.kind()) {
            case DMA_MAP_PAGE:
            case DMA_MAP_PHYS:
            case DMA_MAP_RESOURCE:
                singles.map(d, e);
                break;
            case DMA_UNMAP_PAGE:
            case DMA_UNMAP_PHYS:
            case DMA_UNMAP_RESOURCE:
                singles.unmap(d, e);
                break;
            case DMA_SYNC_SINGLE_FOR_CPU:
            case DMA_SYNC_SINGLE_FOR_DEVICE:
                singles.sync(d, e);
                break;
            case DMA_ALLOC:
                singles.alloc(d, e);
                break;
            case DMA_FREE:
                singles.free(d, e);
                break;
            case DMA_ALLOC_PAGES:
                singles.allocPages(d, e);
                break;
            case DMA_FREE_PAGES:
                singles.freePages(d, e);
                break;
            case DMA_MAP_SG:
                sgs.map(d, e, preceding);
                break;
            case DMA_UNMAP_SG:
                sgs.unmap(d, e);
                break;
            case DMA_SYNC_SG_FOR_CPU:
            case DMA_SYNC_SG_FOR_DEVICE:
                sgs.sync(d, e);
                break;
            case DMA_ALLOC_SGT:
                sgs.allocSgt(d, e);
                break;
            case DMA_FREE_SGT:
                sgs.freeSgt(d, e);
                break;
            case DMA_MAP_SG_ERR:
            case DMA_ALLOC_SGT_ERR:
                d.report.traceFailure(false);
                d.report.skip(SkipReason.TRACE_FAILED);
                break;
            default:
                throw new IllegalStateException("unhandled DMA event " + e.kind());
        }
    }

    /** The pass state of trace device {@code traceName}, set up on first sight. */
    private PassDevice device(String traceName) {
        PassDevice d = active.get(traceName);
        if (d != null) {
            return d;
        }
        ReplayDevice rd = devices.device(traceName);
        DeviceReport report = new DeviceReport(traceName, rd.simName(), backend);
        d = new PassDevice(rd, null, report, null);
        if (!rd.usable()) {
            report.unavailable(rd.error());
        } else {
            try {
                DeviceStatus status = admin.device(rd.simName());
                if (!backend.equals(status.backend())) {
                    admin.bind(rd.simName(), backend);
                }
                DmaApi api = lookup.apply(rd.simName(), backend);
                if (api == null) {
                    report.unavailable("no DMA API for " + rd.simName() + " on " + backend);
                } else {
                    if (api.setMaskAndCoherent(rd.descriptor().dmaMask()) != 0) {
                        report.countMaskRefused();
                    }
                    d = new PassDevice(rd, api, report, admin.stats(rd.simName()));
                }
            } catch (RuntimeException ex) {
                report.unavailable(backend + " refused " + rd.simName() + ": " + ex.getMessage());
            }
        }
        active.put(traceName, d);
        return d;
    }

    /** Ends the pass: leaks counted, counters read, everything the pass holds released. */
    BackendResult finish() {
        List<DeviceReport> reports = new ArrayList<>();
        Map<String, DeviceReport> bySim = new LinkedHashMap<>();
        for (PassDevice d : active.values()) {
            bySim.put(d.device.simName(), d.report);
        }
        for (Finding f : admin.findings()) {
            DeviceReport r = bySim.get(f.device());
            if (f.sequence() > findingsBefore && r != null && backend.equals(f.backend())) {
                r.finding(f.kind());
            }
        }
        for (PassDevice d : active.values()) {
            if (d.usable()) {
                List<Live> left = d.table.all();
                long bytes = 0;
                for (Live l : left) {
                    bytes += l.bytes;
                }
                d.report.leaks(left.size(), bytes);
                readCounters(d);
                release(d, left);
            }
            reports.add(d.report);
        }
        return new BackendResult(backend, reports);
    }

    private void readCounters(PassDevice d) {
        try {
            DeviceStats end = admin.stats(d.device.simName());
            d.report.counters(delta(d.start, end, Stat.BOUNCED_BYTES), delta(d.start, end, Stat.IOTLB_HITS),
                    delta(d.start, end, Stat.IOTLB_MISSES));
        } catch (RuntimeException e) {
            d.report.error("statistics unavailable: " + e.getMessage());
        }
    }

    private static long delta(DeviceStats start, DeviceStats end, Stat s) {
        return end.get(s) - (start == null ? 0 : start.get(s));
    }

    /** Undoes what the trace left mapped, as a driver's remove() would, so the next pass starts clean. */
    private void release(PassDevice d, List<Live> left) {
        DmaApi api = d.api;
        for (Live l : left) {
            try {
                DmaDirection dir = l.dir == null ? DmaDirection.BIDIRECTIONAL : l.dir;
                switch (l.kind) {
                    case PAGE: api.unmapPage(l.replayedDma, l.traceSize, dir, l.attrs); break;
                    case PHYS: api.unmapPhys(l.replayedDma, l.traceSize, dir, l.attrs); break;
                    case RESOURCE: api.unmapResource(l.replayedDma, l.traceSize, dir, l.attrs); break;
                    case COHERENT: api.freeCoherent(l.coherent); break;
                    case PAGES: api.unmapPage(l.replayedDma, l.traceSize, dir, l.attrs); break;
                    case SG: api.unmapSg(l.sg, l.sg.origNents(), dir, l.attrs); break;
                    case SGT: api.unmapSgtable(l.sg, dir, l.attrs); break;
                    default: throw new IllegalStateException(l.kind.toString());
                }
            } catch (RuntimeException e) {
                // the platform reclaims whatever a released driver leaves when the device moves on
            }
            if (l.kind == Live.Kind.PAGES) {
                try {
                    admin.allocator().free(l.pages);
                } catch (IllegalArgumentException e) {
                    // already freed
                }
            }
        }
        d.table.clear();
    }
}
