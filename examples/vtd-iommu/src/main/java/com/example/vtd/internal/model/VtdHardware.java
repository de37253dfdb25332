package com.example.vtd.internal.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.PhysicalMemory;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.SourceId;

/**
 * The platform's VT-d hardware: one {@link VtdUnit} per PCI segment, as an ACPI DMAR table with
 * one {@code INCLUDE_PCI_ALL} DRHD per segment describes it, so every stream ID (segment, bus,
 * devfn: {@link SourceId}) is behind exactly one unit. Units come into being when the driver
 * first asks for one (firmware would list them all; the model makes only the ones used). All
 * read the one physical memory the hardware is connected to.
 *
 * <p>Thread-safe.
 */
public final class VtdHardware {
    private final String name;
    private final int haw;
    private final int mgaw;
    private final int nd;
    private final int iotlbEntries;
    private final int faultRecords;
    private final int mamv;
    private final Seed seed;
    private final Map<Integer, VtdUnit> units = new ConcurrentHashMap<>();
    private volatile PhysicalMemory memory;

    /**
     * @param name the name faults carry (the backend's)
     * @param haw host address width: tables and pages lie below 2^haw (39..52)
     * @param mgaw maximum guest address width (CAP.MGAW + 1), 39 or 48
     * @param nd CAP.ND: 2^(4+2*nd) domain IDs, 0..6
     * @param iotlbEntries IOTLB capacity of each unit
     * @param faultRecords fault recording registers of each unit (CAP.NFR + 1), 1..256
     * @param mamv CAP.MAMV: the largest page-selective invalidation is 2^mamv pages
     * @param seed the seeded model fault, or {@link Seed#NONE}
     * @throws IllegalArgumentException naming the first bad parameter
     */
    public VtdHardware(String name, int haw, int mgaw, int nd, int iotlbEntries, int faultRecords, int mamv,
            Seed seed) {
        if (haw < 39 || haw > 52) {
            throw new IllegalArgumentException("VT-d host address width must be 39..52, got " + haw);
        }
        if (mgaw != 39 && mgaw != 48) {
            throw new IllegalArgumentException("VT-d MGAW must be 39 or 48 (3- or 4-level tables), got " + mgaw);
        }
        if (nd < 0 || nd > 6) {
            throw new IllegalArgumentException("CAP.ND must be 0..6, got " + nd);
        }
        if (iotlbEntries < 1) {
            throw new IllegalArgumentException("the IOTLB needs at least one entry, got " + iotlbEntries);
        }
        if (faultRecords < 1 || faultRecords > 256) {
            throw new IllegalArgumentException("fault recording registers must be 1..256, got " + faultRecords);
        }
        if (mamv < 0 || mamv > 63) {
            throw new IllegalArgumentException("CAP.MAMV must be 0..63, got " + mamv);
        }
        this.name = name;
        this.haw = haw;
        this.mgaw = mgaw;
        this.nd = nd;
        this.iotlbEntries = iotlbEntries;
        this.faultRecords = faultRecords;
        this.mamv = mamv;
        this.seed = seed == null ? Seed.NONE : seed;
    }

    /** Connects the hardware to the memory it reads tables from and writes status to; once. */
    public synchronized void connect(PhysicalMemory mem) {
        if (mem == null) {
            throw new IllegalArgumentException("memory must not be null");
        }
        if (memory != null && memory != mem) {
            throw new IllegalStateException(name + " is already connected to another physical memory");
        }
        memory = mem;
    }

    public String name() {
        return name;
    }

    public int hostAddressWidth() {
        return haw;
    }

    /** MGAW: the widest input address a domain may use. */
    public int maxGuestAddressWidth() {
        return mgaw;
    }

    public Seed seed() {
        return seed;
    }

    /** The unit serving PCI segment {@code segment}. */
    public VtdUnit unit(int segment) {
        PhysicalMemory mem = memory;
        if (mem == null) {
            throw new IllegalStateException(name + " is not connected to memory yet");
        }
        return units.computeIfAbsent(segment,
                s -> new VtdUnit(name, s, mem, haw, mgaw, nd, iotlbEntries, faultRecords, mamv, seed));
    }

    /** The unit serving stream {@code streamId}. */
    public VtdUnit unitFor(int streamId) {
        return unit(SourceId.segment(streamId));
    }

    /** The port through which {@code dev}'s requests reach the hardware. */
    public TranslationPort port(DmaDevice dev) {
        return new Port(dev);
    }

    /** One device's wire into the remapping hardware. */
    private final class Port implements TranslationPort {
        private final DmaDevice device;

        Port(DmaDevice device) {
            this.device = device;
        }

        @Override
        public long translate(int streamId, long busAddr, AccessType access) {
            return unitFor(streamId).translate(device, streamId, busAddr, access);
        }

        @Override
        public int pageShift() {
            return 12;
        }
    }
}
