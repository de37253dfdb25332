package org.iommulab.platform.internal.dma;

import java.util.function.Consumer;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaErrno;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.MemoryAccess;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.device.SwapGate;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * The DMA API of one device on one backend, for the time the device stays bound there: Linux
 * {@code kernel/dma/mapping.c} in front of the backend's {@link DmaOps}, with dma-debug's
 * bookkeeping ({@code kernel/dma/debug.c}).
 *
 * <p>Every call first checks its arguments (bad input: {@link IllegalArgumentException}) and
 * matches unmaps, syncs and frees against the {@link LiveMappings live mappings} (misuse:
 * {@link DmaUsageException} in dma-debug's words), before anything reaches the backend, so a
 * refused call changes nothing. Calls pass the device's {@link SwapGate}: mappings wait while
 * the device is being swapped, releases pass. Once the device moved to another backend this
 * object is {@linkplain #retire() retired}: every call on it throws. The steady state allocates
 * nothing: entries come from the table's pool, counters are atomic longs.
 */
public final class DeviceDmaApi implements DmaApi {
    private static final String MAP_PAGE = "dma_map_page_attrs";
    private static final String UNMAP_PAGE = "dma_unmap_page_attrs";
    private static final String MAP_PHYS = "dma_map_phys";
    private static final String UNMAP_PHYS = "dma_unmap_phys";
    private static final String MAP_RESOURCE = "dma_map_resource";
    private static final String UNMAP_RESOURCE = "dma_unmap_resource";
    private static final String MAP_SG = "dma_map_sg_attrs";
    private static final String MAP_SGTABLE = "dma_map_sgtable";
    private static final String UNMAP_SG = "dma_unmap_sg_attrs";
    private static final String UNMAP_SGTABLE = "dma_unmap_sgtable";
    private static final String SYNC_RANGE_CPU = "dma_sync_single_range_for_cpu";
    private static final String SYNC_RANGE_DEVICE = "dma_sync_single_range_for_device";
    private static final String SYNC_SGTABLE_CPU = "dma_sync_sgtable_for_cpu";
    private static final String SYNC_SGTABLE_DEVICE = "dma_sync_sgtable_for_device";
    private static final String SYNC_SINGLE_CPU = "dma_sync_single_for_cpu";
    private static final String SYNC_SINGLE_DEVICE = "dma_sync_single_for_device";
    private static final String SYNC_SG_CPU = "dma_sync_sg_for_cpu";
    private static final String SYNC_SG_DEVICE = "dma_sync_sg_for_device";
    private static final String ALLOC = "dma_alloc_attrs";
    private static final String FREE = "dma_free_coherent";
    private static final String SET_MASK = "dma_set_mask";
    private static final String SET_COHERENT_MASK = "dma_set_coherent_mask";

    private final DeviceDescriptor descriptor;
    private final SimDmaDevice device;
    private final String backend;
    private final DmaOps ops;
    private final MemoryAccess cpu;
    private final SwapGate gate;
    private final LiveMappings table;
    private final StatCounters stats;
    private final Consumer<String> log;
    private volatile boolean retired;
    private volatile boolean warnedSgStatus;

    /**
     * @param device the device as the backend sees it (its masks are set here)
     * @param backend name of the backend behind {@code ops}
     * @param cpu the driver's CPU view of memory
     * @param gate the device's swap gate
     * @param table the device's live mappings (empty when a binding starts)
     * @param stats the counters of this device on this backend
     * @param log the device's log, for refused calls and warnings
     */
    public DeviceDmaApi(SimDmaDevice device, String backend, DmaOps ops, MemoryAccess cpu, SwapGate gate,
            LiveMappings table, StatCounters stats, Consumer<String> log) {
        if (device == null || backend == null || ops == null || cpu == null || gate == null || table == null
                || stats == null || log == null) {
            throw new IllegalArgumentException("every part of a device's DMA API must be given");
        }
        this.descriptor = device.descriptor();
        this.device = device;
        this.backend = backend;
        this.ops = ops;
        this.cpu = cpu;
        this.gate = gate;
        this.table = table;
        this.stats = stats;
        this.log = log;
    }

    /** Makes this object stale: from now on every call throws. The swap protocol calls it. */
    public void retire() {
        retired = true;
    }

    public boolean isRetired() {
        return retired;
    }

    // ---- identity ------------------------------------------------------------------------------

    @Override
    public DeviceDescriptor device() {
        live();
        return descriptor;
    }

    @Override
    public String backendName() {
        live();
        return backend;
    }

    @Override
    public MemoryAccess cpu() {
        live();
        return cpu;
    }

    // ---- masks and limits ------------------------------------------------------------------------

    /** Linux {@code dma_set_mask}: {@code -EIO} unless {@code dma_supported(dev, mask)}. */
    @Override
    public int setMask(long mask) {
        live();
        DmaArgs.mask(SET_MASK, mask);
        gate.enterReleasing();
        try {
            live();
            if (!ops.dmaSupported(mask)) {
                return DmaErrno.EIO;
            }
            device.setDmaMask(mask);
            return 0;
        } finally {
            gate.exit();
        }
    }

    /** Linux {@code dma_set_coherent_mask}. */
    @Override
    public int setCoherentMask(long mask) {
        live();
        DmaArgs.mask(SET_COHERENT_MASK, mask);
        gate.enterReleasing();
        try {
            live();
            if (!ops.dmaSupported(mask)) {
                return DmaErrno.EIO;
            }
            device.setCoherentDmaMask(mask);
            return 0;
        } finally {
            gate.exit();
        }
    }

    @Override
    public long mask() {
        live();
        return device.dmaMask();
    }

    @Override
    public long coherentMask() {
        live();
        return device.coherentDmaMask();
    }

    @Override
    public long requiredMask() {
        live();
        gate.enterReleasing();
        try {
            live();
            return ops.requiredMask();
        } finally {
            gate.exit();
        }
    }

    @Override
    public long maxMappingSize() {
        live();
        gate.enterReleasing();
        try {
            live();
            return ops.maxMappingSize();
        } finally {
            gate.exit();
        }
    }

    @Override
    public long optMappingSize() {
        live();
        gate.enterReleasing();
        try {
            live();
            return ops.optMappingSize();
        } finally {
            gate.exit();
        }
    }

    // ---- single mappings -------------------------------------------------------------------------

    /** Linux {@code dma_map_page_attrs}: {@code dma_map_phys(page_to_phys(page) + offset)}. */
    @Override
    public long mapPage(long pagePhys, long offset, long size, DmaDirection dir, int attrs) {
        live();
        DmaArgs.page(MAP_PAGE, pagePhys, offset);
        DmaArgs.physRange(MAP_PAGE, pagePhys + offset, size);
        DmaArgs.direction(MAP_PAGE, dir);
        DmaArgs.attrs(MAP_PAGE, attrs);
        return mapSingle(MappingType.SINGLE, pagePhys + offset, size, dir, attrs);
    }

    @Override
    public void unmapPage(long dmaAddr, long size, DmaDirection dir, int attrs) {
        unmapSingle(UNMAP_PAGE, MappingType.SINGLE, dmaAddr, size, dir, attrs);
    }

    @Override
    public long mapPhys(long phys, long size, DmaDirection dir, int attrs) {
        live();
        DmaArgs.physRange(MAP_PHYS, phys, size);
        DmaArgs.direction(MAP_PHYS, dir);
        DmaArgs.attrs(MAP_PHYS, attrs);
        return mapSingle(MappingType.SINGLE, phys, size, dir, attrs);
    }

    @Override
    public void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs) {
        unmapSingle(UNMAP_PHYS, MappingType.SINGLE, dmaAddr, size, dir, attrs);
    }

    @Override
    public long mapResource(long phys, long size, DmaDirection dir, int attrs) {
        live();
        DmaArgs.physRange(MAP_RESOURCE, phys, size);
        DmaArgs.direction(MAP_RESOURCE, dir);
        DmaArgs.attrs(MAP_RESOURCE, attrs);
        return mapSingle(MappingType.PHYS, phys, size, dir, attrs);
    }

    @Override
    public void unmapResource(long dmaAddr, long size, DmaDirection dir, int attrs) {
        unmapSingle(UNMAP_RESOURCE, MappingType.PHYS, dmaAddr, size, dir, attrs);
    }

    @Override
    public boolean mappingError(long dmaAddr) {
        live();
        return dmaAddr == DmaMasks.MAPPING_ERROR;
    }

    private long mapSingle(MappingType type, long phys, long size, DmaDirection dir, int attrs) {
        gate.enterCreating();
        try {
            live();
            long dma = type == MappingType.PHYS ? ops.mapResource(phys, size, dir, attrs) : ops.mapPhys(phys, size, dir, attrs);
            if (dma == DmaMasks.MAPPING_ERROR) {
                stats.increment(Stat.MAP_FAILURES);
                return dma;
            }
            synchronized (table) {
                table.add(type, dma, size, dir, phys, attrs);
            }
            stats.increment(Stat.MAPS);
            stats.add(Stat.MAPPED_BYTES, size);
            return dma;
        } finally {
            gate.exit();
        }
    }

    /** Linux {@code check_unmap}, then the backend's unmap. */
    private void unmapSingle(String call, MappingType type, long dmaAddr, long size, DmaDirection dir, int attrs) {
        live();
        DmaArgs.size(call, size);
        DmaArgs.direction(call, dir);
        DmaArgs.attrs(call, attrs);
        gate.enterReleasing();
        try {
            live();
            if (dmaAddr == DmaMasks.MAPPING_ERROR) {
                throw usage(DmaDebug.freeInvalidAddress());
            }
            DmaArgs.dmaRange(call, dmaAddr, size);
            synchronized (table) {
                LiveMapping e = table.bestAt(dmaAddr, type, size, dir);
                if (e == null) {
                    throw usage(DmaDebug.freeNotAllocated(dmaAddr, size));
                }
                if (e.size != size) {
                    throw usage(DmaDebug.freeDifferentSize(dmaAddr, e.size, size));
                }
                if (e.type != type) {
                    throw usage(DmaDebug.freeWrongFunction(dmaAddr, size, e.type, type));
                }
                if (e.dir != dir) {
                    throw usage(DmaDebug.freeDifferentDirection(dmaAddr, size, e.dir, dir));
                }
                table.remove(e);
            }
            if (type == MappingType.PHYS) {
                ops.unmapResource(dmaAddr, size, dir, attrs);
            } else {
                ops.unmapPhys(dmaAddr, size, dir, attrs);
            }
            stats.increment(Stat.UNMAPS);
        } finally {
            gate.exit();
        }
    }

    // ---- scatter-gather ------------------------------------------------------------------------------

    /** Linux {@code dma_map_sg_attrs}: the segment count, or 0 for any failure. */
    @Override
    public int mapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        live();
        int r = mapSgStatus(MAP_SG, sg, nents, dir, attrs);
        return r > 0 ? r : 0;
    }

    /** Linux {@code dma_map_sgtable}: 0 with {@code nents} set, or the errno. */
    @Override
    public int mapSgtable(SgTable sgt, DmaDirection dir, int attrs) {
        live();
        int r = mapSgStatus(MAP_SGTABLE, nonNull(MAP_SGTABLE, sgt), sgt.origNents(), dir, attrs);
        return r > 0 ? 0 : r;
    }

    /**
     * Linux {@code __dma_map_sg_attrs}: the backend's segment count, or its errno when that is
     * one of the four a mapping may return, else {@code -EIO} with a one-time warning (Linux's
     * {@code WARN_ON_ONCE}).
     */
    private int mapSgStatus(String call, SgTable sg, int nents, DmaDirection dir, int attrs) {
        DmaArgs.sg(call, sg, nents);
        DmaArgs.direction(call, dir);
        DmaArgs.attrs(call, attrs);
        if (sg.isMapped()) {
            throw usage(DmaDebug.sgAlreadyMapped(sg.dmaAddressField(0), sg.nents()));
        }
        gate.enterCreating();
        try {
            live();
            int r = ops.mapSg(sg, nents, dir, attrs);
            if (r > 0 && r <= nents) {
                if (sg.nents() != r) {
                    sg.setNents(r);
                }
                long bytes = sgBytes(sg, nents);
                synchronized (table) {
                    LiveMapping e = table.add(MappingType.SCATTER_GATHER, sg.dmaAddressField(0), bytes, dir, sg.cpuPhys(0), attrs);
                    e.sg = sg;
                    e.callNents = nents;
                    e.mappedNents = r;
                }
                stats.increment(Stat.SG_MAPS);
                stats.add(Stat.SG_ENTRIES, nents);
                stats.add(Stat.SG_SEGMENTS, r);
                stats.add(Stat.MAPPED_BYTES, bytes);
                return r;
            }
            if (r > nents) {
                // A backend bug: more segments than entries cannot be recorded; say so loudly.
                throw new IllegalStateException("backend " + backend + " returned " + r + " DMA segments for "
                        + nents + " sg entries of " + descriptor.name());
            }
            if (sg.nents() != 0) {
                sg.setNents(0);
            }
            stats.increment(Stat.MAP_FAILURES);
            if (DmaErrno.isMappingStatus(r)) {
                return r;
            }
            if (!warnedSgStatus) {
                warnedSgStatus = true;
                log.accept("WARNING: backend " + backend + " map_sg returned " + r
                        + ", not -EINVAL, -ENOMEM, -EIO or -EREMOTEIO; returning -EIO (Linux __dma_map_sg_attrs WARN_ON_ONCE)");
            }
            return DmaErrno.EIO;
        } finally {
            gate.exit();
        }
    }

    /** Linux {@code dma_unmap_sgtable}; a null table is bad input, not a NullPointerException. */
    @Override
    public void unmapSgtable(SgTable sgt, DmaDirection dir, int attrs) {
        live();
        unmapSg(nonNull(UNMAP_SGTABLE, sgt), sgt.origNents(), dir, attrs);
    }

    /** Linux {@code dma_unmap_sg_attrs}, after {@code check_unmap} of the table's entry. */
    @Override
    public void unmapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        live();
        DmaArgs.sg(UNMAP_SG, sg, nents);
        DmaArgs.direction(UNMAP_SG, dir);
        DmaArgs.attrs(UNMAP_SG, attrs);
        gate.enterReleasing();
        try {
            live();
            synchronized (table) {
                LiveMapping e = table.sgEntry(sg);
                if (e == null) {
                    long first = sg.dmaAddressField(0);
                    throw usage(first == DmaMasks.MAPPING_ERROR ? DmaDebug.freeInvalidAddress()
                            : DmaDebug.freeNotAllocated(first, sgBytes(sg, nents)));
                }
                if (e.callNents != nents) {
                    throw usage(DmaDebug.freeDifferentSgCount(e.callNents, nents));
                }
                if (e.dir != dir) {
                    throw usage(DmaDebug.freeDifferentDirection(e.dmaAddr, e.size, e.dir, dir));
                }
                table.remove(e);
            }
            ops.unmapSg(sg, nents, dir, attrs);
            if (sg.nents() != 0) {
                sg.setNents(0);
            }
            stats.increment(Stat.SG_UNMAPS);
        } finally {
            gate.exit();
        }
    }

    // ---- sync ------------------------------------------------------------------------------------------

    @Override
    public void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir) {
        syncSingle(SYNC_SINGLE_CPU, true, dmaAddr, size, dir);
    }

    @Override
    public void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir) {
        syncSingle(SYNC_SINGLE_DEVICE, false, dmaAddr, size, dir);
    }

    @Override
    public void syncSgForCpu(SgTable sg, int nents, DmaDirection dir) {
        syncSg(SYNC_SG_CPU, true, sg, nents, dir);
    }

    @Override
    public void syncSgForDevice(SgTable sg, int nents, DmaDirection dir) {
        syncSg(SYNC_SG_DEVICE, false, sg, nents, dir);
    }

    /** Linux {@code dma_sync_single_range_for_cpu}: a negative offset is bad input. */
    @Override
    public void syncSingleRangeForCpu(long dmaAddr, long offset, long size, DmaDirection dir) {
        live();
        rangeOffset(SYNC_RANGE_CPU, dmaAddr, offset);
        syncSingle(SYNC_RANGE_CPU, true, dmaAddr + offset, size, dir);
    }

    /** Linux {@code dma_sync_single_range_for_device}. */
    @Override
    public void syncSingleRangeForDevice(long dmaAddr, long offset, long size, DmaDirection dir) {
        live();
        rangeOffset(SYNC_RANGE_DEVICE, dmaAddr, offset);
        syncSingle(SYNC_RANGE_DEVICE, false, dmaAddr + offset, size, dir);
    }

    @Override
    public void syncSgtableForCpu(SgTable sgt, DmaDirection dir) {
        live();
        syncSg(SYNC_SGTABLE_CPU, true, nonNull(SYNC_SGTABLE_CPU, sgt), sgt.origNents(), dir);
    }

    @Override
    public void syncSgtableForDevice(SgTable sgt, DmaDirection dir) {
        live();
        syncSg(SYNC_SGTABLE_DEVICE, false, nonNull(SYNC_SGTABLE_DEVICE, sgt), sgt.origNents(), dir);
    }

    /** Linux {@code check_sync} on the mapping containing {@code dmaAddr}, then the backend's sync. */
    private void syncSingle(String call, boolean forCpu, long dmaAddr, long size, DmaDirection dir) {
        live();
        DmaArgs.direction(call, dir);
        DmaArgs.dmaRange(call, dmaAddr, size);
        gate.enterReleasing();
        try {
            live();
            synchronized (table) {
                LiveMapping e = table.containing(dmaAddr);
                if (e == null) {
                    throw usage(DmaDebug.syncNotAllocated(dmaAddr, size));
                }
                if (e.type == MappingType.COHERENT) {
                    throw usage(DmaDebug.syncCoherent(dmaAddr, size));
                }
                long offsetPlusSize = dmaAddr - e.dmaAddr + size;
                if (Long.compareUnsigned(offsetPlusSize, e.size) > 0) {
                    throw usage(DmaDebug.syncOutsideRange(e.dmaAddr, e.size, offsetPlusSize));
                }
                if (e.dir != DmaDirection.BIDIRECTIONAL && e.dir != dir) {
                    throw usage(DmaDebug.syncDifferentDirection(dmaAddr, e.size, e.dir, dir));
                }
            }
            if (forCpu) {
                ops.syncSingleForCpu(dmaAddr, size, dir);
            } else {
                ops.syncSingleForDevice(dmaAddr, size, dir);
            }
            stats.increment(Stat.SYNCS);
        } finally {
            gate.exit();
        }
    }

    /** Linux {@code check_sync} for the table's entry, then the backend's sg sync. */
    private void syncSg(String call, boolean forCpu, SgTable sg, int nents, DmaDirection dir) {
        live();
        DmaArgs.sg(call, sg, nents);
        DmaArgs.direction(call, dir);
        gate.enterReleasing();
        try {
            live();
            synchronized (table) {
                LiveMapping e = table.sgEntry(sg);
                if (e == null) {
                    throw usage(DmaDebug.syncNotAllocated(sg.dmaAddressField(0), sgBytes(sg, nents)));
                }
                if (e.callNents != nents) {
                    throw usage(DmaDebug.syncDifferentSgCount(e.callNents, nents));
                }
                if (e.dir != DmaDirection.BIDIRECTIONAL && e.dir != dir) {
                    throw usage(DmaDebug.syncDifferentDirection(e.dmaAddr, e.size, e.dir, dir));
                }
            }
            if (forCpu) {
                ops.syncSgForCpu(sg, nents, dir);
            } else {
                ops.syncSgForDevice(sg, nents, dir);
            }
            stats.increment(Stat.SYNCS);
        } finally {
            gate.exit();
        }
    }

    // ---- coherent ----------------------------------------------------------------------------------------

    @Override
    public CoherentAllocation allocCoherent(long size, int attrs) {
        live();
        DmaArgs.size(ALLOC, size);
        DmaArgs.attrs(ALLOC, attrs);
        gate.enterCreating();
        try {
            live();
            CoherentAllocation c = ops.allocCoherent(size, attrs);
            if (c == null) {
                stats.increment(Stat.MAP_FAILURES);
                return null;
            }
            synchronized (table) {
                LiveMapping e = table.add(MappingType.COHERENT, c.dmaHandle(), size, DmaDirection.BIDIRECTIONAL,
                        c.cpuAddress(), attrs);
                e.coherent = c;
            }
            stats.increment(Stat.COHERENT_ALLOCS);
            return c;
        } finally {
            gate.exit();
        }
    }

    /** Linux {@code dma_free_coherent} after {@code check_unmap} of the buffer. */
    @Override
    public void freeCoherent(long size, long cpuAddress, long dmaHandle) {
        live();
        DmaArgs.size(FREE, size);
        gate.enterReleasing();
        try {
            live();
            if (dmaHandle == DmaMasks.MAPPING_ERROR) {
                throw usage(DmaDebug.freeInvalidAddress());
            }
            CoherentAllocation c;
            synchronized (table) {
                LiveMapping e = table.bestAt(dmaHandle, MappingType.COHERENT, size, DmaDirection.BIDIRECTIONAL);
                if (e == null) {
                    throw usage(DmaDebug.freeNotAllocated(dmaHandle, size));
                }
                if (e.size != size) {
                    throw usage(DmaDebug.freeDifferentSize(dmaHandle, e.size, size));
                }
                if (e.type != MappingType.COHERENT) {
                    throw usage(DmaDebug.freeWrongFunction(dmaHandle, size, e.type, MappingType.COHERENT));
                }
                if (e.cpuAddr != cpuAddress) {
                    throw usage(DmaDebug.freeDifferentCpuAddress(dmaHandle, size, e.cpuAddr, cpuAddress));
                }
                c = e.coherent;
                table.remove(e);
            }
            ops.freeCoherent(c);
            stats.increment(Stat.COHERENT_FREES);
        } finally {
            gate.exit();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private void live() {
        if (retired) {
            throw usage(DmaDebug.stale(descriptor.name(), backend));
        }
    }

    /** Logs a refused call in the device's log and returns the exception to throw. */
    private DmaUsageException usage(String message) {
        log.accept(message);
        return new DmaUsageException(message);
    }

    private static SgTable nonNull(String call, SgTable sgt) {
        if (sgt == null) {
            throw new IllegalArgumentException(call + ": sg table must not be null");
        }
        return sgt;
    }

    private static void rangeOffset(String call, long dmaAddr, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException(call + ": offset must not be negative, got " + offset);
        }
        if (Long.compareUnsigned(dmaAddr + offset, dmaAddr) < 0) {
            throw new IllegalArgumentException(String.format("%s: 0x%x + offset 0x%x wraps around the 64-bit bus space",
                    call, dmaAddr, offset));
        }
    }

    private static long sgBytes(SgTable sg, int nents) {
        long bytes = 0;
        for (int i = 0; i < nents; i++) {
            bytes += sg.cpuLength(i);
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "DmaApi[" + descriptor.name() + " on " + backend + (retired ? ", stale" : "") + "]";
    }
}
