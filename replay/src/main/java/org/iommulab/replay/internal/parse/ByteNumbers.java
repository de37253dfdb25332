package org.iommulab.replay.internal.parse;

import static org.iommulab.replay.internal.parse.BodyWords.BAD;
import static org.iommulab.replay.internal.parse.BodyWords.HEX;
import static org.iommulab.replay.internal.parse.BodyWords.LONGS;
import static org.iommulab.replay.internal.parse.BodyWords.hex8;

/**
 * Numbers read from an ASCII line's bytes in place, for {@link FastLine}, {@link FastPrefix},
 * {@link FastBody} and {@link BodyWords}: the same values {@link Numbers} and Prefix read from
 * strings, eight digits at a time where the bytes allow. Static helpers only: the parser calls
 * them for every line and the JIT inlines them.
 */
final class ByteNumbers {
    private ByteNumbers() {
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
