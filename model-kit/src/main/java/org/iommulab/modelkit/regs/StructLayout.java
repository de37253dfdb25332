package org.iommulab.modelkit.regs;

/**
 * The layout of an in-memory structure that hardware reads or writes as little-endian 64-bit
 * words: a stream table entry, a context descriptor, a queue entry, a device-table entry. It
 * names the structure, its size and the specification section that defines it, and declares
 * the structure's fields ({@link StructField}), each inside one word.
 *
 * <pre>{@code
 * public static final StructLayout STE = StructLayout.of("STE", 64, "IHI0070 §5.2");
 * public static final StructField V = STE.bit(0, "V", 0);
 * public static final StructField S2VMID = STE.range(2, "S2VMID", 15, 0);
 * public static final StructField S2VMID_ABS = STE.at("S2VMID", 143, 128); // the same bits
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class StructLayout {
    private final String name;
    private final int bytes;
    private final String spec;

    private StructLayout(String name, int bytes, String spec) {
        this.name = name;
        this.bytes = bytes;
        this.spec = spec;
    }

    /**
     * A structure of {@code bytes} bytes, a whole number of 64-bit words.
     *
     * @param spec where it is specified, e.g. {@code "IHI0070 §5.2"}
     * @throws IllegalArgumentException when {@code bytes} is not a positive multiple of 8
     */
    public static StructLayout of(String name, int bytes, String spec) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a structure needs a name");
        }
        if (bytes <= 0 || bytes % 8 != 0) {
            throw new IllegalArgumentException(name + ": " + bytes + " bytes is not a whole number of 64-bit words");
        }
        return new StructLayout(name, bytes, spec);
    }

    public String name() {
        return name;
    }

    /** Size in bytes. */
    public int bytes() {
        return bytes;
    }

    /** Size in 64-bit words. */
    public int words() {
        return bytes / 8;
    }

    /** Where the structure is specified. */
    public String spec() {
        return spec;
    }

    /**
     * The field {@code name[msb:lsb]} of word {@code word}.
     *
     * @throws IllegalArgumentException when the word is outside the structure or the bits outside 64
     */
    public StructField range(int word, String name, int msb, int lsb) {
        checkWord(word, name);
        return new StructField(this, word, name, msb, lsb);
    }

    /** The one-bit field {@code name[bit]} of word {@code word}. */
    public StructField bit(int word, String name, int bit) {
        return range(word, name, bit, bit);
    }

    /**
     * The field at absolute bits {@code [msb:lsb]} of the structure (bit 64 is bit 0 of word 1),
     * as specifications that number a structure's bits from its start write them.
     *
     * @throws IllegalArgumentException when the bits are outside the structure or cross a word
     */
    public StructField at(String name, int msb, int lsb) {
        if (lsb < 0 || msb < lsb || msb / 64 != lsb / 64) {
            throw new IllegalArgumentException(this.name + "." + name + " [" + msb + ":" + lsb
                    + "] must be a bit range inside one 64-bit word");
        }
        return range(lsb / 64, name, msb % 64, lsb % 64);
    }

    /** The byte address of word {@code word} of the structure at {@code base}. */
    public long wordAddress(long base, int word) {
        checkWord(word, "word");
        return base + 8L * word;
    }

    private void checkWord(int word, String what) {
        if (word < 0 || word >= words()) {
            throw new IllegalArgumentException(name + "." + what + ": word " + word + " is outside the " + words()
                    + "-word structure");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
