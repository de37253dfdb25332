package org.iommulab.replay.internal.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.CheckerPolicy;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.SimScope;
import org.iommulab.replay.internal.device.DeviceSettings;
import org.iommulab.replay.internal.device.ReplayDevice;
import org.iommulab.replay.internal.device.ReplayDevices;
import org.iommulab.replay.internal.memory.PhysTranslator;
import org.iommulab.replay.internal.parse.TraceEvent;
import org.iommulab.replay.internal.sg.CallOrder;
import org.iommulab.replay.internal.sg.PrecedingMaps;
import org.iommulab.replay.internal.sg.SgRebuilder;
import org.iommulab.replay.internal.sg.TruncatedSgIndex;

/**
 * One pass of the trace on one backend: receives the events in trace order, puts the calls in
 * the order Linux performed them ({@link CallOrder}: a mapping call at its first
 * {@code iommu:map}, each context's window apart), brings each trace device onto the backend the
 * first time the trace names it (adding it to the platform if this is the replay's first pass,
 * then {@link PlatformAdmin#bind}; a device kept off the IOMMU goes to the direct backend),
 * replays its calls on the CPU the trace names with the simulated clock at the trace's time, maps
 * an MSI doorbell where the trace shows one, and at the end counts what the trace left mapped
 * (leaks), reads the platform's counters and releases everything so the next pass starts clean.
 * No device-side DMA is invented: only the traced DMA-API calls are made.
 */
final class BackendPass implements CallOrder.Sink {
    private final String backend;
    private final PlatformAdmin admin;
    private final BiFunction<String, String, DmaApi> lookup;
    private final ReplayDevices devices;
    private final SingleCalls singles;
    private final SgCalls sgs;
    private final CallOrder order;
    private final long granule;
    private final Map<String, PassDevice> active = new LinkedHashMap<>();
    /** The device of the last call and its trace name (consecutive calls mostly name one device). */
    private String lastName;
    private PassDevice lastDevice;
    /** The checker's last finding before the pass: later ones are the pass's. */
    private final long findingsBefore;
    private final Simulated sim;
    private final CallsWriter calls;
    /** The simulated time when the pass started, and the trace's first timestamp. */
    private final long timeBase;
    private long t0 = Long.MIN_VALUE;
    private long foldedCalls;
    private int highestCpu = -1;
    private long unclaimedMaps;

    BackendPass(String backend, PlatformAdmin admin, BiFunction<String, String, DmaApi> lookup, ReplayDevices devices,
            PhysTranslator phys, SgRebuilder rebuilder, ReplayOptions options, Simulated sim,
            Supplier<TruncatedSgIndex> truncated, CallsWriter calls) {
        this.backend = backend;
        this.admin = admin;
        this.lookup = lookup;
        this.devices = devices;
        this.singles = new SingleCalls(phys, admin.allocator());
        this.sgs = new SgCalls(phys, rebuilder, options.sgGuess(), truncated);
        this.granule = rebuilder.granule();
        this.order = new CallOrder(granule, this);
        this.findingsBefore = lastFinding(admin);
        this.sim = sim;
        this.calls = calls;
        this.timeBase = sim == null ? 0 : sim.clock().nanos();
    }

    private static long lastFinding(PlatformAdmin admin) {
        List<Finding> all = admin.findings();
        return all.isEmpty() ? 0 : all.get(all.size() - 1).sequence();
    }

    /** Takes {@code e}, the next event of the trace. */
    void accept(TraceEvent e) {
        if (t0 == Long.MIN_VALUE) {
            t0 = e.timestampNs();
        }
        order.accept(e);
    }

    /** The trace ended: the calls still waiting for their window are replayed. */
    void endOfTrace() {
        order.finish();
    }

    /** Runs {@code r} on the trace's CPU of {@code e} with the clock at {@code at}'s time. */
    private void simulated(TraceEvent e, TraceEvent at, Runnable r) {
        if (sim == null) {
            r.run();
            return;
        }
        if (t0 != Long.MIN_VALUE && at.timestampNs() >= t0) {
            sim.clock().advanceTo(timeBase + (at.timestampNs() - t0));
        }
        int count = sim.cpus().count();
        highestCpu = Math.max(highestCpu, e.cpu());
        if (e.cpu() >= count) {
            foldedCalls++;
        }
        try (SimScope s = sim.cpus().runOn(Math.floorMod(e.cpu(), count))) {
            r.run();
        }
    }

    /** Replays DMA-API call {@code e} at the moment of {@code at}, with the maps it produced. */
    @Override
    public void call(TraceEvent e, PrecedingMaps preceding, TraceEvent at) {
        PassDevice d = device(e.device());
        d.report.begin(e);
        if (sim == null) {
            dispatch(d, e, preceding); // no Runnable per call when nothing is simulated
        } else {
            simulated(e, at, () -> dispatch(d, e, preceding));
        }
        CallRecord r = d.report.end();
        if (calls != null && r != null) {
            calls.line(r.json());
        }
    }

    private void dispatch(PassDevice d, TraceEvent e, PrecedingMaps preceding) {
        if (!d.usable()) {
            d.report.skip(SkipReason.DEVICE_UNAVAILABLE, d.report.unavailableReason());
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

    /**
     * An {@code iommu:map} no DMA-API call claimed. A one-granule map that the next DMA-API call
     * of its context follows is the MSI doorbell that call's device mapped while its driver
     * probed ({@code iommu_dma_get_msi_page}: an IOVA from the normal allocator, one per doorbell
     * per domain), and the device enables MSI at that moment (device setting {@code msi = auto}).
     * The replayed doorbell IOVA is compared with the trace's.
     */
    @Override
    public void unclaimed(TraceEvent map, TraceEvent closer) {
        if (closer == null || map.size() != granule || closer.device() == null) {
            unclaimedMaps++;
            return;
        }
        PassDevice d = device(closer.device());
        if (!d.usable() || !DeviceSettings.MSI_AUTO.equals(d.device.msi()) || d.device.keptOffIommu()) {
            unclaimedMaps++;
            return;
        }
        if (d.msiDone) {
            d.report.countMsiExtra();
            return;
        }
        CallRecord r = new CallRecord(map, d.report.traceDevice(), backend);
        r.what = "iommu:map (MSI doorbell)";
        simulated(map, map, () -> {
            long got = enableMsi(d);
            if (got == DmaMasks.MAPPING_ERROR) {
                r.outcome("failed in the replay", "the doorbell could not be mapped");
                d.report.msi(false);
                return;
            }
            long page = got & -granule;
            r.replayedDma = page;
            r.addressEqual = page == map.iova();
            d.report.msi(r.addressEqual);
            if (!r.addressEqual) {
                r.because("the doorbell page is at another IOVA");
            }
        });
        if (calls != null) {
            calls.line(r.json());
        }
    }

    /** {@link DmaApi#enableMsi} once per pass; MAPPING_ERROR when the API has none or the mapping failed. */
    private static long enableMsi(PassDevice d) {
        d.msiDone = true;
        d.calledOutside();
        try {
            return d.api.enableMsi();
        } catch (UnsupportedOperationException | IllegalStateException e) {
            return DmaMasks.MAPPING_ERROR;
        }
    }

    /**
     * Whether the platform reports and carries out the device's misused calls (checker policy
     * REPORT, which the replay sets on every device it plays), as Linux's dma-debug does.
     */
    private boolean reporting(String simName) {
        try {
            return admin.checkerPolicy(simName) == CheckerPolicy.REPORT;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Trace CPUs at or above the platform's CPU count were folded onto it for this many calls. */
    long foldedCalls() {
        return foldedCalls;
    }

    /** The highest CPU the trace named. */
    int highestCpu() {
        return highestCpu;
    }

    /** iommu:map events no call claimed and no device's MSI explains. */
    long unclaimedMaps() {
        return unclaimedMaps;
    }

    /** The pass state of trace device {@code traceName}, set up on first sight. */
    private PassDevice device(String traceName) {
        if (traceName == lastName && traceName != null) { // the parser hands out one string per device name
            return lastDevice;
        }
        PassDevice d = active.get(traceName);
        if (d != null) {
            lastName = traceName;
            lastDevice = d;
            return d;
        }
        ReplayDevice rd = devices.device(traceName);
        DeviceReport report = new DeviceReport(traceName, rd.simName(), backend);
        report.recordCalls(calls != null);
        d = new PassDevice(rd, null, report, null);
        // A device kept off the IOMMU (an identity domain, the IOMMU's own DMA) is on dma-direct.
        String target = rd.keptOffIommu() ? devices.directBackend() : backend;
        if (rd.keptOffIommu()) {
            report.keptOffIommu();
        }
        if (!rd.usable()) {
            report.unavailable(rd.error());
        } else if (!admin.backends().contains(target)) {
            report.unavailable("kept off the IOMMU, but no backend '" + target + "' is registered");
        } else {
            try {
                DeviceStatus status = admin.device(rd.simName());
                if (!target.equals(status.backend())) {
                    admin.bind(rd.simName(), target);
                }
                DmaApi api = lookup.apply(rd.simName(), target);
                if (api == null) {
                    report.unavailable("no DMA API for " + rd.simName() + " on " + target);
                } else {
                    if (api.setMaskAndCoherent(rd.descriptor().dmaMask()) != 0) {
                        report.countMaskRefused();
                    }
                    d = new PassDevice(rd, api, report, admin.stats(rd.simName()));
                    d.reporting = reporting(rd.simName()) ? admin : null;
                    if (DeviceSettings.MSI_PROBE.equals(rd.msi()) && !rd.keptOffIommu()) {
                        enableMsi(d);
                    }
                }
            } catch (RuntimeException ex) {
                report.unavailable(target + " refused " + rd.simName() + ": " + ex.getMessage());
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
            String on = r == null ? null : r.isKeptOffIommu() ? devices.directBackend() : backend;
            if (f.sequence() > findingsBefore && r != null && on.equals(f.backend())) {
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
        return new BackendResult(backend, reports, foldedCalls, highestCpu, sim == null ? 0 : sim.cpus().count(),
                unclaimedMaps);
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
