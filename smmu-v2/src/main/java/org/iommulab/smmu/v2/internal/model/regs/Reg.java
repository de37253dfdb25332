package org.iommulab.smmu.v2.internal.model.regs;

/**
 * One register, or one array of registers ({@code SMR(n)}, {@code CBAR(n)}), of an SMMUv2
 * register page: name, byte offset in the page, stride between array elements (0 for a single
 * register), width in bits (32 or 64), access, and the bits this model implements (the rest
 * are RES0: they read as zero and writes to them are ignored, as the architecture's
 * "should-be-zero-or-preserved" rule lets hardware do). Immutable.
 *
 * @param spec the architecture section, e.g. {@code "IHI0062 §Global Address Space 0: sCR0"}
 */
public record Reg(String name, int offset, int stride, int bits, Access access, long implemented, String spec) {
    public Reg {
        if (bits != 32 && bits != 64) {
            throw new IllegalArgumentException(name + ": registers are 32 or 64 bits wide");
        }
        if ((offset & (bits / 8 - 1)) != 0) {
            throw new IllegalArgumentException(name + ": offset 0x" + Integer.toHexString(offset) + " not naturally aligned");
        }
    }

    /** A single 32-bit register. */
    public static Reg r32(String name, int offset, Access access, long implemented, String spec) {
        return new Reg(name, offset, 0, 32, access, implemented & 0xffff_ffffL, spec);
    }

    /** A single 64-bit register. */
    public static Reg r64(String name, int offset, Access access, long implemented, String spec) {
        return new Reg(name, offset, 0, 64, access, implemented, spec);
    }

    /** An array of 32-bit registers, {@code name(n)} at {@code offset + 4n}. */
    public static Reg array32(String name, int offset, Access access, long implemented, String spec) {
        return new Reg(name, offset, 4, 32, access, implemented & 0xffff_ffffL, spec);
    }

    public boolean isArray() {
        return stride != 0;
    }

    /** Offset of element {@code n}. */
    public int offset(int n) {
        return offset + n * stride;
    }

    /** Mask of the implemented bits built from fields. */
    public static long bits(Field... fields) {
        long m = 0;
        for (Field f : fields) {
            m |= f.mask();
        }
        return m;
    }

    @Override
    public String toString() {
        return name;
    }
}
