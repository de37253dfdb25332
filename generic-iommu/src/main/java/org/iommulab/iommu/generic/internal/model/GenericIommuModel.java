package org.iommulab.iommu.generic.internal.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iommu.generic.internal.format.GenericIommuRegs;
import org.iommulab.iopgtable.DescriptorReader;
import org.iommulab.iopgtable.lpae.LpaeFault;
import org.iommulab.iopgtable.lpae.LpaeFormat;
import org.iommulab.iopgtable.lpae.LpaeWalkResult;
import org.iommulab.iopgtable.lpae.LpaeWalker;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.modelkit.regs.RegisterBlock;

/**
 * The hardware half of the generic IOMMU: registers ({@link GenericIommuRegs}), a device table
 * in simulated memory decoded per stream ({@link DeviceTableDecoder}) and cached until
 * invalidated, a domain-tagged IOTLB ({@link DomainTlb}, on the model kit's), the LPAE walker, and a bounded fault log. It
 * knows the driver only through what the driver writes to its registers and to memory.
 *
 * <p>Every device access goes through {@link #translate}: stream lookup, IOTLB, walk on a
 * miss (the leaf then cached), permission check. A denied access is recorded in the fault log,
 * reported once to the device ({@link DmaDevice#reportFault}) and thrown as
 * {@link DmaFaultException}. Syndrome fields: {@code SID}, {@code DID}, {@code LEVEL}
 * (-1 when none), {@code WNR}, and {@code FETCH_ADDR} for walk aborts. Thread-safe: one lock,
 * as a single translation unit serialises its table walks.
 */
public final class GenericIommuModel {
    private final String name;
    private final int iasBits;
    private final int oasBits;
    private final int sidBits;
    private final boolean privilegedAccesses;
    private final int faultLogSize;
    private final DomainTlb iotlb;
    private final ArrayDeque<DmaFault> faultLog = new ArrayDeque<>();
    private final LpaeWalkResult walk = new LpaeWalkResult();
    private final Map<Integer, long[]> domainCounters = new HashMap<>();
    private final StreamEntry[] streams;

    private PhysicalMemory memory;
    private LpaeWalker walker;

    private long ctrl;
    private long dtBase;
    private long dtLog2Size;
    private long cmdAddr;
    private long cmdSize;
    private long status;
    private long faultCount;

    /**
     * @param name the name faults carry (the backend's)
     * @param iasBits input address bits the hardware walks (IDR), 32 to 48
     * @param oasBits output address bits (IDR), an encodable size up to 48
     * @param sidBits stream ID bits: the largest device table has 2^sidBits entries, 1 to 16
     * @param iotlbEntries IOTLB capacity
     * @param faultLogSize faults kept in the log
     * @param privilegedAccesses whether device accesses are privileged (stage-1 AP[1] ignored)
     * @throws IllegalArgumentException naming the first bad parameter
     */
    public GenericIommuModel(String name, int iasBits, int oasBits, int sidBits, int iotlbEntries, int faultLogSize,
            boolean privilegedAccesses) {
        if (iasBits < 32 || iasBits > 48) {
            throw new IllegalArgumentException("generic IOMMU input address bits must be 32..48, got " + iasBits);
        }
        if (oasBits > 48 || !LpaeFormat.isEncodableAddressSize(oasBits)) {
            throw new IllegalArgumentException("generic IOMMU output address bits must be 32, 36, 40, 42, 44 or 48, got "
                    + oasBits);
        }
        if (sidBits < 1 || sidBits > 16) {
            throw new IllegalArgumentException("generic IOMMU stream ID bits must be 1..16, got " + sidBits);
        }
        if (faultLogSize < 1) {
            throw new IllegalArgumentException("fault log needs at least one entry, got " + faultLogSize);
        }
        this.name = name;
        this.iasBits = iasBits;
        this.oasBits = oasBits;
        this.sidBits = sidBits;
        this.privilegedAccesses = privilegedAccesses;
        this.faultLogSize = faultLogSize;
        this.iotlb = new DomainTlb(iotlbEntries);
        this.streams = new StreamEntry[1 << sidBits];
    }

    /** Connects the IOMMU to the memory it reads tables from (its bus); once. */
    public synchronized void connect(PhysicalMemory mem) {
        if (mem == null) {
            throw new IllegalArgumentException("memory must not be null");
        }
        if (memory != null && memory != mem) {
            throw new IllegalStateException("the generic IOMMU is already connected to another physical memory");
        }
        memory = mem;
        walker = new LpaeWalker(DescriptorReader.of(mem));
    }

    public String name() {
        return name;
    }

    // ---- registers -------------------------------------------------------------------------------

    public synchronized long readReg(int offset) {
        Register r = register(offset);
        if (r == GenericIommuRegs.IDR) {
            return GenericIommuRegs.idr(iasBits, oasBits, sidBits);
        } else if (r == GenericIommuRegs.CTRL) {
            return ctrl;
        } else if (r == GenericIommuRegs.DT_BASE) {
            return dtBase;
        } else if (r == GenericIommuRegs.DT_LOG2SIZE) {
            return dtLog2Size;
        } else if (r == GenericIommuRegs.CMD_ADDR) {
            return cmdAddr;
        } else if (r == GenericIommuRegs.CMD_SIZE) {
            return cmdSize;
        } else if (r == GenericIommuRegs.STATUS) {
            return status;
        } else if (r == GenericIommuRegs.FAULT_COUNT) {
            return faultCount;
        }
        throw new IllegalArgumentException("generic IOMMU register " + r + " at 0x" + Integer.toHexString(offset)
                + " is write-only");
    }

    public synchronized void writeReg(int offset, long value) {
        Register r = register(offset);
        if (r == GenericIommuRegs.CTRL) {
            ctrl = r.write(ctrl, value);
        } else if (r == GenericIommuRegs.DT_BASE) {
            dtBase = r.write(dtBase, value);
            Arrays.fill(streams, null);
        } else if (r == GenericIommuRegs.DT_LOG2SIZE) {
            dtLog2Size = Math.min(r.write(dtLog2Size, value), sidBits);
            Arrays.fill(streams, null);
        } else if (r == GenericIommuRegs.CMD_ADDR) {
            cmdAddr = r.write(cmdAddr, value);
        } else if (r == GenericIommuRegs.CMD_SIZE) {
            cmdSize = r.write(cmdSize, value);
        } else if (r == GenericIommuRegs.CMD) {
            execute(value);
        } else if (r == GenericIommuRegs.STATUS) {
            status = r.write(status, value); // write one to clear
        }
        // IDR and FAULT_COUNT are read-only: writes are ignored, as hardware does.
    }

    /** The 64-bit register at {@code offset}; there are no 32-bit accesses. */
    private static Register register(int offset) {
        RegisterBlock.Slot s = GenericIommuRegs.BLOCK.lookup(offset);
        if (s == null || s.high()) {
            throw new IllegalArgumentException("generic IOMMU has no register at 0x" + Integer.toHexString(offset));
        }
        return s.register();
    }

    private void execute(long cmd) {
        int did = GenericIommuRegs.cmdDid(cmd);
        switch (GenericIommuRegs.cmdOp(cmd)) {
            case GenericIommuRegs.OP_INV_ALL:
                iotlb.invalidateAll();
                Arrays.fill(streams, null);
                break;
            case GenericIommuRegs.OP_INV_DOMAIN:
                iotlb.invalidateDomain(did);
                break;
            case GenericIommuRegs.OP_INV_RANGE:
                if (cmdSize > 0) {
                    iotlb.invalidateRange(did, cmdAddr, cmdSize);
                }
                break;
            case GenericIommuRegs.OP_INV_DTE: {
                int sid = GenericIommuRegs.cmdSid(cmd);
                if (sid >= 0 && sid < streams.length) {
                    streams[sid] = null;
                }
                break;
            }
            case GenericIommuRegs.OP_SYNC:
                break; // every command has completed already
            default:
                status |= GenericIommuRegs.STATUS_CMD_ERR.mask();
        }
    }

    // ---- translation -----------------------------------------------------------------------------

    /**
     * One access by stream {@code sid} of {@code dev} at bus address {@code addr}.
     *
     * @return the physical address
     * @throws DmaFaultException when denied, after logging and reporting the fault
     */
    public synchronized long translate(DmaDevice dev, int sid, long addr, AccessType access) {
        if (!GenericIommuRegs.CTRL_EN.isSet(ctrl) || memory == null) {
            throw fault(dev, sid, -1, addr, access, FaultKind.STREAM_DISABLED, FaultOrigin.ACCESS, -1,
                    "IOMMU disabled (CTRL.EN is 0)", 0);
        }
        StreamEntry s = stream(sid);
        if (!s.decoded.isValid()) {
            DecodedStream d = s.decoded;
            if (sid >= 0 && sid < streams.length) {
                streams[sid] = null; // only valid entries stay cached
            }
            throw fault(dev, sid, -1, addr, access, d.errorKind, d.errorOrigin, -1, d.errorDetail, 0);
        }
        int did = s.decoded.did;
        int slot = iotlb.lookup(did, addr);
        if (slot >= 0) {
            s.counters[0]++;
            if (!iotlb.allows(slot, access)) {
                throw fault(dev, sid, did, addr, access, FaultKind.PERMISSION, FaultOrigin.ACCESS, iotlb.level(slot),
                        "F_PERMISSION (IOTLB entry)", 0);
            }
            return iotlb.translate(slot, addr);
        }
        s.counters[1]++;
        if (!walker.walk(s.decoded.config, addr, access, privilegedAccesses, walk)) {
            LpaeFault f = walk.fault();
            FaultOrigin origin = f == LpaeFault.WALK_EABT || f == LpaeFault.ADDRESS_SIZE ? FaultOrigin.MISPROGRAMMED
                    : FaultOrigin.ACCESS;
            throw fault(dev, sid, did, addr, access, f.kind(), origin, walk.level(), "F_" + f + " at level " + walk.level(),
                    f == LpaeFault.WALK_EABT ? walk.descriptorAddress() : 0);
        }
        iotlb.insert(did, addr, walk.blockShift(), walk.blockOutput(), walk.readable(), walk.writable(), walk.level());
        return walk.outputAddress();
    }

    /**
     * A run of 4 KiB blocks from {@code addr} ({@code TranslationPort.translateRun}) under one
     * hold of the lock: block 0 through {@link #translate}, which walks, fills or faults as for
     * any access; then each following block on an IOTLB hit that permits the access, counted as
     * a hit as {@link #translate} counts it. The run stops before the first block that misses or
     * would be denied, having looked at it without side effects ({@link DomainTlb#find}), so that
     * block then goes through {@link #translate} and walks or faults exactly as it would have
     * block by block. What the run spares is the lock and the stream lookup per block, as
     * smmu-v3's {@code Translator.translateRun} does.
     *
     * @return the blocks translated into {@code frames}, 1 to {@code count}
     */
    public synchronized int translateRun(DmaDevice dev, int sid, long addr, AccessType access, long[] frames,
            int count) {
        frames[0] = translate(dev, sid, addr, access);
        if (count == 1) {
            return 1;
        }
        // Block 0 was translated, so the stream is enabled, valid and cached: no decode here.
        StreamEntry s = stream(sid);
        int did = s.decoded.did;
        long block = addr & -(1L << GenericTranslationPort.PAGE_SHIFT);
        int i = 1;
        for (; i < count; i++) {
            long a = block + ((long) i << GenericTranslationPort.PAGE_SHIFT);
            int slot = iotlb.find(did, a);
            if (slot < 0 || !iotlb.allows(slot, access)) {
                break;
            }
            iotlb.hit(slot);
            frames[i] = iotlb.translate(slot, a);
        }
        s.counters[0] += i - 1;
        return i;
    }

    private StreamEntry stream(int sid) {
        StreamEntry s = sid >= 0 && sid < streams.length ? streams[sid] : null;
        if (s != null) {
            return s;
        }
        DecodedStream d = DeviceTableDecoder.decode(memory, dtBase, (int) dtLog2Size, sid, iasBits, oasBits);
        long[] counters = d.isValid() ? domainCounters.computeIfAbsent(d.did, k -> new long[2]) : new long[2];
        s = new StreamEntry(d, counters);
        if (d.isValid()) {
            streams[sid] = s;
        }
        return s;
    }

    private DmaFaultException fault(DmaDevice dev, int sid, int did, long addr, AccessType access, FaultKind kind,
            FaultOrigin origin, int level, String detail, long fetchAddr) {
        DmaFault.Builder b = DmaFault.builder(kind).device(dev.name(), sid).address(addr, access).origin(origin)
                .level(level).backend(name).detail(detail)
                .syndrome("SID", sid).syndrome("DID", did).syndrome("LEVEL", level)
                .syndrome("WNR", access == AccessType.WRITE ? 1 : 0);
        if (fetchAddr != 0) {
            b.syndrome("FETCH_ADDR", fetchAddr);
        }
        DmaFault f = b.build();
        faultCount++;
        if (faultLog.size() == faultLogSize) {
            faultLog.removeFirst();
        }
        faultLog.addLast(f);
        dev.reportFault(f);
        return new DmaFaultException(f);
    }

    // ---- inspection ------------------------------------------------------------------------------

    /** IOTLB hits of domain {@code did} since it was first used. */
    public synchronized long hits(int did) {
        long[] c = domainCounters.get(did);
        return c == null ? 0 : c[0];
    }

    /** IOTLB misses (table walks) of domain {@code did}. */
    public synchronized long misses(int did) {
        long[] c = domainCounters.get(did);
        return c == null ? 0 : c[1];
    }

    /** Forgets a domain ID's counters (the driver freed the domain). */
    public synchronized void forgetDomain(int did) {
        domainCounters.remove(did);
    }

    /** The most recent faults, oldest first. */
    public synchronized List<DmaFault> faultLog() {
        return new ArrayList<>(faultLog);
    }

    /** Entries in the IOTLB now. */
    public synchronized int iotlbSize() {
        return iotlb.size();
    }

    /** The port through which {@code dev}'s accesses reach this IOMMU. */
    public TranslationPort port(DmaDevice dev) {
        return new GenericTranslationPort(this, dev);
    }

    /** A stream's cached decode and its domain's counters (hits, misses). */
    private static final class StreamEntry {
        final DecodedStream decoded;
        final long[] counters;

        StreamEntry(DecodedStream decoded, long[] counters) {
            this.decoded = decoded;
            this.counters = counters;
        }
    }
}
