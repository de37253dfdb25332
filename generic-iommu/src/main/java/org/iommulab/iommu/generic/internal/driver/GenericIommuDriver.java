package org.iommulab.iommu.generic.internal.driver;

import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuCapability;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.iommu.IommuResvRegion;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;
import org.iommulab.iommu.generic.internal.format.DeviceTableEntry;
import org.iommulab.iommu.generic.internal.format.GenericIommuRegs;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;

/**
 * The driver half of the generic IOMMU, Linux's {@code struct iommu_ops} for it: it reads the
 * IDR, allocates the device table in simulated memory on the first probe (when it first meets
 * the platform's memory and allocator, which come with the device), enables translation, hands
 * out domain IDs and builds {@link GenericDomain}s. It talks to the hardware only through
 * registers and memory: the model is passed in for its register file and its ports.
 *
 * <p>Capabilities: {@code DEFERRED_FLUSH} (a flush queue is allowed) and {@code CACHE_COHERENCY};
 * page sizes 4 KiB, 2 MiB and 1 GiB. Domain types DMA, DMA_FQ and UNMANAGED; IDENTITY and
 * BLOCKED are not offered (allocDomain returns null, as a Linux driver without them does).
 */
public final class GenericIommuDriver implements IommuDriver {
    /** The driver's, and so the backend's, name. */
    public static final String NAME = "generic";
    /**
     * What this IOMMU reports by default: a software MSI window at 0x8000000 of 1 MiB, as the
     * arm64 IOMMU drivers report (arm-smmu's {@code MSI_IOVA_BASE}, {@code MSI_IOVA_LENGTH}), since
     * the platform's MSI doorbell (a GICv3 ITS) sits behind the IOMMU and must be mapped.
     */
    public static final List<IommuResvRegion> DEFAULT_RESV_REGIONS = List.of(IommuResvRegion.swMsi(0x8000000L, 0x100000L));

    private final List<IommuResvRegion> resvRegions;
    /** Linux {@code pgsize_bitmap}: 4K, 2M, 1G. */
    public static final long PGSIZE_BITMAP = (1L << 12) | (1L << 21) | (1L << 30);

    private final GenericIommuModel hw;
    private final int iasBits;
    private final int oasBits;
    private final int sidBits;
    private final BitSet domainIds = new BitSet();
    private final Map<DmaDevice, TranslationPort> probed = new IdentityHashMap<>();
    private PhysicalMemory memory;
    private PageAllocator allocator;
    private long deviceTable = -1;
    /**
     * Serializes command submission: an invalidation is several register writes (CMD_ADDR,
     * CMD_SIZE, CMD, then a SYNC) that must not interleave with another thread's, or one
     * thread's INV_RANGE invalidates another's range and leaves its own cached, as Linux drivers
     * submit commands under a lock (arm-smmu-v3's cmdq lock, VT-d's qi lock). Taken after a
     * domain's lock and the driver's own, never before them.
     */
    private final Object commands = new Object();

    public GenericIommuDriver(GenericIommuModel hw) {
        this(hw, DEFAULT_RESV_REGIONS);
    }

    /**
     * @param resvRegions the reserved regions this IOMMU reports for every device it serves
     *        ({@link #DEFAULT_RESV_REGIONS} unless configured)
     */
    public GenericIommuDriver(GenericIommuModel hw, List<IommuResvRegion> resvRegions) {
        if (hw == null || resvRegions == null) {
            throw new IllegalArgumentException("the driver needs its hardware and its reserved regions");
        }
        this.hw = hw;
        this.resvRegions = List.copyOf(resvRegions);
        long idr = hw.readReg(GenericIommuRegs.IDR.offset());
        iasBits = GenericIommuRegs.idrIas(idr);
        oasBits = GenericIommuRegs.idrOas(idr);
        sidBits = GenericIommuRegs.idrSidBits(idr);
        domainIds.set(0); // DID 0 is never handed out
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized void probeDevice(DmaDevice device) throws BackendException {
        if (!servesDevice(device)) {
            throw new BackendException(String.format("%s: the generic IOMMU serves stream IDs 0..%d; %s has %s", NAME,
                    (1 << sidBits) - 1, device.name(), java.util.Arrays.toString(device.descriptor().streamIds())));
        }
        if (probed.containsKey(device)) {
            return;
        }
        init(device);
        probed.put(device, hw.port(device));
    }

    /** Allocates the device table, programs DT_BASE/DT_LOG2SIZE and sets CTRL.EN (arm_smmu_device_reset). */
    private void init(DmaDevice device) throws BackendException {
        if (deviceTable >= 0) {
            if (device.memory() != memory) {
                throw new BackendException(NAME + ": device " + device.name() + " lives in another physical memory");
            }
            return;
        }
        long bytes = (long) DeviceTableEntry.SIZE << sidBits;
        long pages = Math.max(1, bytes / PageAllocator.PAGE_SIZE);
        Zone zone = oasBits <= 32 ? Zone.DMA32 : Zone.NORMAL;
        long table = device.allocator().allocPages(pages, zone);
        if (table == PageAllocator.NO_MEMORY) {
            throw new BackendException(NAME + ": no memory for a " + bytes + "-byte device table");
        }
        device.memory().fill(table, pages * PageAllocator.PAGE_SIZE, (byte) 0);
        memory = device.memory();
        allocator = device.allocator();
        deviceTable = table;
        hw.connect(memory);
        hw.writeReg(GenericIommuRegs.DT_BASE.offset(), table);
        hw.writeReg(GenericIommuRegs.DT_LOG2SIZE.offset(), sidBits);
        hw.writeReg(GenericIommuRegs.CMD.offset(), GenericIommuRegs.cmd(GenericIommuRegs.OP_INV_ALL, 0, 0));
        hw.writeReg(GenericIommuRegs.CTRL.offset(), GenericIommuRegs.CTRL_EN.mask());
    }

    @Override
    public synchronized void releaseDevice(DmaDevice device) {
        probed.remove(device);
    }

    @Override
    public boolean servesDevice(DmaDevice device) {
        for (int sid : device.descriptor().streamIds()) {
            if (sid >= (1 << sidBits)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized IommuDomain allocDomain(DomainType type) {
        if (type != DomainType.DMA && type != DomainType.DMA_FQ && type != DomainType.UNMANAGED) {
            return null;
        }
        if (memory == null) {
            return null; // no device probed yet: the driver has not met the platform's memory
        }
        int did = domainIds.nextClearBit(1);
        if (did > DeviceTableEntry.DID.max()) {
            return null;
        }
        GenericDomain d = GenericDomain.create(this, type, did, iasBits, oasBits, memory, allocator);
        if (d != null) {
            domainIds.set(did);
        }
        return d;
    }

    /** Called by a domain when it is freed: its entries leave the IOTLB and its ID is reusable. */
    synchronized void releaseDomainId(int did) {
        issue(GenericIommuRegs.cmd(GenericIommuRegs.OP_INV_DOMAIN, did, 0));
        hw.forgetDomain(did);
        domainIds.clear(did);
    }

    @Override
    public long pgsizeBitmap() {
        return PGSIZE_BITMAP;
    }

    /** Linux {@code get_resv_regions}: the configured regions, the same for every device. */
    @Override
    public List<IommuResvRegion> resvRegions(DmaDevice device) {
        return resvRegions;
    }

    @Override
    public boolean capable(IommuCapability capability) {
        return capability == IommuCapability.DEFERRED_FLUSH || capability == IommuCapability.CACHE_COHERENCY;
    }

    @Override
    public synchronized TranslationPort translationPort(DmaDevice device) {
        TranslationPort p = probed.get(device);
        if (p == null) {
            throw new IllegalStateException(NAME + ": device " + device.name() + " was not probed");
        }
        return p;
    }

    // ---- hardware access for domains --------------------------------------------------------------

    /** Writes a command and checks the hardware took it. */
    void issue(long cmd) {
        synchronized (commands) {
            hw.writeReg(GenericIommuRegs.CMD.offset(), cmd);
            if (GenericIommuRegs.STATUS_CMD_ERR.isSet(hw.readReg(GenericIommuRegs.STATUS.offset()))) {
                hw.writeReg(GenericIommuRegs.STATUS.offset(), GenericIommuRegs.STATUS_CMD_ERR.mask());
                throw new IllegalStateException(NAME + ": the IOMMU rejected command 0x" + Long.toHexString(cmd));
            }
        }
    }

    /** INV_RANGE of {@code did} for {@code [iova, iova+size)}, then SYNC. */
    void invalidateRange(int did, long iova, long size) {
        synchronized (commands) {
            hw.writeReg(GenericIommuRegs.CMD_ADDR.offset(), iova);
            hw.writeReg(GenericIommuRegs.CMD_SIZE.offset(), size);
            issue(GenericIommuRegs.cmd(GenericIommuRegs.OP_INV_RANGE, did, 0));
            issue(GenericIommuRegs.cmd(GenericIommuRegs.OP_SYNC, 0, 0));
        }
    }

    /** INV_DOMAIN of {@code did}, then SYNC. */
    void invalidateDomain(int did) {
        synchronized (commands) {
            issue(GenericIommuRegs.cmd(GenericIommuRegs.OP_INV_DOMAIN, did, 0));
            issue(GenericIommuRegs.cmd(GenericIommuRegs.OP_SYNC, 0, 0));
        }
    }

    /** Writes stream {@code sid}'s DTE (word 1 first, then the valid word 0) and drops its cached decode. */
    synchronized void writeDte(int sid, long word0, long word1) {
        long addr = deviceTable + (long) sid * DeviceTableEntry.SIZE;
        memory.writeLong(addr + DeviceTableEntry.WORD0, 0);
        memory.writeLong(addr + DeviceTableEntry.WORD1, word1);
        memory.writeLong(addr + DeviceTableEntry.WORD0, word0);
        issue(GenericIommuRegs.cmd(GenericIommuRegs.OP_INV_DTE, 0, sid));
    }

    long hits(int did) {
        return hw.hits(did);
    }

    long misses(int did) {
        return hw.misses(did);
    }

    /**
     * The driver's remove (Linux {@code arm_smmu_device_remove} in shape): disables the IOMMU
     * and gives the device table back. Called when the component goes, after iommu-dma has
     * withdrawn the backend and every device has left it; without it each restart of the bundle
     * leaked the table (found by the soak: 2 MiB per restart at 16 stream-ID bits).
     */
    public synchronized void shutdown() {
        if (deviceTable < 0) {
            return;
        }
        hw.writeReg(GenericIommuRegs.CTRL.offset(), 0);
        allocator.free(deviceTable);
        deviceTable = -1;
        probed.clear();
    }

    /** Physical address of the device table, or -1 before the first probe. */
    public synchronized long deviceTable() {
        return deviceTable;
    }

    public GenericIommuModel hardware() {
        return hw;
    }
}
