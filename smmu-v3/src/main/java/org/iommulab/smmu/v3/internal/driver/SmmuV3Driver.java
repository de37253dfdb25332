package org.iommulab.smmu.v3.internal.driver;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuCapability;
import org.iommulab.api.iommu.IommuResvRegion;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;
import org.iommulab.smmu.v3.internal.format.EventRecord;
import org.iommulab.smmu.v3.internal.model.IrqLine;
import org.iommulab.smmu.v3.internal.model.SmmuV3Model;
import org.iommulab.smmu.v3.internal.model.SmmuV3Mmio;

/**
 * The SMMUv3 driver, Linux {@code drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c} in shape: it
 * probes the hardware through its ID registers ({@code arm_smmu_device_hw_probe}), builds the
 * queues and stream table in simulated memory, resets and enables the SMMU
 * ({@link SmmuV3Bringup}, {@code arm_smmu_device_reset}), takes on masters
 * ({@code arm_smmu_probe_device}), and hands out domains whose STEs and CDs it writes hitlessly.
 * It programs the SMMU only through its registers and memory; the model's port is what it
 * returns as each master's translation port. Thread-safe.
 */
public final class SmmuV3Driver implements IommuDriver {
    /** The driver's (and so the backend's) name. */
    public static final String NAME = "smmu-v3";

    private final String name;
    private final SmmuV3Model model;
    private final PhysicalMemory memory;
    private final PageAllocator allocator;
    private final DriverConfig config;
    private final DriverLog log = new DriverLog();
    private final Map<DmaDevice, Master> masters = new ConcurrentHashMap<>();
    private final Map<Integer, Master> bySid = new ConcurrentHashMap<>();
    private SmmuV3Bringup hw;

    /**
     * A driver for {@code model}; {@link #probe()} brings the SMMU up.
     *
     * @throws IllegalArgumentException for a null argument
     */
    public SmmuV3Driver(String name, SmmuV3Model model, PhysicalMemory memory, PageAllocator allocator,
            DriverConfig config) {
        if (name == null || model == null || memory == null || allocator == null || config == null) {
            throw new IllegalArgumentException("the SMMUv3 driver needs a name, its SMMU, memory, an allocator and a config");
        }
        this.name = name;
        this.model = model;
        this.memory = memory;
        this.allocator = allocator;
        this.config = config;
    }

    /**
     * Linux {@code arm_smmu_device_probe}: reads the ID registers, allocates the queues and the
     * stream table, resets and enables the SMMU.
     *
     * @throws IllegalStateException when the SMMU cannot do what the config asks, or memory ran out
     */
    public synchronized void probe() {
        if (hw != null) {
            throw new IllegalStateException(name + " is already probed");
        }
        hw = SmmuV3Bringup.bringUp(model, memory, allocator, config, log, this::onInterrupt, this::masterOf);
    }

    /** Linux {@code arm_smmu_device_shutdown}: disables the SMMU and frees its structures. */
    public synchronized void shutdown() {
        if (hw == null) {
            return;
        }
        for (Master m : masters.values()) {
            releaseDevice(m.device);
        }
        hw.shutdown();
        hw = null;
    }

    SmmuV3Bringup hw() {
        SmmuV3Bringup h = hw;
        if (h == null) {
            throw new IllegalStateException(name + " is not probed");
        }
        return h;
    }

    DriverConfig config() {
        return config;
    }

    PhysicalMemory memory() {
        return memory;
    }

    PageAllocator allocator() {
        return allocator;
    }

    @Override
    public String name() {
        return name;
    }

    /** Linux {@code arm_smmu_probe_device}: the master's level-2 stream table arrays and CD table. */
    @Override
    public synchronized void probeDevice(DmaDevice device) throws BackendException {
        SmmuV3Bringup h = hw();
        if (masters.containsKey(device)) {
            return;
        }
        if (!servesDevice(device)) {
            throw new BackendException(name + ": " + device.name() + "'s StreamIDs do not fit the "
                    + h.strtab.span() + "-entry stream table");
        }
        int[] sids = device.descriptor().streamIds();
        for (int sid : sids) {
            Master other = bySid.get(sid);
            if (other != null) {
                throw new BackendException(name + ": StreamID " + sid + " of " + device.name() + " already belongs to "
                        + other.device.name());
            }
            if (!h.strtab.ensure(sid)) {
                throw new BackendException(name + ": no memory for the stream table of StreamID " + sid);
            }
        }
        DmaBuffer cdTable = DmaBuffer.allocate(memory, allocator, PageAllocator.PAGE_SIZE, Zone.NORMAL);
        if (cdTable == null) {
            throw new BackendException(name + ": no memory for " + device.name() + "'s CD table");
        }
        Master m = new Master(device, sids, cdTable, model.port(device.name(), device::reportFault));
        masters.put(device, m);
        for (int sid : sids) {
            bySid.put(sid, m);
        }
    }

    /** Linux {@code arm_smmu_release_device}: the master's STEs abort, its CD table is freed. */
    @Override
    public synchronized void releaseDevice(DmaDevice device) {
        Master m = masters.remove(device);
        if (m == null) {
            return;
        }
        hw().configs.attach(m, null);
        if (m.domain != null) {
            m.domain.released(m);
        }
        m.domain = null;
        for (int sid : m.sids) {
            bySid.remove(sid);
        }
        m.cdTable.free();
    }

    @Override
    public boolean servesDevice(DmaDevice device) {
        SmmuV3Bringup h = hw;
        if (h == null) {
            return false;
        }
        for (int sid : device.descriptor().streamIds()) {
            if ((sid & 0xffff_ffffL) >= h.strtab.span()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public IommuDomain allocDomain(DomainType type) {
        hw();
        switch (type) {
            case IDENTITY:
            case BLOCKED:
                return new StaticDomain(this, type);
            default:
                return SmmuV3Domain.create(this, type);
        }
    }

    @Override
    public long pgsizeBitmap() {
        return config.granule.pageSizes(hw().info.oas) & hw().info.pgsizeBitmap;
    }

    /** Linux {@code arm_smmu_capable}. */
    @Override
    public boolean capable(IommuCapability capability) {
        switch (capability) {
            case CACHE_COHERENCY:
                return hw().info.coherent;
            case NOEXEC:
            case DEFERRED_FLUSH:
                return true;
            default:
                return false;
        }
    }

    /** Linux {@code MSI_IOVA_BASE} (arm-smmu-v3.h): where the software MSI window starts. */
    public static final long MSI_IOVA_BASE = 0x8000000L;
    /** Linux {@code MSI_IOVA_LENGTH}: 1 MiB. */
    public static final long MSI_IOVA_LENGTH = 0x100000L;

    /**
     * Linux {@code arm_smmu_get_resv_regions} (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c): the
     * software MSI window, {@code IOMMU_RESV_SW_MSI} at {@link #MSI_IOVA_BASE} of
     * {@link #MSI_IOVA_LENGTH}, prot {@code IOMMU_WRITE | IOMMU_NOEXEC | IOMMU_MMIO}; then
     * {@code iommu_dma_get_resv_regions}, the firmware's (IORT RMR, device tree) regions, of which
     * this platform describes none.
     */
    @Override
    public List<IommuResvRegion> resvRegions(DmaDevice device) {
        return List.of(IommuResvRegion.swMsi(MSI_IOVA_BASE, MSI_IOVA_LENGTH));
    }

    @Override
    public TranslationPort translationPort(DmaDevice device) {
        Master m = masters.get(device);
        if (m == null) {
            throw new IllegalStateException(name + ": " + device.name() + " is not probed");
        }
        return m.port;
    }

    /** Points the master's STEs at {@code domain} (null: abort); called by the domains. */
    synchronized void attach(Master m, AttachedDomain domain) {
        hw().configs.attach(m, domain);
        m.domain = domain;
    }

    /** Detaches {@code m} if it is attached to {@code domain}. */
    synchronized void detach(Master m, AttachedDomain domain) {
        if (m.domain == domain) {
            attach(m, null);
        }
    }

    Master master(DmaDevice device) {
        return masters.get(device);
    }

    private DmaDevice masterOf(int sid) {
        Master m = bySid.get(sid);
        return m == null ? null : m.device;
    }

    /** The SMMU's interrupt lines: EVTQ drains events, GERROR handles global errors. */
    private void onInterrupt(IrqLine line) {
        SmmuV3Bringup h = hw;
        if (h == null) {
            return;
        }
        if (line == IrqLine.EVTQ) {
            h.evtq.drain();
        } else if (line == IrqLine.GERROR) {
            h.gerror();
        }
    }

    // ---- inspection ----------------------------------------------------------------------------

    /** Lines the driver logged on the SMMU itself (CMDQ errors, overflow, timeouts). */
    public List<String> log() {
        return log.lines();
    }

    /** Event records the driver decoded, oldest first. */
    public List<EventRecord> events() {
        return hw().evtq.recent();
    }

    /** The SMMU's register interface, for the shell and tests that poke it as a driver would. */
    public SmmuV3Mmio mmio() {
        return model.mmio();
    }

    @Override
    public String toString() {
        return name + " (" + config + ")";
    }
}
