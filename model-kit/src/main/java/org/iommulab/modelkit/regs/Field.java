package org.iommulab.modelkit.regs;

/**
 * One bit field of a 64-bit (or 32-bit) word, bits {@code [msb:lsb]}, named as the
 * architecture specification names it. A register's fields and a memory structure's fields
 * ({@link StructField}) are both declared this way, once, and used by the driver half of a
 * model to build values and by the hardware half to decode them.
 *
 * <p>A 32-bit word passed as an {@code int} widens to {@code long} with its sign; every method
 * gives the same result as for the zero-extended word as long as the field lies in bits
 * {@code [31:0]}, which {@link Register} checks for a 32-bit register's fields.
 *
 * <p>Immutable and thread-safe; no method allocates, so fields can be used on the hot path of
 * an access.
 */
public sealed class Field permits StructField {
    private final String name;
    private final int lsb;
    private final int width;
    private final long mask;

    Field(String name, int msb, int lsb) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a field needs a name");
        }
        if (lsb < 0 || msb < lsb || msb > 63) {
            throw new IllegalArgumentException("field " + name + " [" + msb + ":" + lsb + "] is not a bit range of a 64-bit word");
        }
        this.name = name;
        this.lsb = lsb;
        this.width = msb - lsb + 1;
        this.mask = (width == 64 ? -1L : (1L << width) - 1) << lsb;
    }

    /**
     * The field {@code name[msb:lsb]}, as specifications write it: {@code range("T0SZ", 5, 0)} is
     * the six bits 5 down to 0.
     *
     * @throws IllegalArgumentException when {@code [msb:lsb]} is not inside 64 bits or msb &lt; lsb
     */
    public static Field range(String name, int msb, int lsb) {
        return new Field(name, msb, lsb);
    }

    /** The one-bit field {@code name[bit]}. */
    public static Field bit(String name, int bit) {
        return new Field(name, bit, bit);
    }

    /** The union of the fields' masks: the bits they cover. */
    public static long maskOf(Field... fields) {
        long m = 0;
        for (Field f : fields) {
            m |= f.mask;
        }
        return m;
    }

    public final String name() {
        return name;
    }

    /** The lowest bit. */
    public final int lsb() {
        return lsb;
    }

    /** The highest bit. */
    public final int msb() {
        return lsb + width - 1;
    }

    /** Bits in the field, 1 to 64. */
    public final int width() {
        return width;
    }

    /** The field's bits in place. */
    public final long mask() {
        return mask;
    }

    /** The largest value the field holds (all its bits set, shifted down). */
    public final long max() {
        return mask >>> lsb;
    }

    /** The field's value in {@code word}, shifted down (Linux {@code FIELD_GET}). */
    public final long get(long word) {
        return (word & mask) >>> lsb;
    }

    /** {@link #get} as an int, for fields of at most 32 bits (a wider value is truncated). */
    public final int getInt(long word) {
        return (int) get(word);
    }

    /** Whether any bit of the field is set in {@code word}. */
    public final boolean isSet(long word) {
        return (word & mask) != 0;
    }

    /** The field's bits of {@code word} in place, unshifted: an address field such as {@code TTB0[55:4]}. */
    public final long bits(long word) {
        return word & mask;
    }

    /**
     * {@code value} placed in the field, every other bit zero (Linux {@code FIELD_PREP}).
     *
     * @throws IllegalArgumentException when {@code value} does not fit the field's width
     */
    public final long of(long value) {
        if ((value & ~max()) != 0) {
            throw new IllegalArgumentException(String.format("0x%x does not fit %s (%d bit%s)", value, this, width,
                    width == 1 ? "" : "s"));
        }
        return value << lsb;
    }

    /**
     * {@code word} with the field replaced by {@code value}.
     *
     * @throws IllegalArgumentException when {@code value} does not fit the field's width
     */
    public final long set(long word, long value) {
        return (word & ~mask) | of(value);
    }

    /** {@code word} with every bit of the field set ({@code on}) or cleared. */
    public final long set(long word, boolean on) {
        return on ? word | mask : word & ~mask;
    }

    /** {@code name[msb:lsb]}, or {@code name[bit]} for a one-bit field. */
    @Override
    public String toString() {
        return width == 1 ? name + "[" + lsb + "]" : name + "[" + msb() + ":" + lsb + "]";
    }
}
