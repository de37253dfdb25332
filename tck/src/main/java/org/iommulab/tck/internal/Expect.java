package org.iommulab.tck.internal;

import java.util.Random;
import java.util.function.Supplier;

/** The checks' assertions: an {@link AssertionError} whose message says what the backend did. */
public final class Expect {
    private Expect() {
    }

    public static AssertionError fail(String message) {
        return new AssertionError(message);
    }

    public static void that(boolean condition, Supplier<String> message) {
        if (!condition) {
            throw new AssertionError(message.get());
        }
    }

    public static void that(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    /** {@code 0x1234}. */
    public static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** Bytes from a seeded generator: the same check writes the same data every run. */
    public static byte[] data(int len, long seed) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Index of the first byte that differs, or -1. */
    public static int firstDifference(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return a.length == b.length ? -1 : n;
    }

    /** Fails with where and how many bytes differ, unless {@code actual} equals {@code expected}. */
    public static void sameBytes(byte[] expected, byte[] actual, String what) {
        int first = firstDifference(expected, actual);
        if (first < 0) {
            return;
        }
        int wrong = 0;
        for (int i = 0; i < Math.min(expected.length, actual.length); i++) {
            if (expected[i] != actual[i]) {
                wrong++;
            }
        }
        throw new AssertionError(what + ": " + wrong + " of " + expected.length + " bytes wrong, first at offset "
                + first);
    }
}
