package com.example.vtd.internal.model;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iopgtable.DescriptorReader;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.modelkit.regs.RegisterBlock;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.FaultRecord;
import com.example.vtd.internal.format.InvDesc;
import com.example.vtd.internal.format.SourceId;
import com.example.vtd.internal.format.VtdRegs;

/**
 * One DMA-remapping hardware unit (a DRHD), serving one PCI segment: its registers
 * ({@link VtdRegs}), the root and context tables it reads from memory (decoded by
 * {@link ContextDecoder}, valid ones kept in a context cache), the second-level walk
 * ({@link SlWalker}), a DID-tagged IOTLB ({@link VtdIotlb}), the fault recording registers
 * ({@link FaultRecorder}) and the invalidation queue ({@link InvalidationQueue}). It knows the
 * driver only through register writes and memory.
 *
 * <p>Every device access goes through {@link #translate}: translation disabled (GSTS.TES = 0)
 * lets the request through untranslated, as the spec says; otherwise context lookup, input width
 * check (fault reason 4h), IOTLB, walk on a miss (the leaf then cached), permission. A denied
 * access is recorded in a fault recording register (unless FPD, overflow or collapse prevents
 * it), reported once to the device with the record's fields as syndrome ({@code FR},
 * {@code SID}, {@code T}, {@code FI}, {@code FRI}, {@code RECORDED}, and {@code DID},
 * {@code FETCH_ADDR} where known), and thrown as {@link DmaFaultException}. The fault event
 * reaches the interrupt listener after the unit's lock is released.
 *
 * <p>Registers are read and written whole, each at its declared width. Thread-safe: one lock,
 * as one unit serialises its walks and its queue.
 */
public final class VtdUnit {
    /** The fault-event interrupt line, Linux's {@code dmar_fault} at the other end. */
    @FunctionalInterface
    public interface Irq {
        void fire();
    }

    private final Object lock = new Object();
    private final String name;
    private final int segment;
    private final int haw;
    private final long cap;
    private final long ecap;
    private final Seed seed;
    private final RegisterBlock regs;
    private final PhysicalMemory mem;
    private final SlWalker walker;
    private final SlWalkResult walk = new SlWalkResult();
    private final VtdIotlb iotlb;
    private final FaultRecorder faults;
    private final InvalidationQueue queue;
    private final DecodedContext[][] contexts = new DecodedContext[256][];
    /** Per domain ID: IOTLB hits and misses, {hits, misses}; DIDs beyond CAP.ND are not counted. */
    private final long[][] domainCounters;
    private static final long[] UNCOUNTED = new long[2];
    private volatile Irq irq;

    private boolean tes;
    private boolean rtps;
    private long rtaddr;
    private long rta;
    private int ttm;

    VtdUnit(String name, int segment, PhysicalMemory mem, int haw, int mgaw, int nd, int iotlbEntries,
            int faultRecords, int mamv, Seed seed) {
        this.name = name;
        this.segment = segment;
        this.mem = mem;
        this.haw = haw;
        this.seed = seed;
        this.cap = VtdRegs.cap(nd, mgaw, faultRecords, mamv);
        this.ecap = VtdRegs.ecap();
        this.regs = VtdRegs.block(faultRecords);
        this.walker = new SlWalker(DescriptorReader.of(mem), haw, seed);
        this.iotlb = new VtdIotlb(iotlbEntries);
        this.faults = new FaultRecorder(faultRecords);
        this.queue = new InvalidationQueue(mamv, seed);
        this.domainCounters = new long[VtdRegs.ndoms(cap)][];
    }

    public int segment() {
        return segment;
    }

    /** Connects the fault-event interrupt (FECTL.IM still decides whether it fires). */
    public void connectIrq(Irq handler) {
        irq = handler;
    }

    // ---- registers -----------------------------------------------------------------------------

    public long readReg(int offset) {
        synchronized (lock) {
            Register r = register(offset);
            if (r == VtdRegs.VER) {
                return VtdRegs.VERSION;
            } else if (r == VtdRegs.CAP) {
                return cap;
            } else if (r == VtdRegs.ECAP) {
                return ecap;
            } else if (r == VtdRegs.GCMD) {
                return 0; // write-only
            } else if (r == VtdRegs.GSTS) {
                return (tes ? VtdRegs.GSTS_TES.mask() : 0) | (rtps ? VtdRegs.GSTS_RTPS.mask() : 0)
                        | (queue.enabled() ? VtdRegs.GSTS_QIES.mask() : 0);
            } else if (r == VtdRegs.RTADDR) {
                return rtaddr;
            } else if (r == VtdRegs.FSTS) {
                return faults.fsts();
            } else if (r == VtdRegs.FECTL) {
                return faults.fectl();
            } else if (r == VtdRegs.IQH) {
                return queue.iqh();
            } else if (r == VtdRegs.IQT) {
                return queue.iqt();
            } else if (r == VtdRegs.IQA) {
                return queue.iqa();
            } else if (r == VtdRegs.ICS) {
                return queue.iwc() ? VtdRegs.ICS_IWC.mask() : 0;
            }
            int n = (offset - VtdRegs.FRCD_OFFSET) / 16;
            return offset == VtdRegs.frcdLo(n) ? faults.readLo(n) : faults.readHi(n);
        }
    }

    public void writeReg(int offset, long value) {
        boolean fire;
        synchronized (lock) {
            Register r = register(offset);
            if (r == VtdRegs.GCMD) {
                writeGcmd(value);
            } else if (r == VtdRegs.RTADDR) {
                rtaddr = r.write(rtaddr, value);
            } else if (r == VtdRegs.FSTS) {
                boolean hadIqe = faults.iqe();
                faults.writeFsts(value);
                if (hadIqe && !faults.iqe()) {
                    processQueue(); // software cleared IQE: fetching resumes at IQH
                }
            } else if (r == VtdRegs.FECTL) {
                faults.writeFectl(value);
            } else if (r == VtdRegs.IQT) {
                queue.iqt(value);
                processQueue();
            } else if (r == VtdRegs.IQA) {
                queue.iqa(value);
            } else if (r == VtdRegs.ICS) {
                if (VtdRegs.ICS_IWC.isSet(value)) {
                    queue.clearIwc();
                }
            } else if (offset >= VtdRegs.FRCD_OFFSET && offset == VtdRegs.frcdHi((offset - VtdRegs.FRCD_OFFSET) / 16)) {
                faults.writeHi((offset - VtdRegs.FRCD_OFFSET) / 16, value);
            }
            // VER, CAP, ECAP, GSTS, IQH, FRCD low halves are read-only: writes are ignored.
            fire = faults.takeEvent();
        }
        if (fire) {
            fireIrq();
        }
    }

    /**
     * GCMD (§10.4.4): TE and QIE as written (software writes its whole shadow, Linux's
     * {@code iommu->gcmd}); SRTP latches RTADDR as the root table and sets RTPS. Every command
     * completes at once, so the status is there when the driver reads it.
     */
    private void writeGcmd(long value) {
        tes = VtdRegs.GCMD_TE.isSet(value);
        if (VtdRegs.GCMD_SRTP.isSet(value)) {
            rta = VtdRegs.RTADDR_RTA.bits(rtaddr);
            ttm = VtdRegs.RTADDR_TTM.getInt(rtaddr);
            rtps = true;
        }
        if (VtdRegs.GCMD_QIE.isSet(value)) {
            queue.enable();
        } else {
            queue.disable();
        }
    }

    private Register register(int offset) {
        RegisterBlock.Slot s = regs.lookup(offset);
        if (s == null || s.high()) {
            throw new IllegalArgumentException(name + ": " + regs.missing(offset)
                    + " (registers are accessed whole, at their declared width)");
        }
        return s.register();
    }

    // ---- the invalidation queue ----------------------------------------------------------------

    private void processQueue() {
        if (!queue.enabled() || faults.iqe()) {
            return;
        }
        if (!queue.process(mem, caches)) {
            faults.invalidationQueueError();
        }
    }

    /** Why the queue last stopped with IQE (tests, driver messages). */
    public String lastQueueError() {
        synchronized (lock) {
            return queue.lastError();
        }
    }

    private final InvalidationQueue.Caches caches = new InvalidationQueue.Caches() {
        @Override
        public void invalidateContexts(int granularity, int did, int sourceId, int fm) {
            switch (granularity) {
                case InvDesc.G_GLOBAL:
                    java.util.Arrays.fill(contexts, null);
                    break;
                case InvDesc.G_DOMAIN:
                    for (DecodedContext[] bus : contexts) {
                        for (int i = 0; bus != null && i < bus.length; i++) {
                            if (bus[i] != null && bus[i].did() == did) {
                                bus[i] = null;
                            }
                        }
                    }
                    break;
                default: {
                    // Device-selective; FM masks 0, 1, 2 or 3 low bits of the function number.
                    int mask = ((1 << fm) - 1) << (3 - fm);
                    DecodedContext[] bus = contexts[SourceId.bus(sourceId)];
                    for (int i = 0; bus != null && i < bus.length; i++) {
                        if ((i & ~mask) == (SourceId.devfn(sourceId) & ~mask)) {
                            bus[i] = null;
                        }
                    }
                }
            }
        }

        @Override
        public void invalidateIotlb(int granularity, int did, long addr, int am, boolean ih) {
            switch (granularity) {
                case InvDesc.G_GLOBAL:
                    iotlb.invalidateAll();
                    break;
                case InvDesc.G_DOMAIN:
                    iotlb.invalidateDomain(did);
                    break;
                default:
                    iotlb.invalidatePages(did, addr, am);
            }
        }
    };

    // ---- translation ---------------------------------------------------------------------------

    /**
     * One request by stream {@code sid} of {@code dev} at {@code addr}.
     *
     * @return the physical address
     * @throws DmaFaultException when denied, after recording and reporting the fault
     */
    public long translate(DmaDevice dev, int sid, long addr, AccessType access) {
        DmaFault fault;
        boolean fire;
        synchronized (lock) {
            try {
                return translateLocked(dev, sid, addr, access == AccessType.WRITE);
            } catch (VtdFault f) {
                fault = raise(dev, sid, addr, access, f);
            } finally {
                fire = faults.takeEvent();
            }
        }
        if (fire) {
            fireIrq();
        }
        dev.reportFault(fault);
        throw new DmaFaultException(fault);
    }

    private long translateLocked(DmaDevice dev, int sid, long addr, boolean write) {
        if (!tes) {
            return addr; // DMA remapping disabled: requests pass untranslated
        }
        int src = SourceId.sourceId(sid);
        DecodedContext ctx = context(src);
        if (addr < 0 || (addr >>> ctx.addressBits()) != 0) {
            throw VtdFault.translation(FaultRecord.ADDR_BEYOND_MGAW, FaultKind.ADDRESS_SIZE, FaultOrigin.ACCESS, ctx,
                    -1, 0, String.format("input address 0x%x is above the %d-bit AGAW of AW %d", addr,
                            ctx.addressBits(), ctx.aw()));
        }
        // Seeded (SID_TAG): entries carry the requester, not the domain the spec says to tag them with.
        int tag = seed == Seed.SID_TAG ? src : ctx.did();
        long[] counters = counters(ctx.did());
        int slot = iotlb.lookup(tag, addr);
        if (slot >= 0) {
            counters[0]++;
            if (!iotlb.allows(slot, write)) {
                if (seed == Seed.FAULT_LOST) {
                    // Seeded: the hit path aborts the request with no record and no report.
                    throw new DmaFaultException(DmaFault.builder(FaultKind.PERMISSION).device(dev.name(), sid)
                            .address(addr, write ? AccessType.WRITE : AccessType.READ).backend(name)
                            .detail("aborted on an IOTLB hit").build());
                }
                throw VtdFault.translation(write ? FaultRecord.WRITE : FaultRecord.READ, FaultKind.PERMISSION,
                        FaultOrigin.ACCESS, ctx, iotlb.level(slot), 0,
                        "the IOTLB entry lacks " + (write ? "W" : "R"));
            }
            return iotlb.translate(slot, addr);
        }
        counters[1]++;
        walker.walk(ctx, addr, write, walk);
        iotlb.fill(tag, addr, walk.shift(), walk.block(), walk.read(), walk.write(), walk.level());
        return walk.translate(addr);
    }

    private long[] counters(int did) {
        if (did >= domainCounters.length) {
            return UNCOUNTED;
        }
        long[] c = domainCounters[did];
        if (c == null) {
            c = domainCounters[did] = new long[2];
        }
        return c;
    }

    /** The requester's context: from the context cache, or decoded (and cached when valid). */
    private DecodedContext context(int src) {
        DecodedContext[] bus = contexts[SourceId.bus(src)];
        DecodedContext c = bus == null ? null : bus[SourceId.devfn(src)];
        if (c != null) {
            return c;
        }
        c = ContextDecoder.decode(mem, rta, ttm, src, VtdRegs.CAP_SAGAW.getInt(cap), haw);
        if (bus == null) {
            bus = contexts[SourceId.bus(src)] = new DecodedContext[256];
        }
        bus[SourceId.devfn(src)] = c;
        return c;
    }

    /** Records the fault (unless suppressed or lost) and describes it for the platform. */
    private DmaFault raise(DmaDevice dev, int sid, long addr, AccessType access, VtdFault f) {
        int src = SourceId.sourceId(sid);
        boolean read = access == AccessType.READ;
        DmaFault.Builder b = DmaFault.builder(f.kind()).device(dev.name(), sid).address(addr, access)
                .origin(f.origin()).level(f.level()).backend(name)
                .syndrome("FR", f.reason()).syndrome("SID", src).syndrome("T", read ? 1 : 0)
                .syndrome("FI", FaultRecord.lo(addr));
        if (f.did() >= 0) {
            b.syndrome("DID", f.did());
        }
        if (f.addr2() != 0) {
            b.syndrome("FETCH_ADDR", f.addr2());
        }
        String detail = f.reasonText() + ": " + f.detail();
        int fri = -1;
        if (!f.recordable()) {
            detail += "; not recorded: the context entry's FPD is set";
        } else {
            fri = faults.record(src, addr, f.reason(), read);
            if (fri < 0) {
                detail += "; not recorded: " + faults.lastLoss();
            }
        }
        b.syndrome("FRI", fri).syndrome("RECORDED", fri >= 0 ? 1 : 0);
        return b.detail(detail).build();
    }

    private void fireIrq() {
        Irq h = irq;
        if (h != null) {
            h.fire();
        }
    }

    // ---- inspection (tests, the driver's counters) ---------------------------------------------

    /** IOTLB hits of domain {@code did} on this unit. */
    public long hits(int did) {
        synchronized (lock) {
            long[] c = did >= 0 && did < domainCounters.length ? domainCounters[did] : null;
            return c == null ? 0 : c[0];
        }
    }

    /** IOTLB misses (walks) of domain {@code did} on this unit. */
    public long misses(int did) {
        synchronized (lock) {
            long[] c = did >= 0 && did < domainCounters.length ? domainCounters[did] : null;
            return c == null ? 0 : c[1];
        }
    }

    /** Forgets a domain ID's counters (the driver released the ID). */
    public void forgetDomain(int did) {
        synchronized (lock) {
            if (did >= 0 && did < domainCounters.length) {
                domainCounters[did] = null;
            }
        }
    }

    /** Entries in the IOTLB now. */
    public int iotlbSize() {
        synchronized (lock) {
            return iotlb.size();
        }
    }

    /** The tag of the IOTLB entry translating {@code iova} under {@code tag}, or -1 when none. */
    int iotlbTagAt(int tag, long iova) {
        synchronized (lock) {
            int slot = iotlb.lookup(tag, iova);
            return slot < 0 ? -1 : iotlb.tag(slot);
        }
    }

    /** True when the IOTLB holds a translation of {@code iova} for {@code tag}. */
    public boolean iotlbHolds(int tag, long iova) {
        return iotlbTagAt(tag, iova) >= 0;
    }

    /** The context cache's entry for a requester, or null (tests). */
    DecodedContext cachedContext(int sourceId) {
        synchronized (lock) {
            DecodedContext[] bus = contexts[SourceId.bus(sourceId)];
            return bus == null ? null : bus[SourceId.devfn(sourceId)];
        }
    }

    @Override
    public String toString() {
        return name + " unit for segment " + segment;
    }
}
