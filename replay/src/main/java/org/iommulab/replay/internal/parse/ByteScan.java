package org.iommulab.replay.internal.parse;

import java.nio.charset.StandardCharsets;

import static org.iommulab.replay.internal.parse.ByteNumbers.LONGS;

/**
 * Scanning an ASCII line's bytes in place, for {@link FastLine}, {@link FastPrefix},
 * {@link FastBody} and {@link BodyWords}: spaces, tokens, identifiers and byte classes as the
 * string parser's String and Character calls see them. Static helpers only: the parser calls
 * them for every line and the JIT inlines them.
 */
final class ByteScan {
    private ByteScan() {
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static int indexOf(byte[] l, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (l[i] == c) {
                return i;
            }
        }
        return -1;
    }

    static boolean regionEquals(byte[] l, int at, byte[] s) {
        return java.util.Arrays.equals(l, at, at + s.length, s, 0, s.length);
    }

    static int skipSpaces(byte[] l, int i, int to) {
        while (i < to && l[i] == ' ') {
            i++;
        }
        return i;
    }

    static int tokenEnd(byte[] l, int i, int to) {
        while (i < to && l[i] != ' ') {
            i++;
        }
        return i;
    }

    static int identEnd(byte[] l, int i, int to) {
        if (i >= to || !isIdentStart(l[i])) {
            return i;
        }
        i++;
        while (i < to && (isIdentStart(l[i]) || isDigit(l[i]))) {
            i++;
        }
        return i;
    }

    static boolean isIdentStart(byte c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** Character.isWhitespace of an ASCII character. */
    static boolean isWhitespace(byte c) {
        return c == ' ' || c >= 0x09 && c <= 0x0d || c >= 0x1c && c <= 0x1f;
    }

    /** {@link #stop}'s second byte: a space again, or '='. */
    static final long SPACES = ' ' * 0x0101_0101_0101_0101L;
    static final long EQUALS = '=' * 0x0101_0101_0101_0101L;
    private static final long LOWS = 0x7f7f_7f7f_7f7f_7f7fL;

    /**
     * The first index in {@code l[i, to)} holding a space or the byte repeated in {@code other}
     * ({@link #SPACES} or {@link #EQUALS}), or {@code to}: eight bytes at a time, a byte equal
     * to the one sought being a zero byte of their xor, found exactly (no borrow between bytes).
     */
    static int stop(byte[] l, int i, int to, long other) {
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
}
