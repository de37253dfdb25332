package com.example.vtd.internal.driver;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuCapability;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.SourceId;
import com.example.vtd.internal.model.VtdHardware;
import com.example.vtd.internal.pgtable.VtdSlFormat;

/**
 * The driver half, Linux's {@code intel_iommu_ops} ({@code drivers/iommu/intel/iommu.c}) in
 * shape: {@code probe_device} finds the unit serving the device's segment ({@code device_to_iommu})
 * and brings it up on first use ({@link DmarUnit#init}, {@code init_dmars}); domains are
 * {@link VtdDomain}s with second-level tables; {@code capable} reports cache coherency
 * (ECAP.C) and a flush queue being allowed. It talks to the hardware only through registers and
 * memory: the model is passed in for its units' register files and its ports.
 *
 * <p>Which devices: every one. A stream ID is {@code segment << 16 | bus << 8 | devfn}
 * ({@link SourceId}); each segment has its own unit. Domain types DMA, DMA_FQ and UNMANAGED;
 * IDENTITY (ECAP.PT = 0) and BLOCKED are not offered. Page sizes 4 KiB, 2 MiB, 1 GiB
 * (CAP.SLLPS); domains as wide as MGAW (48 bits, 4 levels, by default). Thread-safe.
 */
public final class VtdIommuDriver implements IommuDriver {
    /** The driver's, and so the backend's, name. */
    public static final String NAME = "vtd-iommu";
    /** Linux {@code pgsize_bitmap} for second-level tables with SLLPS 2M and 1G. */
    public static final long PGSIZE_BITMAP = VtdSlFormat.PGSIZES;

    private final VtdHardware hw;
    private final Seed seed;
    private final VtdSlFormat format;
    private final Map<Integer, DmarUnit> units = new ConcurrentHashMap<>();
    private final Map<DmaDevice, TranslationPort> probed = new IdentityHashMap<>();
    private final Map<Integer, DmaDevice> byStream = new ConcurrentHashMap<>();
    private PhysicalMemory memory;
    private PageAllocator allocator;

    /** A driver for {@code hw}, with the hardware's seed (a driver-side seed acts here). */
    public VtdIommuDriver(VtdHardware hw) {
        if (hw == null) {
            throw new IllegalArgumentException("the driver needs its hardware");
        }
        this.hw = hw;
        this.seed = hw.seed();
        this.format = new VtdSlFormat(seed);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized void probeDevice(DmaDevice device) throws BackendException {
        if (probed.containsKey(device)) {
            return;
        }
        if (memory == null) {
            memory = device.memory();
            allocator = device.allocator();
            hw.connect(memory);
        } else if (device.memory() != memory) {
            throw new BackendException(NAME + ": device " + device.name() + " lives in another physical memory");
        }
        for (int sid : device.descriptor().streamIds()) {
            DmaDevice other = byStream.get(sid);
            if (other != null && other != device) {
                throw new BackendException(String.format("%s: stream 0x%x (%04x:%s) of %s is %s's", NAME, sid,
                        SourceId.segment(sid), SourceId.bdf(SourceId.sourceId(sid)), device.name(), other.name()));
            }
        }
        for (int sid : device.descriptor().streamIds()) {
            unitOrInit(SourceId.segment(sid));
        }
        for (int sid : device.descriptor().streamIds()) {
            byStream.put(sid, device);
        }
        probed.put(device, hw.port(device));
    }

    private DmarUnit unitOrInit(int segment) throws BackendException {
        DmarUnit u = units.get(segment);
        if (u == null) {
            u = new DmarUnit(NAME, hw.unit(segment), memory, allocator, byStream::get, seed);
            u.init();
            units.put(segment, u);
        }
        return u;
    }

    @Override
    public synchronized void releaseDevice(DmaDevice device) {
        if (probed.remove(device) != null) {
            for (int sid : device.descriptor().streamIds()) {
                byStream.remove(sid, device);
            }
        }
    }

    /** Every stream ID names a requester on some segment's unit: every device is served. */
    @Override
    public boolean servesDevice(DmaDevice device) {
        for (int sid : device.descriptor().streamIds()) {
            if (sid < 0) {
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
        return VtdDomain.create(this, type, format, hw.maxGuestAddressWidth(), hw.hostAddressWidth(), memory, allocator, seed);
    }

    @Override
    public long pgsizeBitmap() {
        return PGSIZE_BITMAP;
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

    synchronized boolean isProbed(DmaDevice device) {
        return probed.containsKey(device);
    }

    /** The unit serving {@code streamId}; it was brought up when a device with it was probed. */
    DmarUnit unitFor(int streamId) {
        DmarUnit u = units.get(SourceId.segment(streamId));
        if (u == null) {
            throw new IllegalStateException(NAME + ": no unit was set up for stream 0x" + Integer.toHexString(streamId));
        }
        return u;
    }

    /**
     * The driver goes (its component deactivates, after every device was released): each unit
     * is turned off and its root table, context tables and queue memory are returned.
     */
    public synchronized void shutdown() {
        for (DmarUnit u : units.values()) {
            u.shutdown();
        }
        units.clear();
    }

    // ---- inspection (tests) --------------------------------------------------------------------

    public VtdHardware hardware() {
        return hw;
    }

    /** The fault messages the units' handlers printed, oldest first per unit. */
    public List<String> faultMessages() {
        List<String> all = new ArrayList<>();
        for (DmarUnit u : units.values()) {
            all.addAll(u.faultHandler().messages());
        }
        return all;
    }
}
