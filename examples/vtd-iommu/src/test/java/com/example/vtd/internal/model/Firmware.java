package com.example.vtd.internal.model;

import org.iommulab.api.platform.Zone;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.ContextEntry;
import com.example.vtd.internal.format.InvDesc;
import com.example.vtd.internal.format.RootEntry;
import com.example.vtd.internal.format.SlPte;
import com.example.vtd.internal.format.SourceId;
import com.example.vtd.internal.format.VtdRegs;
import com.example.vtd.support.TestAllocator;
import com.example.vtd.support.TestDevice;
import com.example.vtd.support.TestMemory;

/**
 * A remapping unit programmed by hand, register by register and entry by entry, the way the
 * spec describes it and without the driver: a root table, context tables, second-level tables
 * and an invalidation queue in test memory. The model tests check the hardware against it.
 */
final class Firmware {
    final TestMemory mem = new TestMemory();
    final TestAllocator alloc = new TestAllocator();
    final VtdHardware hw;
    final VtdUnit unit;
    final long rta;
    final long queue;
    final long status;
    int tail;

    Firmware(Seed seed, int faultRecords) {
        hw = new VtdHardware("vtd-test", 48, 48, 4, 16, faultRecords, 18, seed);
        hw.connect(mem);
        unit = hw.unit(0);
        rta = page();
        queue = page();
        status = page();
        unit.writeReg(VtdRegs.RTADDR.offset(), rta);
        unit.writeReg(VtdRegs.GCMD.offset(), VtdRegs.GCMD_SRTP.mask());
        unit.writeReg(VtdRegs.IQT.offset(), 0);
        unit.writeReg(VtdRegs.IQA.offset(), queue); // QS = 0: 256 descriptors
        unit.writeReg(VtdRegs.GCMD.offset(), VtdRegs.GCMD_QIE.mask());
        unit.writeReg(VtdRegs.GCMD.offset(), VtdRegs.GCMD_QIE.mask() | VtdRegs.GCMD_TE.mask());
    }

    long page() {
        long p = alloc.allocPages(1, Zone.NORMAL);
        mem.fill(p, 4096, (byte) 0);
        return p;
    }

    /** A present context entry for {@code sourceId}: root entry (with a new context table if needed), then context. */
    long context(int sourceId, int did, long slptptr, int aw, boolean fpd) {
        long root = RootEntry.address(rta, SourceId.bus(sourceId));
        long ctp = RootEntry.CTP.bits(mem.readLong(root));
        if (ctp == 0) {
            ctp = page();
            mem.writeLong(root, RootEntry.lo(ctp));
        }
        long entry = ContextEntry.address(ctp, SourceId.devfn(sourceId));
        mem.writeLong(entry + 8, ContextEntry.hi(aw, did));
        mem.writeLong(entry, ContextEntry.lo(slptptr, fpd));
        return entry;
    }

    /** Maps one 4 KiB page in a 4-level table at {@code pgd}, building the path by hand. */
    void map4k(long pgd, long iova, long pa, boolean read, boolean write) {
        long table = pgd;
        for (int level = 4; level > 1; level--) {
            long slot = table + 8L * SlPte.index(iova, level);
            long pte = mem.readLong(slot);
            if (pte == 0) {
                pte = SlPte.tableEntry(page());
                mem.writeLong(slot, pte);
            }
            table = SlPte.address(pte, 48);
        }
        mem.writeLong(table + 8L * SlPte.index(iova, 1), SlPte.leafEntry(pa, 1, read, write));
    }

    /** Queues one descriptor at the tail (does not move IQT). */
    void put(long qw0, long qw1) {
        long at = queue + tail;
        mem.writeLong(at, qw0);
        mem.writeLong(at + 8, qw1);
        tail = (tail + InvDesc.SIZE) % 4096;
    }

    /** Moves IQT to the software tail: the unit runs the queue. */
    void go() {
        unit.writeReg(VtdRegs.IQT.offset(), tail);
    }

    TestDevice device(int streamId) {
        return new TestDevice("d" + Integer.toHexString(streamId), mem, alloc, streamId);
    }
}
