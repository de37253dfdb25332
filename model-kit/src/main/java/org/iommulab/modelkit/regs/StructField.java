package org.iommulab.modelkit.regs;

/**
 * A field of an in-memory structure ({@link StructLayout}): bits {@code [msb:lsb]} of one of
 * its 64-bit words. Being a {@link Field}, it works on that word once read ({@code get(word)},
 * {@code of(value)}); it also works on the whole structure held as a {@code long[]} (word
 * {@code i} at index {@code i}), where it picks its own word, so code that decodes a structure
 * cannot read a field from the wrong word.
 *
 * <p>Immutable and thread-safe; no method allocates.
 */
public final class StructField extends Field {
    private final StructLayout layout;
    private final int word;

    StructField(StructLayout layout, int word, String name, int msb, int lsb) {
        super(name, msb, lsb);
        this.layout = layout;
        this.word = word;
    }

    public StructLayout layout() {
        return layout;
    }

    /** Index of the 64-bit word holding the field. */
    public int word() {
        return word;
    }

    /** The byte address of the field's word in the structure at {@code base}. */
    public long address(long base) {
        return base + 8L * word;
    }

    /** The field's value in the structure {@code words}. */
    public long get(long[] words) {
        return get(words[check(words)]);
    }

    /** {@link #get(long[])} as an int, for fields of at most 32 bits. */
    public int getInt(long[] words) {
        return getInt(words[check(words)]);
    }

    public boolean isSet(long[] words) {
        return isSet(words[check(words)]);
    }

    /** The field's bits in place in its word (an address field). */
    public long bits(long[] words) {
        return bits(words[check(words)]);
    }

    /**
     * Replaces the field in the structure {@code words} by {@code value}.
     *
     * @throws IllegalArgumentException when {@code value} does not fit the field
     */
    public void set(long[] words, long value) {
        int i = check(words);
        words[i] = set(words[i], value);
    }

    private int check(long[] words) {
        if (words.length < layout.words()) {
            throw new IllegalArgumentException(layout.name() + " has " + layout.words() + " words; got an array of "
                    + words.length);
        }
        return word;
    }

    /** {@code STE.Config[3:1] in word 0}. */
    @Override
    public String toString() {
        return layout.name() + "." + super.toString() + " in word " + word;
    }
}
