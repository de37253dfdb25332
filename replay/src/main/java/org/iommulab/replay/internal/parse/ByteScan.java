package org.iommulab.replay.internal.parse;

import java.nio.charset.StandardCharsets;

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
}
