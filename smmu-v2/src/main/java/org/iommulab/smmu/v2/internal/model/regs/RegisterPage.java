package org.iommulab.smmu.v2.internal.model.regs;

import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The decode of one register page: which register (and which array element, which 32-bit
 * half) lives at each word offset. Built once per model from the declarations in {@link Gr0},
 * {@link Gr1} or {@link Cb}; a lookup allocates nothing.
 */
public final class RegisterPage {
    /** A register word: element {@code index} of {@code reg}, its upper half when {@code high}. */
    public record Slot(Reg reg, int index, boolean high) {
    }

    private final String name;
    private final Slot[] slots;
    private final List<Reg> regs;
    private final ToIntFunction<Reg> count;

    /**
     * @param count how many elements an array register has in this model (ignored for single
     *        registers)
     */
    public RegisterPage(String name, int pageSize, List<Reg> regs, ToIntFunction<Reg> count) {
        this.name = name;
        this.slots = new Slot[pageSize / 4];
        this.regs = List.copyOf(regs);
        this.count = count;
        for (Reg r : regs) {
            int n = r.isArray() ? count.applyAsInt(r) : 1;
            for (int i = 0; i < n; i++) {
                int off = r.offset(i);
                put(off, new Slot(r, i, false));
                if (r.bits() == 64) {
                    put(off + 4, new Slot(r, i, true));
                }
            }
        }
    }

    private void put(int offset, Slot s) {
        int w = offset >>> 2;
        if (w >= slots.length) {
            throw new IllegalArgumentException(name + ": " + s.reg().name() + " at 0x" + Integer.toHexString(offset)
                    + " does not fit a page of " + slots.length * 4 + " bytes");
        }
        if (slots[w] != null) {
            throw new IllegalArgumentException(name + ": " + s.reg().name() + " overlaps " + slots[w].reg().name());
        }
        slots[w] = s;
    }

    public String name() {
        return name;
    }

    /**
     * Why nothing lives at {@code offset}: an array element beyond this instance's count
     * ("SMR(48) is beyond the 48 implemented"), or no register at all.
     */
    public String missing(int offset) {
        for (Reg r : regs) {
            if (r.isArray() && offset >= r.offset() && (offset - r.offset()) % r.stride() == 0) {
                int index = (offset - r.offset()) / r.stride();
                int n = count.applyAsInt(r);
                if (index >= n && index < 256) {
                    return String.format("%s(%d) is out of range: this SMMU implements %s(0..%d)", r.name(), index,
                            r.name(), n - 1);
                }
            }
        }
        return String.format("no register at %s+0x%x", name, offset);
    }

    /** The register word at {@code offset} (4-byte aligned, inside the page), or null. */
    public Slot lookup(int offset) {
        return slots[offset >>> 2];
    }
}
