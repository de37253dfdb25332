package org.iommulab.modelkit.regs;

import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The registers of one frame or page (SMMUv2's GR0, a context bank's page, SMMUv3's page 0
 * and 1), decoded by offset for a model's MMIO path: {@link #lookup} turns an offset into the
 * register word it reaches in O(1), from a table built once, and allocates nothing.
 *
 * <p>Immutable and thread-safe.
 */
public final class RegisterBlock {
    /**
     * One 32-bit word of a block: element {@link #index} of {@link #register}, its upper half
     * when {@link #high} (a 64-bit register spans two words). Immutable.
     */
    public static final class Slot {
        private final Register register;
        private final int index;
        private final boolean high;

        Slot(Register register, int index, boolean high) {
            this.register = register;
            this.index = index;
            this.high = high;
        }

        public Register register() {
            return register;
        }

        /** The array element; 0 for a single register. */
        public int index() {
            return index;
        }

        /** Whether this word is bits [63:32] of a 64-bit register. */
        public boolean high() {
            return high;
        }

        @Override
        public String toString() {
            String r = register.isArray() ? register.name() + "(" + index + ")" : register.name();
            return high ? r + " [63:32]" : r;
        }
    }

    private final String name;
    private final Slot[] slots;
    private final List<Register> registers;
    private final int[] counts;

    private RegisterBlock(String name, int size, List<Register> registers, ToIntFunction<Register> count) {
        if (size <= 0 || size % 4 != 0) {
            throw new IllegalArgumentException(name + ": a block of " + size + " bytes is not a whole number of words");
        }
        this.name = name;
        this.slots = new Slot[size / 4];
        this.registers = List.copyOf(registers);
        this.counts = new int[this.registers.size()];
        for (int k = 0; k < counts.length; k++) {
            Register r = this.registers.get(k);
            int n = r.isArray() ? count.applyAsInt(r) : 1;
            if (n < 0 || n > r.maxCount()) {
                throw new IllegalArgumentException(name + ": " + n + " elements of " + r.name() + " do not fit its room for "
                        + r.maxCount());
            }
            counts[k] = n;
            for (int i = 0; i < n; i++) {
                int off = r.offset(i);
                put(off, new Slot(r, i, false));
                if (r.width() == 64) {
                    put(off + 4, new Slot(r, i, true));
                }
            }
        }
    }

    /**
     * A block of {@code size} bytes holding {@code registers}, none of them an array.
     *
     * @throws IllegalArgumentException when a register lies outside the block or overlaps another
     */
    public static RegisterBlock of(String name, int size, List<Register> registers) {
        return new RegisterBlock(name, size, registers, r -> {
            throw new IllegalArgumentException(name + ": array " + r.name() + " needs an element count");
        });
    }

    /**
     * A block of {@code size} bytes holding {@code registers}, array {@code r} with
     * {@code count.applyAsInt(r)} elements in this instance.
     *
     * @throws IllegalArgumentException when a register lies outside the block, overlaps another,
     *         or an array has more elements than its room
     */
    public static RegisterBlock of(String name, int size, List<Register> registers, ToIntFunction<Register> count) {
        return new RegisterBlock(name, size, registers, count);
    }

    private void put(int offset, Slot s) {
        int w = offset >>> 2;
        if (w >= slots.length) {
            throw new IllegalArgumentException(name + ": " + s + " at 0x" + Integer.toHexString(offset)
                    + " does not fit a block of " + slots.length * 4 + " bytes");
        }
        if (slots[w] != null) {
            throw new IllegalArgumentException(name + ": " + s + " overlaps " + slots[w]);
        }
        slots[w] = s;
    }

    public String name() {
        return name;
    }

    /** Size in bytes. */
    public int size() {
        return slots.length * 4;
    }

    /** The registers, as declared. */
    public List<Register> registers() {
        return registers;
    }

    /**
     * The register word at byte {@code offset}, or null when the offset is outside the block,
     * not 4-byte aligned, or reaches no register.
     */
    public Slot lookup(int offset) {
        if (offset < 0 || (offset & 3) != 0 || (offset >>> 2) >= slots.length) {
            return null;
        }
        return slots[offset >>> 2];
    }

    /**
     * Why {@link #lookup} found nothing at {@code offset}, for an error message: an array element
     * beyond this instance's count ("SMR(48) is out of range: GR0 has SMR(0..47)"), or no
     * register at all.
     */
    public String missing(int offset) {
        for (int k = 0; k < counts.length; k++) {
            Register r = registers.get(k);
            if (r.isArray() && offset >= r.offset() && (offset - r.offset()) % r.stride() == 0) {
                int index = (offset - r.offset()) / r.stride();
                if (index >= counts[k] && index < r.maxCount()) {
                    return counts[k] == 0 ? String.format("%s(%d) is out of range: %s has no %s", r.name(), index, name,
                            r.name()) : String.format("%s(%d) is out of range: %s has %s(0..%d)", r.name(), index, name,
                            r.name(), counts[k] - 1);
                }
            }
        }
        return String.format("no register at %s+0x%x", name, offset);
    }

    @Override
    public String toString() {
        return name;
    }
}
