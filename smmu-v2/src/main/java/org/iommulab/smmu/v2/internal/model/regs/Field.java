package org.iommulab.smmu.v2.internal.model.regs;

/**
 * One field of a register, bits {@code [lsb+width-1 : lsb]}, declared once in the register
 * tables ({@link Gr0}, {@link Gr1}, {@link Cb}) and used by both the model and the driver, so
 * they share the layout and nothing else. Immutable.
 */
public record Field(String name, int lsb, int width) {
    public Field {
        if (lsb < 0 || width < 1 || lsb + width > 64) {
            throw new IllegalArgumentException("bad field " + name + " [" + (lsb + width - 1) + ":" + lsb + "]");
        }
    }

    /** The field's bits in place. */
    public long mask() {
        return (width == 64 ? -1L : (1L << width) - 1) << lsb;
    }

    /** The field's value in {@code reg}. */
    public long get(long reg) {
        return (reg & mask()) >>> lsb;
    }

    /** The field's value in a 32-bit register. */
    public int get(int reg) {
        return (int) get(reg & 0xffff_ffffL);
    }

    public boolean isSet(long reg) {
        return (reg & mask()) != 0;
    }

    /**
     * {@code value} placed in the field (Linux {@code FIELD_PREP}).
     *
     * @throws IllegalArgumentException when {@code value} does not fit
     */
    public long prep(long value) {
        long max = width == 64 ? -1L : (1L << width) - 1;
        if (width < 64 && (value & ~max) != 0) {
            throw new IllegalArgumentException(String.format("%s: 0x%x does not fit in %d bits", name, value, width));
        }
        return value << lsb;
    }

    /** {@link #prep} for 32-bit registers. */
    public int prep32(long value) {
        return (int) prep(value);
    }

    /** {@code reg} with the field replaced by {@code value}. */
    public long set(long reg, long value) {
        return (reg & ~mask()) | prep(value);
    }
}
