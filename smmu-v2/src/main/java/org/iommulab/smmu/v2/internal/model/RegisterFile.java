package org.iommulab.smmu.v2.internal.model;

import org.iommulab.modelkit.regs.Access;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.modelkit.regs.RegisterBlock;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.iommulab.smmu.v2.internal.model.regs.Gr1;

/**
 * The SMMU's memory-mapped register interface: GR0 at page 0, GR1 at page 1, context bank
 * {@code n} at page {@code NUMPAGE + n} (IHI0062 "SMMU address map"; Linux
 * {@code ARM_SMMU_CB(smmu, n)}). Decodes an offset into a register and checks the access:
 * 32-bit accesses reach 32-bit registers and either half of a 64-bit storage register; 64-bit
 * accesses reach 64-bit registers. Bits a register does not implement read as zero and
 * ignore writes (the architecture's RES0). Anything else (an offset outside the space, a
 * misaligned or unknown offset, an array index beyond this SMMU's count, a write to a
 * read-only register, a read of a write-only one, a 32-bit write to a 64-bit operation
 * register) is refused with {@link IllegalArgumentException} and changes nothing.
 */
final class RegisterFile {
    private final SmmuState s;
    private final GlobalSpace gr0;
    private final ContextSpace contexts;
    private final RegisterBlock gr0Page;
    private final RegisterBlock gr1Page;
    private final RegisterBlock cbPage;
    private final int pageShift;
    private final int numPage;

    RegisterFile(SmmuState state, GlobalSpace gr0, ContextSpace contexts) {
        this.s = state;
        this.gr0 = gr0;
        this.contexts = contexts;
        SmmuV2Params p = state.params;
        pageShift = p.pageShift();
        numPage = p.numPage();
        gr0Page = RegisterBlock.of("GR0", p.pageSize(), Gr0.ALL, r -> p.smrGroups());
        gr1Page = RegisterBlock.of("GR1", p.pageSize(), Gr1.ALL, r -> p.contextBanks());
        cbPage = RegisterBlock.of("CB", p.pageSize(), Cb.ALL);
    }

    int read32(long offset) {
        RegisterBlock.Slot slot = decode(offset, 4);
        int page = page(offset);
        Register r = slot.register();
        if (r.access() == Access.WO) {
            throw refused(offset, r, "is write-only");
        }
        long v = r.read(readReg(page, slot));
        return (int) (slot.high() ? v >>> 32 : v);
    }

    long read64(long offset) {
        RegisterBlock.Slot slot = decode(offset, 8);
        Register r = slot.register();
        if (r.width() != 64 || slot.high()) {
            throw refused(offset, r, "is not a 64-bit register; use a 32-bit access");
        }
        if (r.access() == Access.WO) {
            throw refused(offset, r, "is write-only");
        }
        return r.read(readReg(page(offset), slot));
    }

    void write32(long offset, int value) {
        RegisterBlock.Slot slot = decode(offset, 4);
        int page = page(offset);
        Register r = slot.register();
        checkWritable(offset, r);
        long v = value & 0xffff_ffffL;
        if (r.width() == 64) {
            if (r.access() != Access.RW) {
                throw refused(offset, r, "is a 64-bit operation register: write it with one 64-bit access");
            }
            long cur = readReg(page, slot);
            v = slot.high() ? (cur & 0xffff_ffffL) | (v << 32) : (cur & ~0xffff_ffffL) | v;
        }
        writeReg(page, slot, v & r.implemented());
    }

    void write64(long offset, long value) {
        RegisterBlock.Slot slot = decode(offset, 8);
        Register r = slot.register();
        if (r.width() != 64 || slot.high()) {
            throw refused(offset, r, "is not a 64-bit register; use a 32-bit access");
        }
        checkWritable(offset, r);
        writeReg(page(offset), slot, value & r.implemented());
    }

    private void checkWritable(long offset, Register r) {
        if (r.access() == Access.RO) {
            throw refused(offset, r, "is read-only");
        }
    }

    private long readReg(int page, RegisterBlock.Slot slot) {
        Register r = slot.register();
        return switch (page) {
            case 0 -> gr0.read(r, slot.index());
            case 1 -> contexts.readGr1(r, slot.index());
            default -> contexts.read(r, s.banks[page - numPage]);
        };
    }

    private void writeReg(int page, RegisterBlock.Slot slot, long v) {
        Register r = slot.register();
        switch (page) {
            case 0 -> gr0.write(r, slot.index(), v);
            case 1 -> contexts.writeGr1(r, slot.index(), v);
            default -> contexts.write(r, s.banks[page - numPage], v);
        }
    }

    /** The page of a decoded access: 0 GR0, 1 GR1, NUMPAGE+n context bank n. */
    private int page(long offset) {
        return (int) (offset >>> pageShift);
    }

    /**
     * The register word at {@code offset}, checked. Returns the slot alone (the page is
     * {@link #page}), so that the register path allocates nothing: every TLB invalidation and
     * sync of a map/unmap pair comes through here.
     */
    private RegisterBlock.Slot decode(long offset, int width) {
        if (offset < 0 || offset + width > s.params.size()) {
            throw new IllegalArgumentException(String.format("SMMU register offset 0x%x is outside the 0x%x-byte register space",
                    offset, s.params.size()));
        }
        if ((offset & (width - 1)) != 0) {
            throw new IllegalArgumentException(String.format("SMMU register offset 0x%x is not aligned to a %d-bit access",
                    offset, width * 8));
        }
        int page = (int) (offset >>> pageShift);
        int off = (int) (offset & ((1L << pageShift) - 1));
        RegisterBlock p;
        if (page == 0) {
            p = gr0Page;
        } else if (page == 1) {
            p = gr1Page;
        } else if (page >= numPage && page - numPage < s.banks.length) {
            p = cbPage;
        } else {
            throw new IllegalArgumentException(String.format("SMMU register offset 0x%x is in page %d, which this model "
                    + "does not implement (GR0, GR1 and context banks %d..%d only)", offset, page, numPage,
                    numPage + s.banks.length - 1));
        }
        RegisterBlock.Slot slot = p.lookup(off);
        if (slot == null) {
            String where = page >= numPage ? "context bank " + (page - numPage) + ": " : "";
            throw new IllegalArgumentException(String.format("SMMU register offset 0x%x: %s%s", offset, where,
                    p.missing(off)));
        }
        return slot;
    }

    private static IllegalArgumentException refused(long offset, Register r, String why) {
        return new IllegalArgumentException(String.format("SMMU register %s at 0x%x %s (%s)", r.name(), offset, why,
                r.spec()));
    }
}
