package org.iommulab.smmu.v3.internal.format;

/**
 * One bit field of a register or an in-memory structure word: {@code [lsb + width - 1 : lsb]}
 * of a 64-bit value, named as the SMMUv3 specification (IHI0070) names it. Both halves use the
 * same declarations, the driver to build values and the model to decode them, so a field is
 * declared exactly once. Immutable; extraction allocates nothing.
 */
public final class Field {
    private final String name;
    private final int lsb;
    private final int width;
    private final long mask;

    private Field(String name, int lsb, int width) {
        if (lsb < 0 || width < 1 || lsb + width > 64) {
            throw new IllegalArgumentException("field " + name + " [" + (lsb + width - 1) + ":" + lsb + "] is outside 64 bits");
        }
        this.name = name;
        this.lsb = lsb;
        this.width = width;
        this.mask = (width == 64 ? -1L : (1L << width) - 1) << lsb;
    }

    /** The field {@code name[msb:lsb]}. */
    public static Field of(String name, int msb, int lsb) {
        return new Field(name, lsb, msb - lsb + 1);
    }

    /** A one-bit field. */
    public static Field bit(String name, int bit) {
        return new Field(name, bit, 1);
    }

    public String name() {
        return name;
    }

    public int lsb() {
        return lsb;
    }

    public int width() {
        return width;
    }

    /** The field's bits in place. */
    public long mask() {
        return mask;
    }

    /** The field's value, shifted down. */
    public long get(long word) {
        return (word & mask) >>> lsb;
    }

    /** The field's value as an int (fields here are at most 32 bits wide unless noted). */
    public int getInt(long word) {
        return (int) get(word);
    }

    public boolean isSet(long word) {
        return (word & mask) != 0;
    }

    /** The field's bits in place, without shifting (an address field such as {@code TTB0[51:4]}). */
    public long bits(long word) {
        return word & mask;
    }

    /**
     * {@code word} with this field replaced by {@code value}.
     *
     * @throws IllegalArgumentException when {@code value} does not fit the field
     */
    public long set(long word, long value) {
        if ((value & ~(mask >>> lsb)) != 0) {
            throw new IllegalArgumentException(String.format("%s: 0x%x does not fit %d bits", name, value, width));
        }
        return (word & ~mask) | (value << lsb);
    }

    /** {@code word} with this one-bit (or all-ones) field set or cleared. */
    public long set(long word, boolean on) {
        return on ? word | mask : word & ~mask;
    }

    /** This field holding {@code value}, all other bits zero. */
    public long of(long value) {
        return set(0, value);
    }

    @Override
    public String toString() {
        return width == 1 ? name + "[" + lsb + "]" : name + "[" + (lsb + width - 1) + ":" + lsb + "]";
    }
}
