package org.iommulab.smmu.v2.internal.model;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.Zone;
import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.iommulab.smmu.v2.internal.model.regs.Gr1;
import org.iommulab.testkit.NoopFlushOps;

/**
 * A model on the platform's sparse memory with a test's hand on its registers: offsets
 * computed from the register declarations, helpers that program stream mappings and context
 * banks the way a driver would, tables from the shared LPAE writer, and interrupt lines that
 * only record.
 */
final class ModelRig {
    static final long PGSIZES_4K = (1L << 12) | (1L << 21) | (1L << 30);

    final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    final ZonedPageAllocator alloc = new ZonedPageAllocator(mem);
    final SmmuV2Model hw;
    final Irq irq = new Irq();

    ModelRig() {
        this(SmmuV2Params.mmu500().withTiming(4096, 64, 0));
    }

    ModelRig(SmmuV2Params p) {
        hw = new SmmuV2Model(p, mem, "smmu-v2");
        hw.connect(irq);
    }

    /** Interrupt lines that count and keep what they are told. */
    static final class Irq implements SmmuIrqLines {
        int global;
        final List<Integer> context = new ArrayList<>();
        final List<DmaFault> notModelled = new ArrayList<>();

        @Override
        public void globalFault() {
            global++;
        }

        @Override
        public void contextFault(int irptndx) {
            context.add(irptndx);
        }

        @Override
        public void notModelled(DmaFault fault) {
            notModelled.add(fault);
        }
    }

    // ---- offsets -------------------------------------------------------------------------------

    long gr0(Register r) {
        return r.offset();
    }

    long gr0(Register r, int i) {
        return r.offset(i);
    }

    long gr1(Register r, int i) {
        return hw.params().pageSize() + r.offset(i);
    }

    long cb(int n, Register r) {
        return (long) (hw.params().numPage() + n) * hw.params().pageSize() + r.offset();
    }

    int read(long off) {
        return hw.read32(off);
    }

    // ---- programming ---------------------------------------------------------------------------

    /** sCR0 with CLIENTPD clear, fault reporting and interrupts on, and {@code extra}. */
    void enable(long extra) {
        hw.write32(gr0(Gr0.SCR0), (int) (Gr0.SCR0_GFRE.mask() | Gr0.SCR0_GFIE.mask() | extra));
    }

    void smr(int i, int id, int mask) {
        hw.write32(gr0(Gr0.SMR, i), (int) (Gr0.SMR_VALID.mask() | Gr0.SMR_ID.of(id) | Gr0.SMR_MASK.of(mask)));
    }

    void s2cr(int i, int type, int cbndx) {
        hw.write32(gr0(Gr0.S2CR, i), (int) (Gr0.S2CR_TYPE.of(type) | Gr0.S2CR_CBNDX.of(cbndx)));
    }

    /** SMR {@code i} for {@code sid}, translating through bank {@code cbndx}. */
    void stream(int i, int sid, int cbndx) {
        s2cr(i, Gr0.S2CR_TYPE_TRANS, cbndx);
        smr(i, sid, 0);
    }

    LpaePageTable table(LpaeStage stage, int ias, int oas) {
        return LpaePageTable.allocate(LpaeConfig.of(stage, PGSIZES_4K, ias, oas), mem, alloc, NoopFlushOps.INSTANCE);
    }

    /** Bank {@code n} as stage 1 with stage-2 bypass over {@code t}, ASID {@code asid}, like Linux programs it. */
    void programS1(int n, LpaePageTable t, int asid) {
        programS1(n, t, asid, Gr1.CBAR_TYPE_S1_TRANS_S2_BYPASS, 0);
    }

    void programS1(int n, LpaePageTable t, int asid, int cbarType, int s2Bank) {
        LpaeConfig c = t.config();
        hw.write32(gr1(Gr1.CBA2R, n), (int) (Gr1.CBA2R_VA64.mask() | Gr1.CBA2R_VMID16.of(asid)));
        hw.write32(gr1(Gr1.CBAR, n), (int) (Gr1.CBAR_TYPE.of(cbarType) | Gr1.CBAR_CBNDX.of(s2Bank)));
        hw.write32(cb(n, Cb.TCR2), (int) (Cb.TCR2_PASIZE.of(c.ps()) | Cb.TCR2_AS.mask()));
        hw.write32(cb(n, Cb.TCR), (int) (Cb.TCR_TG0.of(c.tg0()) | Cb.TCR_T0SZ.of(c.t0sz()) | Cb.TCR_EPD1.mask()));
        hw.write64(cb(n, Cb.TTBR0), Cb.TTBR_ASID.of(asid) | t.ttb());
        hw.write32(cb(n, Cb.SCTLR), (int) (Cb.SCTLR_M.mask() | Cb.SCTLR_CFIE.mask() | Cb.SCTLR_CFRE.mask()));
    }

    /** Bank {@code n} as stage 2 over {@code t}, VMID {@code vmid} (8-bit, in CBAR). */
    void programS2(int n, LpaePageTable t, int vmid) {
        LpaeConfig c = t.config();
        hw.write32(gr1(Gr1.CBA2R, n), (int) Gr1.CBA2R_VA64.mask());
        hw.write32(gr1(Gr1.CBAR, n), (int) (Gr1.CBAR_TYPE.of(Gr1.CBAR_TYPE_S2_TRANS) | Gr1.CBAR_VMID.of(vmid)));
        hw.write32(cb(n, Cb.TCR), (int) ((1L << 31) | Cb.VTCR_PS.of(c.ps()) | Cb.TCR_TG0.of(c.tg0())
                | Cb.VTCR_SL0.of(c.sl0()) | Cb.TCR_T0SZ.of(c.t0sz())));
        hw.write64(cb(n, Cb.TTBR0), t.ttb());
        hw.write32(cb(n, Cb.SCTLR), (int) (Cb.SCTLR_M.mask() | Cb.SCTLR_CFIE.mask() | Cb.SCTLR_CFRE.mask()));
    }

    /** Writes TLBSYNC and polls TLBSTATUS until it clears (at most {@code 1000} reads). */
    int sync(int n) {
        hw.write32(cb(n, Cb.TLBSYNC), -1);
        for (int i = 1; i <= 1000; i++) {
            if ((read(cb(n, Cb.TLBSTATUS)) & 1) == 0) {
                return i;
            }
        }
        throw new AssertionError("TLBSYNC of bank " + n + " did not complete");
    }

    int syncGlobal() {
        hw.write32(gr0(Gr0.STLBGSYNC), -1);
        for (int i = 1; i <= 1000; i++) {
            if ((read(gr0(Gr0.STLBGSTATUS)) & 1) == 0) {
                return i;
            }
        }
        throw new AssertionError("sTLBGSYNC did not complete");
    }

    /** TLBIVA (or another VA operation) for {@code va} and {@code asid}. */
    void tlbiVa(int n, Register op, long va, int asid) {
        hw.write64(cb(n, op), (va >>> 12) | Cb.TLBI_ASID.of(asid));
    }

    // ---- memory and traffic ----------------------------------------------------------------------

    long page() {
        return alloc.allocPages(1, Zone.NORMAL);
    }

    /** A 2 MiB-aligned, 2 MiB physical block (the allocator aligns only to the allocation's order). */
    long block2m() {
        long pa = alloc.allocPages(1024, Zone.NORMAL);
        return (pa + 0x1f_ffff) & ~0x1f_ffffL;
    }

    long pages(long n) {
        return alloc.allocPages(n, Zone.NORMAL);
    }

    static final int RW = IommuProt.READ | IommuProt.WRITE;

    TranslationPort port(String device, int... sids) {
        return hw.port(device, sids);
    }

    /** The fault {@code port} raises for the access, or an AssertionError when it translates. */
    static DmaFault fault(TranslationPort port, int sid, long addr, AccessType access) {
        try {
            long pa = port.translate(sid, addr, access);
            throw new AssertionError(String.format("0x%x translated to 0x%x instead of faulting", addr, pa));
        } catch (DmaFaultException e) {
            return e.fault();
        }
    }
}
