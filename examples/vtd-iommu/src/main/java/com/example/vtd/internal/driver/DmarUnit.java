package com.example.vtd.internal.driver;

import java.util.BitSet;
import java.util.function.IntFunction;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.ContextEntry;
import com.example.vtd.internal.format.InvDesc;
import com.example.vtd.internal.format.RootEntry;
import com.example.vtd.internal.format.SourceId;
import com.example.vtd.internal.format.VtdRegs;
import com.example.vtd.internal.model.VtdUnit;

/**
 * What the driver keeps per remapping unit, Linux's {@code struct intel_iommu}: the capability
 * registers read once, the root table and the context tables it allocated, the domain-ID
 * allocator ({@code iommu->domain_ids}, DID 0 reserved), the invalidation queue and the fault
 * handler. It brings the unit up as {@code init_dmars} does and programs context entries as
 * {@code domain_context_mapping_one} and {@code domain_context_clear_one} do
 * ({@code drivers/iommu/intel/iommu.c}). It talks to the hardware only through registers and
 * memory. Thread-safe: context and DID changes under the unit's lock ({@code iommu->lock}).
 */
final class DmarUnit {
    private static final long PAGE = PageAllocator.PAGE_SIZE;

    private final String who;
    private final VtdUnit hw;
    private final PhysicalMemory mem;
    private final PageAllocator alloc;
    private final long cap;
    private final long ecap;
    private final int ndoms;
    private final int mamv;
    private final BitSet dids = new BitSet();
    private final long[] contextTables = new long[RootEntry.ENTRIES];
    private final DmarFaultHandler faults;
    private QueuedInvalidation qi;
    private long rootTable = -1;
    private int gcmd;

    DmarUnit(String name, VtdUnit hw, PhysicalMemory mem, PageAllocator alloc, IntFunction<DmaDevice> devices,
            Seed seed) {
        this.who = String.format("%s: dmar%d", name, hw.segment());
        this.hw = hw;
        this.mem = mem;
        this.alloc = alloc;
        this.cap = hw.readReg(VtdRegs.CAP.offset());
        this.ecap = hw.readReg(VtdRegs.ECAP.offset());
        this.ndoms = VtdRegs.ndoms(cap);
        this.mamv = VtdRegs.CAP_MAMV.getInt(cap);
        this.faults = new DmarFaultHandler(name, hw, devices, seed);
        dids.set(0); // DID 0 is reserved
    }

    VtdUnit hardware() {
        return hw;
    }

    DmarFaultHandler faultHandler() {
        return faults;
    }

    /**
     * {@code init_dmars} for this unit: root table ({@code iommu_alloc_root_entry}), queued
     * invalidation ({@code intel_iommu_init_qi}), {@code iommu_set_root_entry} (RTADDR, SRTP,
     * then global context-cache and IOTLB invalidation), the fault interrupt
     * ({@code dmar_set_interrupt}, FECTL.IM cleared), and {@code iommu_enable_translation}.
     */
    synchronized void init() throws BackendException {
        if (!VtdRegs.ECAP_QI.isSet(ecap)) {
            throw new BackendException(who + ": ECAP.QI is 0; this driver has no register-based invalidation");
        }
        if ((VtdRegs.CAP_SAGAW.getInt(cap) & ContextEntry.sagawBit(ContextEntry.AW_48)) == 0) {
            throw new BackendException(who + ": CAP.SAGAW lacks 48-bit (4-level) tables");
        }
        rootTable = zeroedPage();
        if (rootTable < 0) {
            throw new BackendException(who + ": no memory for the root table");
        }
        qi = new QueuedInvalidation(who, hw, mem, alloc);
        try {
            gcmd = qi.enable(gcmd);
        } catch (BackendException e) {
            alloc.free(rootTable);
            rootTable = -1;
            throw e;
        }
        hw.writeReg(VtdRegs.RTADDR.offset(), rootTable);
        hw.writeReg(VtdRegs.GCMD.offset(), (gcmd | VtdRegs.GCMD_SRTP.mask()) & 0xffff_ffffL);
        if (!VtdRegs.GSTS_RTPS.isSet(hw.readReg(VtdRegs.GSTS.offset()))) {
            throw new BackendException(who + ": GSTS.RTPS did not follow GCMD.SRTP");
        }
        qi.flushContext(InvDesc.G_GLOBAL, 0, 0, 0);
        qi.flushIotlb(InvDesc.G_GLOBAL, 0);
        hw.connectIrq(faults);
        hw.writeReg(VtdRegs.FECTL.offset(), 0);
        gcmd |= (int) VtdRegs.GCMD_TE.mask();
        hw.writeReg(VtdRegs.GCMD.offset(), gcmd & 0xffff_ffffL);
        if (!VtdRegs.GSTS_TES.isSet(hw.readReg(VtdRegs.GSTS.offset()))) {
            throw new BackendException(who + ": GSTS.TES did not follow GCMD.TE");
        }
    }

    private long zeroedPage() {
        long p = alloc.allocPages(1, Zone.NORMAL);
        if (p == PageAllocator.NO_MEMORY) {
            return -1;
        }
        mem.fill(p, PAGE, (byte) 0);
        return p;
    }

    // ---- domain IDs ----------------------------------------------------------------------------

    /** A free domain ID ({@code domain_attach_iommu}'s {@code ida_alloc_range}), or -1. */
    synchronized int allocDid() {
        int did = dids.nextClearBit(1);
        if (did >= ndoms) {
            return -1;
        }
        dids.set(did);
        return did;
    }

    /** Returns a domain ID ({@code domain_detach_iommu}); its IOTLB entries were invalidated. */
    synchronized void freeDid(int did) {
        dids.clear(did);
        hw.forgetDomain(did);
    }

    // ---- context entries -----------------------------------------------------------------------

    /**
     * {@code domain_context_mapping_one}: makes requester {@code sourceId} translate through
     * the table at {@code pgd} with domain ID {@code did}. A present entry (the requester is in
     * another domain) is cleared and flushed first. Word 1 is written before word 0, which
     * carries P. No invalidation follows: without caching mode (CAP.CM = 0) the hardware never
     * caches a not-present entry, so Linux only flushes the write buffer (CAP.RWBF = 0: nothing).
     *
     * @return 0, or {@link IommuErrno#ENOMEM} when the bus has no context table and none can be had
     */
    synchronized int mapContext(int sourceId, int did, long pgd, int aw) {
        long table = contextTable(SourceId.bus(sourceId));
        if (table < 0) {
            return IommuErrno.ENOMEM;
        }
        long entry = ContextEntry.address(table, SourceId.devfn(sourceId));
        if (ContextEntry.P.isSet(mem.readLong(entry))) {
            clearContext(sourceId, entry);
        }
        mem.writeLong(entry + 8, ContextEntry.hi(aw, did));
        mem.writeLong(entry, ContextEntry.lo(pgd, false));
        return 0;
    }

    /**
     * {@code domain_context_clear_one}: clears requester {@code sourceId}'s context entry, then
     * a device-selective context-cache invalidation and a domain-selective IOTLB invalidation of
     * the domain it was in.
     */
    synchronized void unmapContext(int sourceId) {
        long table = contextTables[SourceId.bus(sourceId)];
        if (table == 0) {
            return;
        }
        long entry = ContextEntry.address(table, SourceId.devfn(sourceId));
        if (ContextEntry.P.isSet(mem.readLong(entry))) {
            clearContext(sourceId, entry);
        }
    }

    private void clearContext(int sourceId, long entry) {
        int old = ContextEntry.DID.getInt(mem.readLong(entry + 8));
        mem.writeLong(entry, 0);
        mem.writeLong(entry + 8, 0);
        qi.flushContext(InvDesc.G_DEVICE_OR_PAGE, old, sourceId, 0);
        qi.flushIotlb(InvDesc.G_DOMAIN, old);
    }

    /** {@code iommu_context_addr(..., alloc = 1)}: the bus's context table, allocated on first use. */
    private long contextTable(int bus) {
        if (contextTables[bus] != 0) {
            return contextTables[bus];
        }
        long table = zeroedPage();
        if (table < 0) {
            return -1;
        }
        mem.writeLong(RootEntry.address(rootTable, bus) + 8, 0);
        mem.writeLong(RootEntry.address(rootTable, bus), RootEntry.lo(table));
        contextTables[bus] = table;
        return table;
    }

    // ---- IOTLB invalidation --------------------------------------------------------------------

    /**
     * The invalidation of {@code [start, end]} for domain {@code did}, Linux's
     * {@code cache_tag_flush_range} for an IOTLB tag ({@code drivers/iommu/intel/cache.c}): one
     * page-selective invalidation of the naturally aligned block
     * {@link #psiMask calculate_psi_aligned_address} computes, or a domain-selective one when
     * that block is beyond CAP.MAMV.
     */
    void flushIotlbRange(int did, long start, long end, boolean ih) {
        int mask = psiMask(start, end);
        if (mask > mamv) {
            qi.flushIotlb(InvDesc.G_DOMAIN, did);
        } else {
            qi.flushIotlbPages(did, start & -(PAGE << mask), mask, ih);
        }
    }

    /** One page-selective invalidation of 2^am pages at {@code addr}, as given. */
    void flushIotlbPages(int did, long addr, int am, boolean ih) {
        qi.flushIotlbPages(did, addr, am, ih);
    }

    /** A domain-selective IOTLB invalidation. */
    void flushIotlbDomain(int did) {
        qi.flushIotlb(InvDesc.G_DOMAIN, did);
    }

    /**
     * Linux {@code calculate_psi_aligned_address}: the address mask (AM) of the smallest
     * naturally aligned power-of-two block of pages that covers {@code [start, end]}. PSI ignores
     * the low AM bits of the address, so a range that is not aligned to its rounded-up size
     * needs a larger mask: the first bit above the size where the first and last page numbers
     * agree.
     */
    static int psiMask(long start, long end) {
        long firstPfn = start >>> 12;
        long lastPfn = end >>> 12;
        long pages = lastPfn - firstPfn + 1;
        long aligned = Long.highestOneBit(pages) == pages ? pages : Long.highestOneBit(pages) << 1;
        int mask = Long.numberOfTrailingZeros(aligned);
        long bitmask = aligned - 1;
        if ((bitmask & firstPfn) != 0) {
            long shared = ~(firstPfn ^ lastPfn) & ~bitmask;
            mask = shared != 0 ? Long.numberOfTrailingZeros(shared) : 64 - 12;
        }
        return mask;
    }

    // ---- teardown ------------------------------------------------------------------------------

    /**
     * Turns the unit off and returns its memory: translation disabled, queued invalidation
     * disabled, the fault interrupt masked, the root and context tables freed. Called when the
     * driver goes, after every device was released.
     */
    synchronized void shutdown() {
        if (rootTable < 0) {
            return;
        }
        gcmd &= ~(int) VtdRegs.GCMD_TE.mask();
        hw.writeReg(VtdRegs.GCMD.offset(), gcmd & 0xffff_ffffL);
        hw.writeReg(VtdRegs.FECTL.offset(), VtdRegs.FECTL_IM.mask());
        hw.connectIrq(null);
        gcmd = qi.disable(gcmd);
        for (int bus = 0; bus < contextTables.length; bus++) {
            if (contextTables[bus] != 0) {
                alloc.free(contextTables[bus]);
                contextTables[bus] = 0;
            }
        }
        alloc.free(rootTable);
        rootTable = -1;
    }

    @Override
    public String toString() {
        return who;
    }
}
