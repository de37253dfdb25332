package org.iommulab.replay.internal.parse;

import org.iommulab.api.dma.DmaDirection;

/**
 * The words of an event line's body, read in place from the line's bytes for {@link FastLine}:
 * Fields.split, Fields.opt and the number fields' Numbers.hex / Numbers.dec in one forward
 * pass ({@link #split}). Mutable and reused: one per {@link FastLine}.
 */
final class BodyWords {
    static final byte[] DIR = FastLine.ascii("dir");
    static final byte[] DMA_ADDR = FastLine.ascii("dma_addr");
    static final byte[] SIZE = FastLine.ascii("size");
    static final byte[] PHYS_ADDR = FastLine.ascii("phys_addr");
    static final byte[] ATTRS = FastLine.ascii("attrs");
    static final byte[] VIRT_ADDR = FastLine.ascii("virt_addr");
    static final byte[] FLAGS = FastLine.ascii("flags");
    static final byte[] IOVA = FastLine.ascii("iova");
    static final byte[] PADDR = FastLine.ascii("paddr");
    static final byte[] UNMAPPED_SIZE = FastLine.ascii("unmapped_size");

    /** The keys a body's words are looked up by: {@link #at}'s indexes. */
    private static final byte[][] KEYS = {DIR, DMA_ADDR, SIZE, PHYS_ADDR, ATTRS, VIRT_ADDR, FLAGS, IOVA, PADDR, UNMAPPED_SIZE};
    static final int K_DIR = 0;
    static final int K_DMA_ADDR = 1;
    static final int K_SIZE = 2;
    static final int K_PHYS_ADDR = 3;
    static final int K_ATTRS = 4;
    static final int K_VIRT_ADDR = 5;
    static final int K_FLAGS = 6;
    static final int K_IOVA = 7;
    static final int K_PADDR = 8;
    static final int K_UNMAPPED_SIZE = 9;
    static final int KEY_COUNT = KEYS.length;
    /** In a template: a word with no '=' that holds a hex number (iommu's range end). */
    static final int RAW_HEX = -2;
    /** {@link #values}' slot for a {@link #RAW_HEX} word read by {@link #restore}. */
    private static final int SCRATCH = KEY_COUNT;
    /** The keys whose values split reads as hex, and as decimal. */
    private static final int HEX_KEYS = 1 << K_DMA_ADDR | 1 << K_PHYS_ADDR | 1 << K_IOVA | 1 << K_PADDR;
    private static final int DEC_KEYS = 1 << K_SIZE | 1 << K_UNMAPPED_SIZE;
    /** By key id: its bytes 0-7 and 8-15, packed ({@link #pack}). */
    private static final long[] PACKED0 = new long[KEYS.length];
    private static final long[] PACKED1 = new long[KEYS.length];

    static {
        for (int k = 0; k < KEYS.length; k++) {
            PACKED0[k] = pack(KEYS[k], 0);
            PACKED1[k] = pack(KEYS[k], 1);
        }
    }
    /** Hex digit values by byte, -1 for the rest. */
    static final byte[] HEX = new byte[256];

    static {
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            HEX[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            HEX[c] = (byte) (c - 'a' + 10);
            HEX[c - 'a' + 'A'] = (byte) (c - 'a' + 10);
        }
    }

    /** More words than any format this reads has: such a line goes the string way. */
    static final int MAX_WORDS = 24;

    /** The words of the body: [starts[i], ends[i]) in the line's array. */
    final int[] starts = new int[MAX_WORDS];
    final int[] ends = new int[MAX_WORDS];
    int words;
    /** By key id: the first word {@code key=...} of the body (Fields.opt's choice), where {@link #found} says there is one. */
    private final int[] at = new int[KEYS.length];
    /** By number key id: its value as split read it (BAD when not a plain number). */
    private final long[] values = new long[KEYS.length + 1];
    /** Bit k: key id k has a word in {@link #at}. */
    private int found;
    /** The first word holds a '='. */
    boolean firstHasEquals;
    /** The template the last split read its body by, or null when it split it plainly. */
    int[] lastTemplate;


    /**
     * Fields.split, Fields.opt and the number fields' Numbers.hex / Numbers.dec in one forward
     * pass: the space-separated words of {@code l[from, to)}; for each key the first word
     * {@code key=...} ({@link #at}), the key told by its bytes packed as they are read, and for
     * the number keys the value read as the scan passes over it ({@link #values}); false when
     * there are too many words.
     */
    boolean split(byte[] l, int from, int to) {
        int words = 0;
        int found = 0;
        firstHasEquals = false;
        int i = from;
        while (true) {
            while (i < to && l[i] == ' ') {
                i++;
            }
            if (i >= to) {
                break;
            }
            if (words == MAX_WORDS) {
                return false;
            }
            int start = i;
            // the key: the word up to its first '=', packed 8 bytes a long
            long k0 = 0;
            long k1 = 0;
            while (i < to) {
                byte c = l[i];
                if (c == ' ' || c == '=') {
                    break;
                }
                int n = i - start;
                if (n < 8) {
                    k0 |= (long) (c & 0xff) << (n << 3);
                } else if (n < 16) {
                    k1 |= (long) (c & 0xff) << ((n - 8) << 3);
                }
                i++;
            }
            if (i < to && l[i] == '=') {
                if (words == 0) {
                    firstHasEquals = true;
                }
                // "key=" matches where the word's first '=' follows the key (no key holds one)
                int k = key(i - start, k0, k1);
                i++;
                if (k >= 0 && (found & 1 << k) == 0) {
                    found |= 1 << k;
                    at[k] = words;
                    if ((HEX_KEYS & 1 << k) != 0) {
                        i = hexValue(l, i, to, k);
                    } else if ((DEC_KEYS & 1 << k) != 0) {
                        i = decValue(l, i, to, k);
                    }
                }
                while (i < to && l[i] != ' ') {
                    i++;
                }
            }
            starts[words] = start;
            ends[words] = i;
            words++;
        }
        this.words = words;
        this.found = found;
        lastTemplate = null;
        return true;
    }

    /**
     * Templates: the words a format prints, in order, by key id ({@code key=value}), -1 for a
     * word with no '=' (a device name, iommu's "-"), {@link #RAW_HEX} for one that holds a
     * hex number (iommu's range end).
     */
    static final int[] MAP = {-1, K_DIR, K_DMA_ADDR, K_SIZE, K_PHYS_ADDR, K_ATTRS};
    static final int[] UNMAP = {-1, K_DIR, K_DMA_ADDR, K_SIZE, K_ATTRS};
    static final int[] SYNC_SINGLE = {-1, K_DIR, K_DMA_ADDR, K_SIZE};
    static final int[] IOMMU_MAP = {K_IOVA, -1, RAW_HEX, K_PADDR, K_SIZE};
    static final int[] IOMMU_UNMAP = {K_IOVA, -1, RAW_HEX, K_SIZE, K_UNMAPPED_SIZE};

    /**
     * {@link #split(byte[], int, int)} for a body expected to print {@code template}'s words:
     * when it prints exactly those, one space apart, they are read knowing their keys (no key
     * told apart byte by byte); anything else is split as any body is. Same result either way.
     */
    boolean split(byte[] l, int from, int to, int[] template) {
        lastTemplate = null;
        return template != null && template(l, from, to, template) || split(l, from, to);
    }

    private boolean template(byte[] l, int from, int to, int[] t) {
        int i = from;
        while (i < to && l[i] == ' ') {
            i++;
        }
        int found = 0;
        for (int w = 0; w < t.length; w++) {
            if (w > 0) {
                if (i + 1 >= to || l[i] != ' ' || l[i + 1] == ' ') {
                    return false;
                }
                i++;
            }
            int start = i;
            int k = t[w];
            if (k < 0) {
                i = stop(l, i, to, EQUALS);
                if (i < to && l[i] == '=') {
                    return false;
                }
                if (i == start) {
                    return false;
                }
            } else {
                byte[] key = KEYS[k];
                int n = key.length;
                if (to - i <= n || l[i + n] != '=' || !keyAt(l, i, k)) {
                    return false;
                }
                i += n + 1;
                if ((HEX_KEYS & 1 << k) != 0) {
                    i = hexValue(l, i, to, k);
                } else if ((DEC_KEYS & 1 << k) != 0) {
                    i = decValue(l, i, to, k);
                } else {
                    i = stop(l, i, to, SPACES);
                }
                found |= 1 << k;
                at[k] = w;
            }
            starts[w] = start;
            ends[w] = i;
        }
        if (i != to) {
            return false;
        }
        words = t.length;
        this.found = found;
        firstHasEquals = t[0] >= 0;
        lastTemplate = t;
        return true;
    }

    /**
     * Keeps in {@code sh} what the last split found (through {@link #lastTemplate}, not null),
     * relative to {@code base}, with where each number value lies: the bytes that may differ in
     * a line of the same shape.
     */
    void capture(LineShapes.Shape sh, int base) {
        int[] t = lastTemplate;
        sh.words = words;
        for (int w = 0; w < words; w++) {
            sh.starts[w] = starts[w] - base;
            sh.ends[w] = ends[w] - base;
        }
        System.arraycopy(at, 0, sh.at, 0, KEY_COUNT);
        sh.found = found;
        sh.firstHasEquals = firstHasEquals;
        int spans = 0;
        for (int w = 0; w < t.length; w++) {
            int k = t[w];
            if (k == RAW_HEX) {
                sh.spanKeys[spans] = RAW_HEX;
                sh.spanStarts[spans] = starts[w] - base;
            } else if (k >= 0 && ((HEX_KEYS | DEC_KEYS) & 1 << k) != 0) {
                sh.spanKeys[spans] = k;
                sh.spanStarts[spans] = starts[w] + KEYS[k].length + 1 - base;
            } else {
                continue;
            }
            sh.spanEnds[spans++] = ends[w] - base;
        }
        sh.spans = spans;
    }

    /**
     * The words of a body whose line has kept shape {@code sh} at {@code base} (its bytes equal
     * outside the number values): the shape's words, with the number values read from this line
     * as the template split reads them. False, with nothing promised, when a value is not a plain
     * number filling its place exactly (the line is then split in full): otherwise the words,
     * keys and values are those the template split gives, its every test falling on equal bytes.
     */
    boolean restore(byte[] l, LineShapes.Shape sh, int base) {
        int bodyEnd = base + sh.bodyEnd;
        for (int s = 0; s < sh.spans; s++) {
            int k = sh.spanKeys[s];
            int from = base + sh.spanStarts[s];
            int slot = k == RAW_HEX ? SCRATCH : k;
            int end = k != RAW_HEX && (DEC_KEYS & 1 << k) != 0 ? decValue(l, from, bodyEnd, k)
                    : hexValue(l, from, bodyEnd, slot);
            if (end != base + sh.spanEnds[s] || values[slot] == BAD) {
                return false;
            }
        }
        int n = sh.words;
        for (int w = 0; w < n; w++) {
            starts[w] = sh.starts[w] + base;
            ends[w] = sh.ends[w] + base;
        }
        words = n;
        System.arraycopy(sh.at, 0, at, 0, KEY_COUNT);
        found = sh.found;
        firstHasEquals = sh.firstHasEquals;
        lastTemplate = null;
        return true;
    }

    private static final byte[] BIDIRECTIONAL = FastLine.ascii("BIDIRECTIONAL");
    private static final byte[] TO_DEVICE = FastLine.ascii("TO_DEVICE");
    private static final byte[] FROM_DEVICE = FastLine.ascii("FROM_DEVICE");
    private static final byte[] NONE = FastLine.ascii("NONE");

    /** DmaSymbols.direction for the four names; null for anything else (the string parser decides). */
    static DmaDirection direction(byte[] l, int from, int to) {
        int n = to - from;
        if (n == TO_DEVICE.length && java.util.Arrays.equals(l, from, to, TO_DEVICE, 0, n)) {
            return DmaDirection.TO_DEVICE;
        }
        if (n == FROM_DEVICE.length && java.util.Arrays.equals(l, from, to, FROM_DEVICE, 0, n)) {
            return DmaDirection.FROM_DEVICE;
        }
        if (n == BIDIRECTIONAL.length && java.util.Arrays.equals(l, from, to, BIDIRECTIONAL, 0, n)) {
            return DmaDirection.BIDIRECTIONAL;
        }
        if (n == NONE.length && java.util.Arrays.equals(l, from, to, NONE, 0, n)) {
            return DmaDirection.NONE;
        }
        return null;
    }

    /** Whether {@code l} holds key {@code k} at {@code i} (its bytes are known to be there). */
    private static boolean keyAt(byte[] l, int i, int k) {
        int n = KEYS[k].length;
        if (i + 16 > l.length) {
            return java.util.Arrays.equals(l, i, i + n, KEYS[k], 0, n);
        }
        // the key's bytes as split packs them: little-endian longs, masked to its length
        long a = (long) LONGS.get(l, i);
        if (n <= 8) {
            return (a & mask(n)) == PACKED0[k];
        }
        return a == PACKED0[k] && ((long) LONGS.get(l, i + 8) & mask(n - 8)) == PACKED1[k];
    }

    private static long mask(int bytes) {
        return bytes >= 8 ? -1L : (1L << (bytes << 3)) - 1;
    }

    static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles
            .byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * Numbers.hex of the value at {@code l[from, ...)} up to the word's end, into
     * {@link #values}[k]: 1 to 16 hex digits after an optional 0x, BAD for anything else.
     * Returns the word's end.
     */
    private int hexValue(byte[] l, int from, int to, int k) {
        int i = from;
        if (i + 1 < to && l[i] == '0' && (l[i + 1] == 'x' || l[i + 1] == 'X')) {
            i += 2;
        }
        int digits = i;
        long v = 0;
        int bad = 0;
        // eight digits at a time while eight bytes of the word are all hex digits (the
        // 16-digit IOVAs and addresses iommu:map prints): the same value the byte loop reads
        while (i + 8 <= to) {
            long eight = hex8((long) LONGS.get(l, i));
            if (eight < 0) {
                break;
            }
            v = v << 32 | eight;
            i += 8;
        }
        while (i < to) {
            byte c = l[i];
            if (c == ' ') {
                break;
            }
            int d = HEX[c & 0xff];
            bad |= d; // -1 sets the sign bit
            v = v << 4 | (d & 0xf);
            i++;
        }
        int n = i - digits;
        values[k] = bad < 0 || n <= 0 || n > 16 ? BAD : v;
        return i;
    }

    /** {@link #stop}'s second byte: a space again, or '='. */
    private static final long SPACES = ' ' * 0x0101_0101_0101_0101L;
    private static final long EQUALS = '=' * 0x0101_0101_0101_0101L;
    private static final long LOWS = 0x7f7f_7f7f_7f7f_7f7fL;

    /**
     * The first index in {@code l[i, to)} holding a space or the byte repeated in {@code other}
     * ({@link #SPACES} or {@link #EQUALS}), or {@code to}: eight bytes at a time, a byte equal
     * to the one sought being a zero byte of their xor, found exactly (no borrow between bytes).
     */
    private static int stop(byte[] l, int i, int to, long other) {
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(l, i);
            long hits = zeroBytes(x ^ SPACES) | zeroBytes(x ^ other);
            if (hits != 0) {
                return i + (Long.numberOfTrailingZeros(hits) >>> 3);
            }
        }
        while (i < to && l[i] != ' ' && l[i] != (byte) other) {
            i++;
        }
        return i;
    }

    /** 0x80 in each zero byte of {@code v}, 0 in the others. */
    private static long zeroBytes(long v) {
        return ~((v & LOWS) + LOWS | v | LOWS);
    }

    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;

    /**
     * The value of the eight hex digits packed little-endian in {@code x} (the first digit in
     * the low byte, the most significant), or -1 when any byte is not a hex digit. Each byte
     * is range-checked by adding to it so that its high bit carries the comparison (bytes below
     * 0x80 cannot carry into their neighbour).
     */
    static long hex8(long x) {
        if ((x & HIGHS) != 0) {
            return -1;
        }
        long digit = (x + 0x50 * ONES) & ~(x + 0x46 * ONES) & HIGHS; // '0' <= c <= '9'
        long y = x | 0x20 * ONES; // 'A'-'F' as 'a'-'f'
        long letter = (y + 0x1f * ONES) & ~(y + 0x19 * ONES) & HIGHS; // 'a' <= c <= 'f'
        if ((digit | letter) != HIGHS) {
            return -1;
        }
        long nib = (x & 0x0f * ONES) + 9 * (letter >>> 7); // '0'..'9' -> 0..9, 'a'..'f' -> 10..15
        // the first byte is the most significant digit: pairs, then quads, then the eight
        nib = (nib & 0x00ff_00ff_00ff_00ffL) << 4 | (nib >>> 8) & 0x00ff_00ff_00ff_00ffL;
        nib = (nib & 0x0000_ffff_0000_ffffL) << 8 | (nib >>> 16) & 0x0000_ffff_0000_ffffL;
        return (nib & 0xffff_ffffL) << 16 | (nib >>> 32) & 0xffffL;
    }

    /**
     * Numbers.dec for plain digits that cannot overflow (at most 18) of the value at
     * {@code l[from, ...)} up to the word's end, into {@link #values}[k]; BAD otherwise.
     * Returns the word's end.
     */
    private int decValue(byte[] l, int from, int to, int k) {
        int i = from;
        long v = 0;
        boolean bad = false;
        while (i < to) {
            int c = l[i];
            if (c == ' ') {
                break;
            }
            bad |= c < '0' || c > '9';
            v = v * 10 + (c - '0');
            i++;
        }
        int n = i - from;
        values[k] = bad || n <= 0 || n > 18 ? BAD : v;
        return i;
    }

    /**
     * The {@link #RAW_HEX} word's value as {@link #restore} read it (Numbers.hex: the same value
     * FastLine reads from the word, which restore found a plain hex number).
     */
    long rawHex() {
        return values[SCRATCH];
    }

    /** The first word {@code key=...} of key id {@code k}, or -1. */
    int at(int k) {
        return (found & 1 << k) != 0 ? at[k] : -1;
    }

    /** The id of the key of {@code length} bytes packed as k0, k1 ({@link #pack}), or -1. */
    private static int key(int length, long k0, long k1) {
        int k;
        switch (length) {
            case 3: k = K_DIR; break;
            case 4: k = k0 == PACKED0[K_SIZE] ? K_SIZE : K_IOVA; break;
            case 5: k = k0 == PACKED0[K_ATTRS] ? K_ATTRS : k0 == PACKED0[K_PADDR] ? K_PADDR : K_FLAGS; break;
            case 8: k = K_DMA_ADDR; break;
            case 9: k = k0 == PACKED0[K_PHYS_ADDR] ? K_PHYS_ADDR : K_VIRT_ADDR; break;
            case 13: k = K_UNMAPPED_SIZE; break;
            default: return -1;
        }
        return k0 == PACKED0[k] && k1 == PACKED1[k] ? k : -1;
    }

    /** Bytes {@code [8 * part, 8 * part + 8)} of {@code key} packed as split packs them. */
    private static long pack(byte[] key, int part) {
        long v = 0;
        for (int n = 8 * part; n < Math.min(key.length, 8 * part + 8); n++) {
            v |= (long) (key[n] & 0xff) << ((n - 8 * part) << 3);
        }
        return v;
    }

    int valueStart(int word, byte[] key) {
        return starts[word] + key.length + 1;
    }

    /** Not a value any field here can have (they are unsigned, or sizes below 2^63). */
    static final long BAD = Long.MIN_VALUE;

    /** Numbers.hex of the field of key id {@code k} (read by split); BAD when absent or not plain hex. */
    long hexField(int k) {
        return (found & 1 << k) != 0 ? values[k] : BAD;
    }

    /** Numbers.dec of the field of key id {@code k} (read by split); BAD when absent or not plain decimal digits. */
    long decField(int k) {
        return (found & 1 << k) != 0 ? values[k] : BAD;
    }
}
