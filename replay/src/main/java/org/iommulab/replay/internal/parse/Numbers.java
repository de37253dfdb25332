package org.iommulab.replay.internal.parse;

/**
 * Number parsing for trace fields, with the error a malformed line is reported with.
 * {@code %llx} prints hex without a prefix, {@code __print_array} and the iommu events print
 * {@code 0x%...}; {@code %zu} and {@code %d} print decimal.
 */
public final class Numbers {
    private Numbers() {
    }

    /** Unsigned 64-bit hex, with or without {@code 0x}. */
    public static long hex(String s) {
        int from = s.startsWith("0x") || s.startsWith("0X") ? 2 : 0;
        int n = s.length() - from;
        if (n > 0 && n <= 16 && s.charAt(from) != '+') {
            // The digits read in place (every trace line has several): the value and the
            // error are Long.parseUnsignedLong's, which the other cases below still use.
            long v = 0;
            for (int i = from; i < s.length(); i++) {
                int d = Character.digit(s.charAt(i), 16);
                if (d < 0) {
                    throw new IllegalArgumentException("bad hex number '" + s + "'");
                }
                v = v << 4 | d;
            }
            return v;
        }
        String digits = s.substring(from);
        if (digits.isEmpty() || digits.length() > 16) {
            throw new IllegalArgumentException("bad hex number '" + s + "'");
        }
        try {
            return Long.parseUnsignedLong(digits, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad hex number '" + s + "'");
        }
    }

    /** Unsigned decimal ({@code %zu}), at most 2^63-1. */
    public static long dec(String s) {
        try {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw new IllegalArgumentException("negative size '" + s + "'");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad decimal number '" + s + "'");
        }
    }

    /** Signed decimal {@code int} ({@code %d}). */
    public static int signedInt(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad integer '" + s + "'");
        }
    }

    /**
     * {@code __print_array} output: {@code {0x1,0x2}} or {@code {}} (trace_print_array_seq,
     * kernel/trace/trace_output.c: '{', elements as {@code %s0x%x} / {@code %s0x%llx} with ","
     * between them, '}').
     */
    public static LongArray array(String s) {
        if (s.length() < 2 || s.charAt(0) != '{' || s.charAt(s.length() - 1) != '}') {
            throw new IllegalArgumentException("bad array '" + abbreviate(s) + "': expected {0x..,0x..}");
        }
        if (s.length() == 2) {
            return LongArray.EMPTY;
        }
        int count = 1;
        for (int i = 1; i < s.length() - 1; i++) {
            if (s.charAt(i) == ',') {
                count++;
            }
        }
        long[] v = new long[count];
        int start = 1;
        for (int n = 0; n < count; n++) {
            int end = s.indexOf(',', start);
            if (end < 0) {
                end = s.length() - 1;
            }
            String el = s.substring(start, end);
            if (!el.startsWith("0x")) {
                throw new IllegalArgumentException("bad array element '" + el + "' in " + abbreviate(s));
            }
            v[n] = hex(el);
            start = end + 1;
        }
        return LongArray.wrap(v);
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
