package org.iommulab.platform.internal.dma;

import java.util.function.Consumer;

import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaErrno;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.MemoryAccess;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.sim.Simulation;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * The DMA API of one device on one backend, for the time the device stays bound there: Linux
 * {@code kernel/dma/mapping.c} in front of the backend's {@link DmaOps}, with dma-debug's
 * bookkeeping ({@code kernel/dma/debug.c}).
 *
 * <p>Every call first checks its arguments (bad input: {@link IllegalArgumentException}: sizes,
 * directions, memory that does not exist, more than {@code dma_max_mapping_size()}) and
 * matches unmaps, syncs and frees against the {@link LiveMappings live mappings} (misuse:
 * {@link DmaUsageException} in dma-debug's words), before anything reaches the backend, so a
 * refused call changes nothing. With the checker on ({@link DeviceChecker}), each misuse is
 * first raised as a finding, and the calls that pass are checked further (cache-line overlaps,
 * sg segments, unchecked mapping errors, sub-page exposure); {@link #cpu()} is then a
 * {@link CheckedCpuView}. Calls pass this API's own {@link CallGate}, and none ever waits there:
 * once the swap {@linkplain #beginRelease began releasing the driver}, creating calls fail at
 * once ("being swapped") while releases and syncs pass; once it {@linkplain #retireWhenIdle
 * retired} the API, every call throws (stale). The driver's {@link #busMaster()} carries this
 * API's generation, and is refused from the moment the swap releases that generation. The
 * steady state allocates nothing: entries come from the table's pool, counters are atomic
 * longs, findings lists are made only when there is a finding.
 *
 * <p>This class is the facade (identity, masks, limits, argument order of the public calls);
 * the calls live in {@link SingleMapCalls}, {@link SgMapCalls}, {@link SyncCalls} and
 * {@link CoherentCalls}, sharing a {@link DmaCallContext}.
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
    private static final String SET_MASK = "dma_set_mask";
    private static final String SET_COHERENT_MASK = "dma_set_coherent_mask";

    private final DmaCallContext c;
    private final MemoryAccess cpu;
    private final BusMaster busMaster;
    private final SingleMapCalls singles;
    private final SgMapCalls sgs;
    private final SyncCalls syncs;
    private final CoherentCalls coherent;
    private final long msiDoorbell;

    /**
     * @param device the device as the backend sees it (its masks are set here)
     * @param backend name of the backend behind {@code ops}
     * @param addresses RAM and declared MMIO, for the argument checks; its memory is the
     *        driver's raw CPU view (the checker wraps it when it is on)
     * @param busMaster the bus master of this API's driver generation ({@link #busMaster()})
     * @param table the device's live mappings (empty when a binding starts)
     * @param stats the counters of this device on this backend
     * @param log the device's log, for refused calls and warnings
     * @param checker the device's checker (off: it does nothing)
     * @param isolating whether the backend isolates the device (sub-page exposure is measured)
     * @param granuleShift log2 of the backend's translation granule
     * @param sim the simulation: each call advances its clock by the modelled cost of a call
     * @param msiDoorbell the physical address of the platform's MSI doorbell ({@link #enableMsi})
     */
    public DeviceDmaApi(SimDmaDevice device, String backend, DmaOps ops, AddressMap addresses, BusMaster busMaster,
            LiveMappings table, StatCounters stats, Consumer<String> log, DeviceChecker checker, boolean isolating,
            int granuleShift, Simulation sim, long msiDoorbell) {
        if (device == null || backend == null || ops == null || addresses == null || busMaster == null || table == null
                || stats == null || log == null || checker == null || sim == null) {
            throw new IllegalArgumentException("every part of a device's DMA API must be given");
        }
        if (granuleShift < 0 || granuleShift > 62) {
            throw new IllegalArgumentException("translation granule shift must be 0..62, got " + granuleShift);
        }
        this.c = new DmaCallContext(device, backend, ops, addresses, table, stats, log, checker, isolating, granuleShift,
                sim);
        MemoryAccess raw = addresses.memory();
        this.cpu = checker.enabled() ? new CheckedCpuView(raw, c) : raw;
        this.busMaster = busMaster;
        this.singles = new SingleMapCalls(c);
        this.sgs = new SgMapCalls(c);
        this.syncs = new SyncCalls(c);
        this.coherent = new CoherentCalls(c);
        this.msiDoorbell = msiDoorbell;
    }

    /**
     * The swap tells the driver to release (swap step 1): from now on creating calls fail at
     * once, saying the device is being swapped to {@code target}; releases and syncs pass.
     */
    public void beginRelease(String target) {
        c.swapTarget = target;
        c.gate.beginRelease();
    }

    /**
     * Makes this object stale once no call is in flight, waiting at most {@code timeoutNanos}
     * (host time, on the swapping thread); from then on every call throws.
     *
     * @return false when calls were still in flight at the bound: the API is still releasing
     */
    public boolean retireWhenIdle(long timeoutNanos) {
        return c.gate.retireWhenIdle(timeoutNanos);
    }

    /** Makes this object stale now, even with calls in flight (a swap that cannot stay). */
    public void retire() {
        c.gate.retireNow();
    }

    public boolean isRetired() {
        return c.gate.isRetired();
    }

    /** True once the swap began releasing the driver. */
    public boolean isReleasing() {
        return c.gate.isReleasing();
    }

    /** DMA-API calls in flight now (diagnostics). */
    public int callsInFlight() {
        return c.gate.inFlight();
    }

    // ---- identity ------------------------------------------------------------------------------

    @Override
    public DeviceDescriptor device() {
        c.live();
        return c.descriptor;
    }

    @Override
    public String backendName() {
        c.live();
        return c.backend;
    }

    /** The driver's CPU view: checked by the DMA-API checker when it is on, raw memory when it is off. */
    @Override
    public MemoryAccess cpu() {
        c.live();
        return cpu;
    }

    /** The bus master of this API's driver generation: refused once the driver is released. */
    @Override
    public BusMaster busMaster() {
        c.live();
        return busMaster;
    }

    // ---- masks and limits ------------------------------------------------------------------------

    /** Linux {@code dma_set_mask}: {@code -EIO} unless {@code dma_supported(dev, mask)}. */
    @Override
    public int setMask(long mask) {
        c.live();
        DmaArgs.mask(SET_MASK, mask);
        c.enterReleasing();
        try {
            if (!c.ops.dmaSupported(mask)) {
                return DmaErrno.EIO;
            }
            c.device.setDmaMask(mask);
            return 0;
        } finally {
            c.gate.exit();
        }
    }

    /** Linux {@code dma_set_coherent_mask}. */
    @Override
    public int setCoherentMask(long mask) {
        c.live();
        DmaArgs.mask(SET_COHERENT_MASK, mask);
        c.enterReleasing();
        try {
            if (!c.ops.dmaSupported(mask)) {
                return DmaErrno.EIO;
            }
            c.device.setCoherentDmaMask(mask);
            return 0;
        } finally {
            c.gate.exit();
        }
    }

    @Override
    public long mask() {
        c.live();
        return c.device.dmaMask();
    }

    @Override
    public long coherentMask() {
        c.live();
        return c.device.coherentDmaMask();
    }

    @Override
    public long requiredMask() {
        return limit(0);
    }

    @Override
    public long maxMappingSize() {
        return limit(1);
    }

    @Override
    public long optMappingSize() {
        return limit(2);
    }

    private long limit(int which) {
        c.enterReleasing();
        try {
            return which == 0 ? c.ops.requiredMask() : which == 1 ? c.ops.maxMappingSize() : c.ops.optMappingSize();
        } finally {
            c.gate.exit();
        }
    }

    // ---- single mappings -------------------------------------------------------------------------

    /** Linux {@code dma_map_page_attrs}: {@code dma_map_phys(page_to_phys(page) + offset)}. */
    @Override
    public long mapPage(long pagePhys, long offset, long size, DmaDirection dir, int attrs) {
        c.live();
        DmaArgs.page(MAP_PAGE, pagePhys, offset);
        checkSingle(MAP_PAGE, pagePhys + offset, size, dir, attrs, DmaAttrs.has(attrs, DmaAttrs.MMIO));
        return singles.map(MAP_PAGE, MappingType.SINGLE, pagePhys + offset, size, dir, attrs);
    }

    @Override
    public void unmapPage(long dmaAddr, long size, DmaDirection dir, int attrs) {
        singles.unmap(UNMAP_PAGE, MappingType.SINGLE, dmaAddr, size, dir, attrs);
    }

    @Override
    public long mapPhys(long phys, long size, DmaDirection dir, int attrs) {
        c.live();
        checkSingle(MAP_PHYS, phys, size, dir, attrs, DmaAttrs.has(attrs, DmaAttrs.MMIO));
        return singles.map(MAP_PHYS, MappingType.SINGLE, phys, size, dir, attrs);
    }

    @Override
    public void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs) {
        singles.unmap(UNMAP_PHYS, MappingType.SINGLE, dmaAddr, size, dir, attrs);
    }

    @Override
    public long mapResource(long phys, long size, DmaDirection dir, int attrs) {
        c.live();
        checkSingle(MAP_RESOURCE, phys, size, dir, attrs, true);
        return singles.map(MAP_RESOURCE, MappingType.PHYS, phys, size, dir, attrs);
    }

    @Override
    public void unmapResource(long dmaAddr, long size, DmaDirection dir, int attrs) {
        singles.unmap(UNMAP_RESOURCE, MappingType.PHYS, dmaAddr, size, dir, attrs);
    }

    /**
     * The checks every single mapping's arguments pass before anything else sees them; the
     * memory must exist (RAM, or for a resource also declared MMIO). The size against
     * {@code dma_max_mapping_size()} is checked inside the gate, where the backend may be asked.
     */
    private void checkSingle(String op, long phys, long size, DmaDirection dir, int attrs, boolean resource) {
        DmaArgs.physRange(op, phys, size);
        DmaArgs.direction(op, dir);
        DmaArgs.attrs(op, attrs);
        DmaArgs.exists(op, c.addresses, phys, size, resource);
    }

    /** Linux {@code dma_mapping_error}, with dma-debug's {@code debug_dma_mapping_error}. */
    @Override
    public boolean mappingError(long dmaAddr) {
        c.live();
        if (dmaAddr == DmaMasks.MAPPING_ERROR) {
            return true;
        }
        c.checker.mappingErrorChecked(c.table, dmaAddr);
        return false;
    }

    // ---- scatter-gather ------------------------------------------------------------------------------

    /** Linux {@code dma_map_sg_attrs}: the segment count, or 0 for any failure. */
    @Override
    public int mapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        c.live();
        int r = sgs.map(MAP_SG, sg, nents, dir, attrs);
        return r > 0 ? r : 0;
    }

    /** Linux {@code dma_map_sgtable}: 0 with {@code nents} set, or the errno. */
    @Override
    public int mapSgtable(SgTable sgt, DmaDirection dir, int attrs) {
        c.live();
        int r = sgs.map(MAP_SGTABLE, nonNull(MAP_SGTABLE, sgt), sgt.origNents(), dir, attrs);
        return r > 0 ? 0 : r;
    }

    /** Linux {@code dma_unmap_sgtable}; a null table is bad input, not a NullPointerException. */
    @Override
    public void unmapSgtable(SgTable sgt, DmaDirection dir, int attrs) {
        c.live();
        sgs.unmap(UNMAP_SG, nonNull(UNMAP_SGTABLE, sgt), sgt.origNents(), dir, attrs);
    }

    /** Linux {@code dma_unmap_sg_attrs}, after {@code check_unmap} of the table's entry. */
    @Override
    public void unmapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        c.live();
        sgs.unmap(UNMAP_SG, sg, nents, dir, attrs);
    }

    // ---- sync ------------------------------------------------------------------------------------------

    @Override
    public void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir) {
        syncs.single(SYNC_SINGLE_CPU, true, dmaAddr, size, dir);
    }

    @Override
    public void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir) {
        syncs.single(SYNC_SINGLE_DEVICE, false, dmaAddr, size, dir);
    }

    @Override
    public void syncSgForCpu(SgTable sg, int nents, DmaDirection dir) {
        syncs.sg(SYNC_SG_CPU, true, sg, nents, dir);
    }

    @Override
    public void syncSgForDevice(SgTable sg, int nents, DmaDirection dir) {
        syncs.sg(SYNC_SG_DEVICE, false, sg, nents, dir);
    }

    /** Linux {@code dma_sync_single_range_for_cpu}: a negative offset is bad input. */
    @Override
    public void syncSingleRangeForCpu(long dmaAddr, long offset, long size, DmaDirection dir) {
        c.live();
        rangeOffset(SYNC_RANGE_CPU, dmaAddr, offset);
        syncs.single(SYNC_RANGE_CPU, true, dmaAddr + offset, size, dir);
    }

    /** Linux {@code dma_sync_single_range_for_device}. */
    @Override
    public void syncSingleRangeForDevice(long dmaAddr, long offset, long size, DmaDirection dir) {
        c.live();
        rangeOffset(SYNC_RANGE_DEVICE, dmaAddr, offset);
        syncs.single(SYNC_RANGE_DEVICE, false, dmaAddr + offset, size, dir);
    }

    @Override
    public void syncSgtableForCpu(SgTable sgt, DmaDirection dir) {
        c.live();
        syncs.sg(SYNC_SGTABLE_CPU, true, nonNull(SYNC_SGTABLE_CPU, sgt), sgt.origNents(), dir);
    }

    @Override
    public void syncSgtableForDevice(SgTable sgt, DmaDirection dir) {
        c.live();
        syncs.sg(SYNC_SGTABLE_DEVICE, false, nonNull(SYNC_SGTABLE_DEVICE, sgt), sgt.origNents(), dir);
    }

    // ---- coherent ----------------------------------------------------------------------------------------

    @Override
    public CoherentAllocation allocCoherent(long size, int attrs) {
        return coherent.alloc(size, attrs);
    }

    /** Linux {@code dma_free_coherent} after {@code check_unmap} of the buffer. */
    @Override
    public void freeCoherent(long size, long cpuAddress, long dmaHandle) {
        coherent.free(size, cpuAddress, dmaHandle);
    }

    // ---- interrupts -------------------------------------------------------------------------------------------

    /**
     * Linux {@code pci_alloc_irq_vectors} with MSI as far as DMA goes: the ITS driver's
     * {@code iommu_dma_prepare_msi} for the platform's doorbell, then
     * {@code iommu_dma_compose_msi_msg}; the backend maps the doorbell's page when an IOMMU is in
     * the way ({@link DmaOps#prepareMsi}). Not a streaming mapping: the checker keeps no entry for
     * it, and it lives as long as the device's domain. Logged with the address the device writes.
     */
    @Override
    public long enableMsi() {
        c.live();
        c.enterCreating("pci_alloc_irq_vectors");
        long addr;
        try {
            addr = c.ops.prepareMsi(msiDoorbell);
        } finally {
            c.gate.exit();
        }
        c.log.accept(addr == DmaMasks.MAPPING_ERROR
                ? String.format("MSI: the doorbell 0x%x could not be mapped", msiDoorbell)
                : String.format("MSI enabled: doorbell 0x%x at bus address 0x%x", msiDoorbell, addr));
        return addr;
    }

    // ---- helpers -------------------------------------------------------------------------------------------

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

    @Override
    public String toString() {
        return "DmaApi[" + c.descriptor.name() + " on " + c.backend
                + (c.gate.isRetired() ? ", stale" : c.gate.isReleasing() ? ", releasing" : "") + "]";
    }
}
