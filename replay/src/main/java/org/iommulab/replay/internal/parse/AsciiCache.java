package org.iommulab.replay.internal.parse;

import java.nio.charset.StandardCharsets;

/**
 * Strings of ASCII byte ranges, the same string for the same bytes while it stays in the
 * cache: a trace names few tasks and devices, over and over. Direct-mapped, so bounded.
 */
final class AsciiCache {
    private static final int SLOTS = 256;
    private final byte[][] keys = new byte[SLOTS][];
    private final String[] values = new String[SLOTS];
    /**
     * The last two strings handed out: lines near each other name the same one or two tasks
     * and devices, which are then found without hashing.
     */
    private byte[] lastKey = new byte[0];
    private String lastValue = "";
    private byte[] otherKey = new byte[0];
    private String otherValue = "";

    String get(byte[] l, int from, int to) {
        if (equal(lastKey, l, from, to)) {
            return lastValue;
        }
        byte[] k;
        String v;
        if (equal(otherKey, l, from, to)) {
            k = otherKey;
            v = otherValue;
        } else {
            int slot = slot(l, from, to);
            if (!equal(keys[slot], l, from, to)) {
                keys[slot] = java.util.Arrays.copyOfRange(l, from, to);
                values[slot] = new String(l, from, to - from, StandardCharsets.US_ASCII);
            }
            k = keys[slot];
            v = values[slot];
        }
        otherKey = lastKey;
        otherValue = lastValue;
        lastKey = k;
        lastValue = v;
        return v;
    }

    private static int slot(byte[] l, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + l[i];
        }
        return (h ^ h >>> 8 ^ h >>> 16) & (SLOTS - 1);
    }

    private static boolean equal(byte[] k, byte[] l, int from, int to) {
        return k != null && k.length == to - from && java.util.Arrays.equals(k, 0, k.length, l, from, to);
    }
}
