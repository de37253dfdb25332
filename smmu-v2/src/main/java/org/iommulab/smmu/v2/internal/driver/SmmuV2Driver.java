package org.iommulab.smmu.v2.internal.driver;

import java.util.BitSet;
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
import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.smmu.v2.internal.model.SmmuV2Model;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;

/**
 * The SMMUv2 IOMMU driver, Linux {@code drivers/iommu/arm/arm-smmu/arm-smmu.c} in shape: the
 * constructor is {@code arm_smmu_device_probe} (ID register probe, reset, SMR mask test,
 * interrupts), {@link #probeDevice} is {@code arm_smmu_probe_device} with
 * {@code arm_smmu_master_alloc_smes}, {@link #allocDomain} is
 * {@code arm_smmu_domain_alloc_paging} (and the identity and blocked domains). It reaches the
 * hardware only through the model's registers, interrupt lines and translation ports.
 */
public final class SmmuV2Driver implements IommuDriver {
    public static final String NAME = "smmu-v2";

    private final SmmuV2Model hw;
    private final PhysicalMemory memory;
    private final PageAllocator allocator;
    private final DriverOptions options;
    private final SmmuIo io;
    private final SmmuFeatures features;
    private final StreamMapTable streams;
    private final TlbSync sync;
    private final DriverLog log = new DriverLog();
    private final BitSet contextMap = new BitSet();
    private final Map<String, Master> masters = new ConcurrentHashMap<>();
    private final Map<Integer, Master> bySid = new ConcurrentHashMap<>();

    /**
     * Probes and resets the SMMU behind {@code hw}.
     *
     * @throws IllegalStateException when the ID registers describe an SMMU this driver cannot use
     */
    public SmmuV2Driver(SmmuV2Model hw, PhysicalMemory memory, PageAllocator allocator, DriverOptions options) {
        if (hw == null || memory == null || allocator == null || options == null) {
            throw new IllegalArgumentException("the SMMUv2 driver needs its hardware, memory, allocator and options");
        }
        this.hw = hw;
        this.memory = memory;
        this.allocator = allocator;
        this.options = options;
        this.io = new SmmuIo(hw);
        SmmuFeatures f = SmmuFeatures.probe(io, options.forceStage());
        this.sync = new TlbSync(io);
        this.streams = new StreamMapTable(io, f.numMappingGroups(), options.disableBypass());
        hw.connect(new FaultHandlers(io, NAME, bySid::get, log, options.disableBypass()));
        reset(f);
        this.features = f.testSmrMasks(io);
    }

    /** Linux {@code arm_smmu_device_reset}. */
    private void reset(SmmuFeatures f) {
        // Clear the global FSR.
        io.gr0Write(Gr0.SGFSR, io.gr0Read(Gr0.SGFSR));
        // Every SMR invalid, every S2CR of the idle type.
        for (int i = 0; i < f.numMappingGroups(); i++) {
            streams.writeSme(i);
        }
        // "Make sure all context banks are disabled and clear CB_FSR."
        for (int i = 0; i < f.numContextBanks(); i++) {
            ContextBankConfig.disable(io, i);
            io.cbWrite(i, Cb.FSR, (int) Cb.FSR_FAULT);
        }
        // "Invalidate the TLB, just in case" (TLBIALLH, the hypervisor's, is not modelled).
        io.gr0Write(Gr0.TLBIALLNSNH, TlbSync.DUMMY_VAL);
        int reg = io.gr0Read(Gr0.SCR0);
        reg |= (int) (Gr0.SCR0_GFRE.mask() | Gr0.SCR0_GFIE.mask() | Gr0.SCR0_GCFGFRE.mask() | Gr0.SCR0_GCFGFIE.mask());
        reg |= (int) (Gr0.SCR0_VMIDPNE.mask() | Gr0.SCR0_PTM.mask());
        reg &= ~(int) Gr0.SCR0_CLIENTPD.mask();
        if (options.disableBypass()) {
            reg |= (int) Gr0.SCR0_USFCFG.mask();
        } else {
            reg &= ~(int) Gr0.SCR0_USFCFG.mask();
        }
        reg &= ~(int) (Gr0.SCR0_FB.mask() | Gr0.SCR0_BSU.mask());
        if (f.vmid16()) {
            reg |= (int) Gr0.SCR0_VMID16EN.mask();
        }
        // "Push the button."
        if (!sync.sync(0, Gr0.STLBGSYNC, Gr0.STLBGSTATUS)) {
            log.log(TlbSync.TIMEOUT_MESSAGE + " (global, at reset)");
        }
        io.gr0Write(Gr0.SCR0, reg);
    }

    /** Linux {@code arm_smmu_device_shutdown}: every stream bypasses again, interrupts off. */
    public void shutdown() {
        io.gr0Write(Gr0.SCR0, (int) Gr0.SCR0_CLIENTPD.mask());
        hw.connect(null);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Linux {@code arm_smmu_probe_device}: the stream IDs must fit, then they get SMRs. */
    @Override
    public void probeDevice(DmaDevice device) throws BackendException {
        if (masters.containsKey(device.name())) {
            return;
        }
        int[] sids = device.descriptor().streamIds();
        for (int sid : sids) {
            if ((sid & ~features.streamIdMask()) != 0) {
                throw new BackendException(String.format("%s: stream ID 0x%x out of range for SMMU (0x%x)", device.name(),
                        sid, features.streamIdMask()));
            }
        }
        int[] idx;
        try {
            idx = streams.allocate(device.name(), sids, 0);
        } catch (IllegalArgumentException e) {
            throw new BackendException(e.getMessage(), e);
        }
        Master m = new Master(device, sids, idx);
        masters.put(device.name(), m);
        for (int sid : sids) {
            bySid.put(sid, m);
        }
    }

    /** Linux {@code arm_smmu_release_device}: detach, then give the stream mappings back. */
    @Override
    public void releaseDevice(DmaDevice device) {
        Master m = masters.get(device.name());
        if (m == null) {
            return;
        }
        SmmuV2Domain d = m.domain;
        if (d != null) {
            d.detachDevice(device);
        }
        masters.remove(device.name());
        streams.free(m.smendx);
        for (int sid : m.sids) {
            bySid.remove(sid, m);
        }
    }

    @Override
    public boolean servesDevice(DmaDevice device) {
        for (int sid : device.descriptor().streamIds()) {
            if ((sid & ~features.streamIdMask()) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A paging domain at the stage Linux picks (stage 1 unless only stage 2 is left), with an
     * LPAE table over the SMMU's page sizes: stage 1 translates {@code va_size} bits into the
     * IPA size, stage 2 the IPA size into the PA size. Null when the table cannot be allocated.
     */
    @Override
    public IommuDomain allocDomain(DomainType type) {
        if (type == DomainType.IDENTITY || type == DomainType.BLOCKED) {
            return new SmmuV2Domain(this, type);
        }
        boolean stage1 = features.stage1();
        int ias = stage1 ? Math.min(features.vaSize(), 48) : features.ipaSize();
        int oas = stage1 ? features.ipaSize() : features.paSize();
        LpaeConfig cfg = LpaeConfig.of(stage1 ? LpaeStage.STAGE1 : LpaeStage.STAGE2, features.pgsizeBitmap(), ias, oas);
        long minPage = Long.lowestOneBit(cfg.pgsizeBitmap());
        DomainHolder holder = new DomainHolder();
        ContextTlbOps ops = new ContextTlbOps(io, sync, holder::syncTimedOut, options.perPageBlockInvalidation(), minPage);
        LpaePageTable table = LpaePageTable.allocate(cfg, memory, allocator, ops);
        if (table == null) {
            return null;
        }
        SmmuV2Domain d = new SmmuV2Domain(this, type, stage1, table, ops);
        holder.domain = d;
        return d;
    }

    /** Routes a sync timeout to the devices of the domain whose sync it was. */
    private final class DomainHolder {
        volatile SmmuV2Domain domain;

        void syncTimedOut(String message) {
            log.log(message);
            SmmuV2Domain d = domain;
            if (d != null) {
                for (DmaDevice dev : d.devices()) {
                    dev.warn(message);
                }
            }
        }
    }

    @Override
    public long pgsizeBitmap() {
        return features.pgsizeBitmap();
    }

    /** Linux {@code arm_smmu_capable}. */
    @Override
    public boolean capable(IommuCapability capability) {
        return switch (capability) {
            case CACHE_COHERENCY -> features.coherentWalk();
            case NOEXEC, DEFERRED_FLUSH -> true;
            default -> false;
        };
    }

    /** Linux {@code MSI_IOVA_BASE} (arm-smmu.h): where the software MSI window starts. */
    public static final long MSI_IOVA_BASE = 0x8000000L;
    /** Linux {@code MSI_IOVA_LENGTH}: 1 MiB. */
    public static final long MSI_IOVA_LENGTH = 0x100000L;

    /**
     * Linux {@code arm_smmu_get_resv_regions} (drivers/iommu/arm/arm-smmu/arm-smmu.c): the
     * software MSI window, {@code IOMMU_RESV_SW_MSI} at {@link #MSI_IOVA_BASE} of
     * {@link #MSI_IOVA_LENGTH}, then {@code iommu_dma_get_resv_regions} (firmware's regions: none
     * on this platform).
     */
    @Override
    public List<IommuResvRegion> resvRegions(DmaDevice device) {
        return List.of(IommuResvRegion.swMsi(MSI_IOVA_BASE, MSI_IOVA_LENGTH));
    }

    @Override
    public TranslationPort translationPort(DmaDevice device) {
        Master m = masters.get(device.name());
        if (m == null) {
            throw new IllegalStateException(device.name() + " was not probed by " + NAME);
        }
        return hw.port(device.name(), m.sids);
    }

    // ---- for domains ---------------------------------------------------------------------------

    Master master(DmaDevice device) {
        return masters.get(device.name());
    }

    StreamMapTable streams() {
        return streams;
    }

    SmmuFeatures features() {
        return features;
    }

    SmmuIo io() {
        return io;
    }

    SmmuV2Model hw() {
        return hw;
    }

    /** Linux {@code __arm_smmu_alloc_bitmap(smmu->context_map, start, num_context_banks)}. */
    synchronized int allocContextBank(int start) {
        int idx = contextMap.nextClearBit(start);
        if (idx >= features.numContextBanks()) {
            return -1;
        }
        contextMap.set(idx);
        return idx;
    }

    synchronized void freeContextBank(int idx) {
        contextMap.clear(idx);
    }

    /**
     * Linux {@code arm_smmu_iova_to_phys_hard}: ATS1PR with the page address, ATSR polled, PAR
     * read; a fault in PAR gives 0. The model completes the operation at once, so the software
     * walk fallback Linux keeps for an ATSR timeout is only reached if ATSR stays active.
     */
    long iovaToPhysHard(int cb, long iova, LpaePageTable table) {
        synchronized (sync) {
            io.cbWriteQ(cb, Cb.ATS1PR, iova & ~0xfffL);
            for (int i = 0; i < 10; i++) {
                if (!Cb.ATSR_ACTIVE.isSet(io.cbRead(cb, Cb.ATSR))) {
                    long par = io.cbReadQ(cb, Cb.PAR);
                    if (Cb.PAR_F.isSet(par)) {
                        return 0;
                    }
                    return (Cb.PAR_PA.get(par) << 12) | (iova & 0xfff);
                }
            }
        }
        log.log(String.format("iova to phys timed out on 0x%x. Falling back to software table walk.", iova));
        return table.iovaToPhys(iova);
    }

    /** The SMMU's own log (messages no client device owns). */
    public List<String> log() {
        return log.lines();
    }

    /** Reads of TLBSTATUS/sTLBGSTATUS the sync loop issued so far. */
    public long syncPolls() {
        return sync.polls();
    }

    public long syncTimeouts() {
        return sync.timeouts();
    }

    @Override
    public String toString() {
        return NAME + " " + features;
    }
}
