package org.iommulab.modelkit.regs;

import java.util.List;

/**
 * One memory-mapped register, or one array of them ({@code SMR(n)} at {@code 0x800 + 4n}),
 * declared once: name, byte offset in its {@link RegisterBlock}, width (32 or 64 bits),
 * {@link Access}, the specification section it comes from, its fields, the bits the model
 * implements and its reset value.
 *
 * <pre>{@code
 * public static final Field FSR_TF = Field.bit("TF", 1);
 * public static final Field FSR_MULTI = Field.bit("MULTI", 31);
 * public static final Register FSR = Register.r32("FSR", 0x058, Access.W1C, "IHI0062 CB_FSR")
 *         .fields(FSR_TF, FSR_MULTI);
 * }</pre>
 *
 * <p>Bits the model does not implement are RES0: {@link #read} returns them as zero and
 * {@link #write} drops them. They default to the union of the {@linkplain #fields fields}, or
 * to every bit when no fields are declared; {@link #implemented(long)} sets them explicitly.
 * The reset value defaults to 0.
 *
 * <p>Immutable and thread-safe. The {@code fields}, {@code implemented} and {@code reset}
 * methods return a new declaration (they run once, where the register is declared); every
 * other method allocates nothing.
 */
public final class Register {
    private final String name;
    private final int offset;
    private final int width;
    private final int stride;
    private final int maxCount;
    private final Access access;
    private final String spec;
    private final List<Field> fields;
    private final long implemented;
    private final boolean implementedDeclared;
    private final long reset;

    private Register(String name, int offset, int width, int stride, int maxCount, Access access, String spec,
            List<Field> fields, long implemented, boolean implementedDeclared, long reset) {
        if (name == null || name.isEmpty() || access == null) {
            throw new IllegalArgumentException("a register needs a name and an access");
        }
        if (width != 32 && width != 64) {
            throw new IllegalArgumentException(name + ": registers are 32 or 64 bits wide, not " + width);
        }
        if (offset < 0 || (offset & (width / 8 - 1)) != 0) {
            throw new IllegalArgumentException(name + ": offset 0x" + Integer.toHexString(offset)
                    + " is not naturally aligned for " + width + " bits");
        }
        long all = widthMask(width);
        for (Field f : fields) {
            if (f.msb() >= width) {
                throw new IllegalArgumentException(name + ": field " + f + " is outside a " + width + "-bit register");
            }
        }
        long impl = implementedDeclared ? implemented : fields.isEmpty() ? all : Field.maskOf(fields.toArray(new Field[0]));
        if ((impl & ~all) != 0) {
            throw new IllegalArgumentException(String.format("%s: implemented bits 0x%x are outside %d bits", name, impl,
                    width));
        }
        if ((reset & ~impl) != 0) {
            throw new IllegalArgumentException(String.format("%s: reset value 0x%x sets bits not implemented (0x%x)", name,
                    reset, impl));
        }
        this.name = name;
        this.offset = offset;
        this.width = width;
        this.stride = stride;
        this.maxCount = maxCount;
        this.access = access;
        this.spec = spec;
        this.fields = fields;
        this.implemented = impl;
        this.implementedDeclared = implementedDeclared;
        this.reset = reset;
    }

    /**
     * A 32-bit register.
     *
     * @param spec the specification section, e.g. {@code "IHI0070 §6.3 SMMU_CR0"}
     */
    public static Register r32(String name, int offset, Access access, String spec) {
        return new Register(name, offset, 32, 0, 1, access, spec, List.of(), 0, false, 0);
    }

    /** A 64-bit register. */
    public static Register r64(String name, int offset, Access access, String spec) {
        return new Register(name, offset, 64, 0, 1, access, spec, List.of(), 0, false, 0);
    }

    /**
     * An array of 32-bit registers, {@code name(n)} at {@code offset + 4n}. How many elements an
     * instance has is given when its {@link RegisterBlock} is built.
     *
     * @param maxCount how many elements the address map leaves room for: an index below it but
     *        beyond an instance's count is "out of range", not "no register"
     */
    public static Register array32(String name, int offset, int maxCount, Access access, String spec) {
        if (maxCount < 1) {
            throw new IllegalArgumentException(name + ": an array has room for at least one element");
        }
        return new Register(name, offset, 32, 4, maxCount, access, spec, List.of(), 0, false, 0);
    }

    /** This register with {@code fields}; its implemented bits become their union unless declared. */
    public Register fields(Field... fields) {
        return new Register(name, offset, width, stride, maxCount, access, spec, List.of(fields), implemented,
                implementedDeclared, reset);
    }

    /** This register implementing exactly the bits of {@code mask}; the rest are RES0. */
    public Register implemented(long mask) {
        return new Register(name, offset, width, stride, maxCount, access, spec, fields, mask, true, reset);
    }

    /**
     * This register with reset value {@code value}.
     *
     * @throws IllegalArgumentException when {@code value} sets a bit that is not implemented
     */
    public Register reset(long value) {
        return new Register(name, offset, width, stride, maxCount, access, spec, fields, implemented,
                implementedDeclared, value);
    }

    public String name() {
        return name;
    }

    /** Byte offset in the block (of element 0, for an array). */
    public int offset() {
        return offset;
    }

    /**
     * Byte offset of element {@code n} of an array (0 for a single register).
     *
     * @throws IllegalArgumentException when {@code n} is outside the array's room
     */
    public int offset(int n) {
        if (n < 0 || n >= maxCount) {
            throw new IllegalArgumentException(name + ": element " + n + " is outside 0.." + (maxCount - 1));
        }
        return offset + n * stride;
    }

    /** 32 or 64. */
    public int width() {
        return width;
    }

    /** Bytes between array elements; 0 for a single register. */
    public int stride() {
        return stride;
    }

    /** Elements the address map has room for; 1 for a single register. */
    public int maxCount() {
        return maxCount;
    }

    public boolean isArray() {
        return stride != 0;
    }

    public Access access() {
        return access;
    }

    /** Where the register is specified. */
    public String spec() {
        return spec;
    }

    /** The declared fields, in declaration order (fields may overlap: two views of the same bits). */
    public List<Field> fields() {
        return fields;
    }

    /** The bits this model implements; the others are RES0. */
    public long implemented() {
        return implemented;
    }

    public long reset() {
        return reset;
    }

    /** What a read returns when the register holds {@code stored}: zero for a write-only register. */
    public long read(long stored) {
        return access == Access.WO ? 0 : stored & implemented;
    }

    /**
     * What the register holds after software writes {@code value} to it while it holds
     * {@code current}: the value for RW and WO (RES0 bits dropped), {@code current} with the
     * bits written as one cleared for W1C, {@code current} unchanged for RO (the write is
     * ignored).
     */
    public long write(long current, long value) {
        switch (access) {
            case RO:
                return current;
            case W1C:
                return current & ~value & implemented;
            default:
                return value & implemented;
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private static long widthMask(int width) {
        return width == 64 ? -1L : 0xffff_ffffL;
    }
}
