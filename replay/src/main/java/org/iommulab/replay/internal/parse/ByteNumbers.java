package org.iommulab.replay.internal.parse;

/**
 * Numbers read from an ASCII line's bytes in place, for {@link FastLine}, {@link FastPrefix},
 * {@link FastBody} and {@link BodyWords}: the same values {@link Numbers} and Prefix read from
 * strings, eight digits at a time where the bytes allow. Static helpers only: the parser calls
 * them for every line and the JIT inlines them.
 */
final class ByteNumbers {
    private ByteNumbers() {
    }

    /** Not a value any field here can have (they are unsigned, or sizes below 2^63). */
    static final long BAD = Long.MIN_VALUE;

    /** A byte array read as little-endian longs: eight bytes of a line at once. */
    static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles
            .byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

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

    /**
     * Numbers.hex: 1 to 16 hex digits after an optional 0x in {@code l[from, to)}. BAD for
     * anything else, whose error the string parser words; a value that is BAD's own bits also
     * goes that way.
     */
    static long hex(byte[] l, int from, int to) {
        if (to - from >= 2 && l[from] == '0' && (l[from + 1] == 'x' || l[from + 1] == 'X')) {
            from += 2;
        }
        int n = to - from;
        if (n <= 0 || n > 16) {
            return BAD;
        }
        long v = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) { // eight digits at a time, as BodyWords.hexValue
            long eight = hex8((long) LONGS.get(l, i));
            if (eight < 0) {
                return BAD;
            }
            v = v << 32 | eight;
        }
        for (; i < to; i++) {
            int d = HEX[l[i] & 0xff];
            if (d < 0) {
                return BAD;
            }
            v = v << 4 | d;
        }
        return v;
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

    /** Integer.parseInt of the digits {@code l[from, to)}; throws past an int, as it does. */
    static int digits(byte[] l, int from, int to) {
        if (to - from > 9) {
            throw new NumberFormatException("too many digits"); // caught: the string way decides
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            v = v * 10 + (l[i] - '0');
        }
        return v;
    }

    /** Eight '0' bytes, packed: what a fraction shorter than eight digits is padded with. */
    static final long ZERO_DIGITS = 0x3030_3030_3030_3030L;
    /** 10^n for n in 0..8: scales a fraction of 9 - n digits to nanoseconds. */
    static final long[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    /** Whether the eight bytes packed little-endian in {@code x} are all '0'..'9'. */
    static boolean eightDigits(long x) {
        // each byte: high nibble 3, and still 3 after adding 6 (so the low nibble is at most 9);
        // a byte that carries into the next is above 0xf9, itself no digit
        return ((x & 0xf0f0_f0f0_f0f0_f0f0L) | ((x + 0x0606_0606_0606_0606L) & 0xf0f0_f0f0_f0f0_f0f0L) >>> 4)
                == 0x3333_3333_3333_3333L;
    }

    /**
     * The value of the eight decimal digits packed little-endian in {@code x} (the first digit
     * in the low byte, the most significant): digit pairs, then quads, then the eight, by
     * multiplications that keep each partial sum in its own lane.
     */
    static long eightDigitsValue(long x) {
        long v = x - ZERO_DIGITS;
        v = v * 10 + (v >>> 8); // byte 2k: digit 2k * 10 + digit 2k+1
        return ((v & 0x0000_00ff_0000_00ffL) * (100 + (1_000_000L << 32))
                + ((v >>> 16) & 0x0000_00ff_0000_00ffL) * (1 + (10_000L << 32))) >>> 32;
    }
}
