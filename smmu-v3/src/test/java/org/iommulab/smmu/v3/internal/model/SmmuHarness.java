package org.iommulab.smmu.v3.internal.model;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.modelkit.queue.QueueGeometry;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.smmu.v3.internal.format.CdFormat;
import org.iommulab.smmu.v3.internal.format.CmdFormat;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.format.EventRecord;

import org.iommulab.smmu.v3.internal.format.RegFields.Cr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr2;
import org.iommulab.smmu.v3.internal.format.RegFields.IrqCtrl;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.RegFields.Strtab;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.format.SmmuQueues;
import org.iommulab.smmu.v3.internal.format.SteFormat;

/**
 * A firmware-free SMMUv3 test rig in the manner of QEMU's {@code qos-smmuv3.c}: memory, the
 * model, queues and a stream table set up through the registers, small writers for STEs, CDs
 * and commands, and a test master issuing transactions through a port.
 */
final class SmmuHarness {
    final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    final ZonedPageAllocator alloc = new ZonedPageAllocator(mem);
    final SmmuV3Model model;
    final SmmuV3Mmio mmio;
    final List<DmaFault> reported = new ArrayList<>();
    final List<IrqLine> irqs = new ArrayList<>();
    final ModelPort port;
    long strtab;
    long cmdq;
    long evtq;
    QueueGeometry cmdRing;
    QueueGeometry evtRing;

    SmmuHarness(SmmuV3Features f) {
        model = new SmmuV3Model("smmu-v3", mem, f);
        mmio = model.mmio();
        model.connectIrq(irqs::add);
        port = model.port("dev0", reported::add);
    }

    static SmmuHarness stage1() {
        return new SmmuHarness(SmmuV3Features.builder().cmdqLog2(8).evtqLog2(4).build());
    }

    static SmmuHarness of(SmmuV3Features.Builder b) {
        return new SmmuHarness(b.build());
    }

    long pages(long n) {
        long a = alloc.allocPages(n, Zone.NORMAL);
        mem.fill(a, n * PageAllocator.PAGE_SIZE, (byte) 0);
        return a;
    }

    // ---- bring-up ---------------------------------------------------------------------------

    void linearStrtab(int log2size) {
        strtab = pages(Math.max(1, (64L << log2size) / PageAllocator.PAGE_SIZE));
        mmio.write64(Regs.STRTAB_BASE.offset(), strtab);
        mmio.write32(Regs.STRTAB_BASE_CFG.offset(), (int) (Strtab.LOG2SIZE.of(log2size) | Strtab.FMT.of(0)));
    }

    void twoLevelStrtab(int log2size, int split) {
        strtab = pages(Math.max(1, (8L << (log2size - split)) / PageAllocator.PAGE_SIZE));
        mmio.write64(Regs.STRTAB_BASE.offset(), strtab);
        mmio.write32(Regs.STRTAB_BASE_CFG.offset(),
                (int) (Strtab.LOG2SIZE.of(log2size) | Strtab.SPLIT.of(split) | Strtab.FMT.of(1)));
    }

    /** A level-2 array of 2^(span-1) STEs for L1 index {@code l1}; returns its base. */
    long l2(int l1, int span) {
        long l2 = pages(Math.max(1, (64L << (span - 1)) / PageAllocator.PAGE_SIZE));
        l1std(l1, SteFormat.L1STD_SPAN.of(span) | l2);
        return l2;
    }

    void l1std(int l1, long desc) {
        mem.writeLong(strtab + 8L * l1, desc);
    }

    void queues(int cmdqLog2, int evtqLog2) {
        cmdRing = SmmuQueues.commands(cmdqLog2);
        evtRing = SmmuQueues.events(evtqLog2);
        cmdq = pages(Math.max(1, (16L << cmdqLog2) / PageAllocator.PAGE_SIZE));
        evtq = pages(Math.max(1, (32L << evtqLog2) / PageAllocator.PAGE_SIZE));
        mmio.write64(Regs.CMDQ_BASE.offset(), cmdq | Queue.LOG2SIZE.of(cmdqLog2));
        mmio.write64(Regs.EVENTQ_BASE.offset(), evtq | Queue.LOG2SIZE.of(evtqLog2));
    }

    /** Queues, RECINVSID, both IRQs, then CMDQEN, EVENTQEN and SMMUEN. */
    void enable(boolean recInvSid) {
        mmio.write32(Regs.CR2.offset(), recInvSid ? (int) Cr2.RECINVSID.mask() : 0);
        mmio.write32(Regs.IRQ_CTRL.offset(), (int) (IrqCtrl.EVENTQ_IRQEN.mask() | IrqCtrl.GERROR_IRQEN.mask()));
        mmio.write32(Regs.CR0.offset(), (int) (Cr0.SMMUEN.mask() | Cr0.EVENTQEN.mask() | Cr0.CMDQEN.mask()));
    }

    /** The usual rig: linear table of 2^8 StreamIDs, queues, enabled with RECINVSID. */
    SmmuHarness up() {
        linearStrtab(8);
        queues(cmdRing == null ? 6 : cmdRing.log2Entries(), evtRing == null ? 4 : evtRing.log2Entries());
        enable(true);
        return this;
    }

    long steAddr(int sid) {
        return strtab + 64L * sid;
    }

    void writeEntry(long addr, long... dwords) {
        for (int i = 0; i < 8; i++) {
            mem.writeLong(addr + 8L * i, i < dwords.length ? dwords[i] : 0);
        }
    }

    // ---- STEs and CDs ---------------------------------------------------------------------

    static long steS1(long cd) {
        return SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_S1) | SteFormat.D0_S1CONTEXTPTR.bits(cd);
    }

    /** STE dword 2 for stage 2: VMID, 4K granule, given T0SZ and SL0, PS = 44 bits, AA64, S2R. */
    static long steS2Dword2(int vmid, int t0sz, int sl0) {
        return SteFormat.D2_S2VMID.of(vmid) | SteFormat.D2_S2T0SZ.of(t0sz) | SteFormat.D2_S2SL0.of(sl0)
                | SteFormat.D2_S2TG.of(SteFormat.S2TG_4K) | SteFormat.D2_S2PS.of(4) | SteFormat.D2_S2AA64.of(1)
                | SteFormat.D2_S2R.of(1);
    }

    /** CD dword 0: 4K granule, T0SZ, IPS 44 bits, EPD1, AA64, R, A, ASID. */
    static long cdDword0(int t0sz, int asid) {
        return CdFormat.D0_T0SZ.of(t0sz) | CdFormat.D0_TG0.of(CdFormat.TG0_4K) | CdFormat.D0_EPD1.of(1)
                | CdFormat.D0_V.of(1) | CdFormat.D0_IPS.of(4) | CdFormat.D0_AA64.of(1) | CdFormat.D0_R.of(1)
                | CdFormat.D0_A.of(1) | CdFormat.D0_ASID.of(asid);
    }

    /** A stage-1 stream for {@code sid} over {@code pt} (4K, 48-bit), with ASID {@code asid}; returns the CD address. */
    long stage1Stream(int sid, TableBuilder pt, int asid) {
        long cd = pages(1);
        writeEntry(cd, cdDword0(64 - pt.inputBits, asid), pt.root);
        writeEntry(steAddr(sid), steS1(cd));
        return cd;
    }

    // ---- commands ---------------------------------------------------------------------------

    /** Writes a command at PROD without publishing it. */
    int stage(long d0, long d1) {
        int prod = mmio.read32(Regs.CMDQ_PROD.offset());
        long slot = cmdq + 16L * cmdRing.index(prod);
        mem.writeLong(slot, d0);
        mem.writeLong(slot + 8, d1);
        return cmdRing.advance(prod, 1);
    }

    /** Writes and publishes one command (the SMMU consumes it at once). */
    void cmd(long d0, long d1) {
        mmio.write32(Regs.CMDQ_PROD.offset(), stage(d0, d1));
    }

    void sync() {
        cmd(CmdFormat.D0_OP.of(CmdFormat.SYNC) | CmdFormat.D0_CS.of(CmdFormat.CS_SEV), 0);
    }

    void cfgiAll() {
        cmd(CmdFormat.D0_OP.of(CmdFormat.CFGI_STE_RANGE), CmdFormat.D1_RANGE.of(31));
        sync();
    }

    int cmdqCons() {
        return mmio.read32(Regs.CMDQ_CONS.offset());
    }

    // ---- events -----------------------------------------------------------------------------

    /** Reads every record between CONS and PROD and consumes them (OVACKFLG untouched). */
    List<EventRecord> events() {
        List<EventRecord> out = new ArrayList<>();
        int prod = mmio.read32(Regs.EVENTQ_PROD.offset());
        int cons = mmio.read32(Regs.EVENTQ_CONS.offset());
        long[] w = new long[4];
        while (!evtRing.empty(prod, cons)) {
            long at = evtq + 32L * evtRing.index(cons);
            for (int i = 0; i < 4; i++) {
                w[i] = mem.readLong(at + 8L * i);
            }
            out.add(EventRecord.decode(w));
            cons = evtRing.advance(cons, 1);
        }
        mmio.write32(Regs.EVENTQ_CONS.offset(), cons);
        return out;
    }

    /** The raw doublewords of the record at CONS. */
    long[] rawEvent() {
        int cons = mmio.read32(Regs.EVENTQ_CONS.offset());
        long at = evtq + 32L * evtRing.index(cons);
        return new long[] {mem.readLong(at), mem.readLong(at + 8), mem.readLong(at + 16), mem.readLong(at + 24)};
    }

    // ---- transactions -----------------------------------------------------------------------

    long read(int sid, long addr) {
        return port.translate(sid, addr, AccessType.READ);
    }

    long write(int sid, long addr) {
        return port.translate(sid, addr, AccessType.WRITE);
    }

    DmaFault fault(int sid, long addr, AccessType access) {
        int before = reported.size();
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> port.translate(sid, addr, access));
        if (reported.size() != before + 1 || reported.get(before) != e.fault()) {
            throw new AssertionError("the fault was not reported exactly once before the abort: " + reported);
        }
        return e.fault();
    }

    static String name(int id) {
        return EventFormat.name(id);
    }
}
