package org.iommulab.platform.internal.dma;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.CheckerPolicy;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.platform.internal.checker.CachelineTracker;
import org.iommulab.platform.internal.checker.CallSites;
import org.iommulab.platform.internal.checker.FindingHub;
import org.iommulab.platform.internal.checker.PhysRangeIndex;
import org.iommulab.platform.internal.checker.PlatformChecker;
import org.iommulab.platform.internal.memory.AllocationMap;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * The DMA-API checker of one device, Linux's {@code CONFIG_DMA_API_DEBUG} and more: it lives as
 * long as the device (across swaps, as its live-mapping table does) and keeps, per live mapping,
 * what dma-debug keeps (whether the mapping error was checked, the active cache line) and what
 * this model adds (who owns a streaming buffer now, the buffer's physical ranges for the CPU
 * view, how much of other allocations the mapping exposes).
 *
 * <p>Checks add findings to a per-call list that is null until the first finding, so a clean
 * call allocates nothing; the caller {@linkplain #deliver delivers} the list once it holds no
 * lock and no gate. When the checker is off every method returns at once.
 *
 * <p><b>CPU ownership rule</b> (beyond Linux, checked by {@link CheckedCpuView}): from map, and
 * from every {@code sync_for_device}, the device owns a streaming buffer; {@code sync_for_cpu}
 * gives the synced bytes to the CPU (an sg sync gives the whole table); unmap ends it. While the
 * device owns bytes, a CPU write to them is a bug in every direction (TO_DEVICE: the device may
 * already have read the old bytes, or a bounce buffer holds them; FROM_DEVICE/BIDIRECTIONAL: the
 * device's data may overwrite the write, or a dirty cache line the device's data) and a CPU read
 * is a bug unless the mapping is TO_DEVICE (the device never writes it, so the CPU reads its own
 * data). Coherent buffers are never device-owned; resource (MMIO) mappings are not RAM buffers.
 * One finding per mapping until its owner changes again, so a byte loop is one finding, not
 * thousands. Two partial syncs for the CPU keep their hull, and a sync for the device strictly
 * inside the CPU's bytes leaves them to the CPU: both err toward no false finding.
 *
 * <p><b>Sg entry rule</b> (beyond Linux): a CPU access that starts inside entry i of one of the
 * device's sg tables (the address a driver takes from the table's CPU view, {@code cpuPhys(i)},
 * or from an {@link org.iommulab.api.dma.SgMiter}) and runs past that entry's end is a finding,
 * whatever lies beyond: the next entry, another live allocation or free memory. It is the seed
 * case's bug (DMA segment N taken for CPU entry N), caught even when the bytes past the entry
 * belong to a neighbour. A table's entries are kept from its map until the same table is mapped
 * again, a new mapping of the device covers them or their memory is freed (it has another meaning
 * then), more than {@value SgEntryChecks#RETAINED_TABLES} tables were unmapped since, or the driver is
 * released, so the PIO a driver does right after {@code dma_unmap_sg} is still checked. One finding per table until it is
 * mapped again.
 *
 * <p>The parts live beside it: the CPU ranges of live mappings in {@link MappingRanges}, the
 * active cache lines in {@link CachelineChecks}, the sg entry rule in {@link SgEntryChecks};
 * this class keeps the call bookkeeping (per-mapping state, ownership, findings).
 *
 * <p>Thread-safety: the map, unmap, sync and CPU methods run under the device's table lock.
 */
public final class DeviceChecker {
    private final String device;
    private final boolean enabled;
    private final boolean recordMapSites;
    private final FindingHub hub;
    private final CachelineTracker cachelines;
    private final AllocationMap allocations;
    private final Consumer<String> log;
    /** The CPU ranges of the live mappings; guarded by the device's table lock. */
    private final MappingRanges ranges = new MappingRanges();
    private final SubPageExposure exposure;
    private volatile CheckerPolicy policy;
    /** The CPU entries of the device's sg tables, live and recently unmapped. */
    private final SgEntryChecks sgEntries = new SgEntryChecks();
    private final PlatformChecker platform;
    private final ZonedPageAllocator.FreeListener onFree = sgEntries::memoryFreed;

    public DeviceChecker(String device, PlatformChecker platform, Consumer<String> log) {
        if (device == null || platform == null || log == null) {
            throw new IllegalArgumentException("a device checker needs a device name, the platform's checker and a log");
        }
        this.device = device;
        this.enabled = platform.settings().enabled();
        this.recordMapSites = platform.settings().recordMapSites();
        this.hub = platform.hub();
        this.cachelines = platform.cachelines();
        this.allocations = platform.allocations();
        this.log = log;
        this.exposure = new SubPageExposure(allocations);
        this.policy = platform.settings().policy();
        this.platform = platform;
        if (enabled) {
            platform.watchFrees(onFree);
        }
    }

    /** The device is gone: the checker stops watching the allocator's frees. */
    public void close() {
        platform.unwatchFrees(onFree);
    }

    public boolean enabled() {
        return enabled;
    }

    /** What this device's misused calls get now. */
    public CheckerPolicy policy() {
        return policy;
    }

    /** Sets what this device's misused calls get from now on. */
    public void policy(CheckerPolicy p) {
        if (p == null) {
            throw new IllegalArgumentException("checker policy must not be null");
        }
        policy = p;
    }

    /** True when a misused call is reported and then carried out, as Linux's dma-debug does. */
    boolean carriesOutMisuse() {
        return policy == CheckerPolicy.REPORT;
    }

    // ---- findings ------------------------------------------------------------------------------

    /**
     * Adds a finding to {@code out} (made when null) and returns it; {@code message} is in
     * dma-debug's words with its "DMA-API: " prefix; {@code e} is the entry of {@code t} involved,
     * or {@link LiveMappings#NONE}. Captures where the offending call was made (a stack walk:
     * findings only).
     */
    List<Finding> raise(List<Finding> out, String backend, FindingKind kind, String message, long dma, long size,
            DmaDirection dir, LiveMappings t, int e) {
        if (!enabled) {
            return out;
        }
        return add(out, hub.create(device, backend, kind, body(message), dma, size, dir,
                e < 0 ? null : CallSites.describe(t.mapSite(e)), CallSites.caller()));
    }

    /** A {@link FindingKind#LEAK} finding for {@code e}: no offending call, so no {@code calledAt}. */
    List<Finding> raiseLeak(List<Finding> out, String backend, String message, LiveMappings t, int e) {
        if (!enabled) {
            return out;
        }
        return add(out, hub.create(device, backend, FindingKind.LEAK, body(message), t.dmaAddr(e), t.size(e), t.dir(e),
                CallSites.describe(t.mapSite(e)), null));
    }

    /**
     * Device DMA after driver release (beyond Linux, in dma-debug's style): the bus refused an
     * access of {@code len} bytes at {@code addr} through the bus master of a driver released
     * from {@code backend}. Raised and delivered at once (the bus holds no lock or gate then),
     * counted on {@code stats}. No mapping is involved; the direction is the data's: a device
     * read is TO_DEVICE, a write FROM_DEVICE.
     */
    public void dmaAfterRelease(String backend, long addr, long len, boolean write, StatCounters stats) {
        if (!enabled) {
            return;
        }
        List<Finding> out = add(null, hub.create(device, backend, FindingKind.DMA_AFTER_RELEASE,
                DmaDebug.dmaAfterRelease(addr, len, write, backend), addr, len,
                write ? DmaDirection.FROM_DEVICE : DmaDirection.TO_DEVICE, null, CallSites.caller()));
        deliver(out, stats);
    }

    /** Counts, keeps, logs and tells the findings of one call. Call with no lock held. */
    public void deliver(List<Finding> out, StatCounters stats) {
        deliver(out, stats, true);
    }

    void deliver(List<Finding> out, StatCounters stats, boolean logThem) {
        if (out == null) {
            return;
        }
        for (Finding f : out) {
            if (logThem) {
                log.accept(FindingHub.PREFIX + f.message().substring(FindingHub.PREFIX.length() + device.length() + 2));
            }
            hub.publish(f, stats, log);
        }
    }

    private static String body(String message) {
        return message.startsWith(FindingHub.PREFIX) ? message.substring(FindingHub.PREFIX.length()) : message;
    }

    private static List<Finding> add(List<Finding> out, Finding f) {
        List<Finding> l = out == null ? new ArrayList<>(2) : out;
        l.add(f);
        return l;
    }

    // ---- map and unmap -----------------------------------------------------------------------------

    /**
     * A mapping was recorded: set its checker state, index its CPU ranges, track its cache lines
     * (overlap findings), check its sg segments, measure its sub-page exposure. Linux
     * {@code add_dma_entry} ({@code kernel/dma/debug.c}): the entry went into the hash under the
     * table lock ({@code hash_bucket_add}), then {@code active_cacheline_insert}. The per-entry
     * state lives in the table's arrays ({@link LiveMappings}, by handle); a single mapping's CPU
     * range is indexed when a CPU access next looks, not here.
     */
    List<Finding> mapped(int e, DmaCallContext c, List<Finding> out) {
        if (!enabled) {
            return out;
        }
        LiveMappings t = c.table;
        if (recordMapSites) {
            t.setMapSite(e, CallSites.capture());
        }
        MappingType type = t.type(e);
        t.errorChecked(e, !type.isStreamingSingle());
        if (type == MappingType.SINGLE) {
            long from = t.cpuAddr(e);
            long to = from + t.size(e);
            ranges.addSingle(t, e);
            sgEntries.forgetRetainedOver(from, to);
        } else if (type == MappingType.SCATTER_GATHER) {
            sgEntries.mapped(t, e); // first: the table's own earlier entries are replaced, not forgotten
            SgTable sg = t.sg(e);
            PhysRangeIndex.Node<LiveMappings> chain = null;
            for (int i = 0; i < t.callNents(e); i++) {
                long p = sg.cpuPhys(i);
                chain = ranges.index.add(p, p + sg.cpuLength(i), t, e, chain);
                sgEntries.forgetRetainedOver(p, p + sg.cpuLength(i));
            }
            t.physNodes(e, chain);
        } else if (type == MappingType.COHERENT) {
            sgEntries.forgetRetainedOver(t.cpuAddr(e), t.cpuAddr(e) + t.size(e));
        }
        List<Finding> r = CachelineChecks.track(this, cachelines, t, e, type, c, out);
        if (type == MappingType.SCATTER_GATHER) {
            r = checkSgSegments(t, e, c, r);
        }
        if (c.isolating && type != MappingType.PHYS) {
            long exposed = exposure.measure(t, e, c.granuleShift);
            if (exposed > 0) {
                c.stats.add(Stat.EXPOSED_BYTES, exposed);
                r = raise(r, c.backend, FindingKind.SUB_PAGE_EXPOSURE,
                        DmaDebug.subPageExposure(t.dmaAddr(e), t.size(e), exposed, 1L << c.granuleShift), t.dmaAddr(e),
                        t.size(e), t.dir(e), t, e);
            }
        }
        return r;
    }

    /**
     * A mapping is about to leave the table: drop its ranges and cache lines; an sg table's entries
     * stay checked a while. Linux {@code check_unmap}'s end: {@code hash_bucket_del}, then
     * {@code active_cacheline_remove}.
     */
    void released(LiveMappings t, int e) {
        if (!enabled) {
            return;
        }
        MappingType type = t.type(e);
        if (type == MappingType.SINGLE) {
            ranges.removeSingle(t, e);
        } else if (type == MappingType.SCATTER_GATHER) {
            ranges.index.removeChain(t.physNodes(e)); // the table's CPU view may have changed since: the chain knows
            t.physNodes(e, null);
        }
        if (type == MappingType.SCATTER_GATHER) {
            sgEntries.unmapped(t.sg(e));
        }
        // Linux check_unmap -> hash_bucket_del -> active_cacheline_remove, per line tracked at map.
        CachelineChecks.untrack(cachelines, t, e, type);
    }

    /** dma-debug's {@code debug_dma_mapping_error}: the first unchecked mapping at {@code dma} is now checked. */
    void mappingErrorChecked(LiveMappings table, long dma) {
        if (!enabled) {
            return;
        }
        synchronized (table) {
            int e = table.uncheckedAt(dma);
            if (e >= 0) {
                table.errorChecked(e, true);
            }
        }
    }

    /**
     * Linux {@code check_sg_segment}, on the DMA segments the mapping produced: none longer than
     * {@code dma_get_max_seg_size}, none crossing a multiple of {@code dma_get_seg_boundary()+1}.
     * (Linux tests the CPU entry's length; a DMA segment always covers its entries whole, so a
     * too-long entry makes a too-long segment, and a backend that merges too far is caught too.)
     */
    private List<Finding> checkSgSegments(LiveMappings t, int e, DmaCallContext c, List<Finding> out) {
        List<Finding> r = out;
        SgTable sg = t.sg(e);
        long max = c.descriptor.maxSegmentSize();
        long boundary = c.descriptor.segmentBoundaryMask();
        for (int i = 0; i < t.mappedNents(e); i++) {
            long start = sg.dmaAddress(i);
            long len = sg.dmaLength(i);
            if (len > max) {
                r = raise(r, c.backend, FindingKind.SG_SEGMENT_TOO_LONG, DmaDebug.sgSegmentTooLong(i, len, max),
                        start, len, t.dir(e), t, e);
            }
            long end = start + len - 1;
            if (len > 0 && ((start ^ end) & ~boundary) != 0) {
                r = raise(r, c.backend, FindingKind.SG_SEGMENT_ACROSS_BOUNDARY,
                        DmaDebug.sgSegmentAcrossBoundary(i, start, end, boundary), start, len, t.dir(e), t, e);
            }
        }
        return r;
    }

    // ---- ownership (syncs) and the CPU view -------------------------------------------------------

    /** A single sync passed check_sync: the synced bytes change owner. */
    void syncedSingle(LiveMappings t, int e, boolean forCpu, long dmaAddr, long size) {
        if (!enabled) {
            return;
        }
        long from = t.cpuAddr(e) + (dmaAddr - t.dmaAddr(e));
        long to = from + size;
        if (forCpu) {
            long cpuFrom = t.cpuFrom(e);
            long cpuTo = t.cpuTo(e);
            if (cpuFrom >= cpuTo) {
                t.setCpuRange(e, from, to);
            } else {
                t.setCpuRange(e, Math.min(cpuFrom, from), Math.max(cpuTo, to));
            }
        } else {
            long cpuFrom = t.cpuFrom(e);
            long cpuTo = t.cpuTo(e);
            if (from <= cpuFrom && to >= cpuTo) {
                t.setCpuRange(e, 0, 0);
            } else if (from <= cpuFrom && to > cpuFrom) {
                t.setCpuRange(e, to, cpuTo);
            } else if (from < cpuTo && to >= cpuTo) {
                t.setCpuRange(e, cpuFrom, from);
            }
        }
        t.ownedReported(e, false);
    }

    /** An sg sync passed check_sync: the whole table changes owner. */
    void syncedSg(LiveMappings t, int e, boolean forCpu) {
        if (!enabled) {
            return;
        }
        t.cpuOwnsAll(e, forCpu);
        t.ownedReported(e, false);
    }

    /**
     * The checks of one CPU access of {@code len} bytes at {@code addr}: outside every
     * allocation, or touching a streaming buffer the device owns. Takes the allocator's lock,
     * then the table's; allocates nothing unless it finds something.
     */
    List<Finding> cpuAccess(DmaCallContext c, long addr, long len, boolean write) {
        if (!enabled) {
            return null;
        }
        List<Finding> out = null;
        long end = addr + len;
        long hole = allocations.firstUnallocated(addr, end);
        if (hole >= 0) {
            out = raise(out, c.backend, FindingKind.CPU_ACCESS_UNALLOCATED, DmaDebug.cpuUnallocated(write, addr, len, hole),
                    -1, -1, null, null, LiveMappings.NONE);
        }
        out = sgEntries.cpuAccess(this, c.backend, addr, len, write, out);
        LiveMappings table = c.table;
        synchronized (table) {
            ranges.indexPending(table);
            for (long p = addr >>> PageAllocator.PAGE_SHIFT, last = (end - 1) >>> PageAllocator.PAGE_SHIFT; p <= last; p++) {
                for (PhysRangeIndex.Node<LiveMappings> n = ranges.index.first(p); n != null; n = n.nextInPage()) {
                    if (n.end() <= addr || n.start() >= end) {
                        continue;
                    }
                    int e = n.id();
                    if (table.ownedReported(e) || table.cpuOwnsAll(e) || !write && table.dir(e) == DmaDirection.TO_DEVICE) {
                        continue;
                    }
                    long lo = Math.max(addr, n.start());
                    long hi = Math.min(end, n.end());
                    if (table.cpuFrom(e) <= lo && hi <= table.cpuTo(e)) {
                        continue;
                    }
                    table.ownedReported(e, true);
                    out = raise(out, c.backend, FindingKind.CPU_ACCESS_DEVICE_OWNED,
                            DmaDebug.cpuDeviceOwned(write, addr, len, table, e), table.dmaAddr(e), table.size(e), table.dir(e),
                            table, e);
                }
            }
        }
        return out;
    }

    /**
     * The device's driver is released: its unmapped sg tables go with it (a live table, leaked,
     * is forgotten when the reclaim releases it and then here).
     */
    public void driverReleased() {
        if (!enabled) {
            return;
        }
        sgEntries.driverReleased();
    }

    /** Index nodes in use, pending mappings indexed first (tests; call under the table lock). */
    int indexedRanges(LiveMappings table) {
        ranges.indexPending(table);
        return ranges.index.nodesInUse();
    }

    @Override
    public String toString() {
        return "DeviceChecker[" + device + (enabled ? "" : ", off") + "]";
    }
}
