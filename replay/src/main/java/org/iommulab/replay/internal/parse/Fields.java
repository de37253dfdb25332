package org.iommulab.replay.internal.parse;

/**
 * The space-separated words of an event's fields: {@code key=value} pairs and bare words
 * (the device name, {@code [TRUNCATED]}). Values never contain spaces in these formats
 * ({@code __print_array} and {@code __print_flags} print none). Small and linear: an event has
 * at most a dozen words. The words are kept as positions in the body; a word or a value
 * becomes a string only when asked for, so a line costs one copy per field it uses.
 */
final class Fields {
    private final String body;
    private int[] starts;
    private int[] ends;
    private int count;

    private Fields(String body) {
        this.body = body;
        this.starts = new int[16];
        this.ends = new int[16];
    }

    static Fields split(String body) {
        Fields f = new Fields(body);
        int i = 0;
        int len = body.length();
        while (i < len) {
            while (i < len && body.charAt(i) == ' ') {
                i++;
            }
            if (i >= len) {
                break;
            }
            int start = i;
            while (i < len && body.charAt(i) != ' ') {
                i++;
            }
            f.add(start, i);
        }
        return f;
    }

    private void add(int start, int end) {
        if (count == starts.length) {
            starts = java.util.Arrays.copyOf(starts, count * 2);
            ends = java.util.Arrays.copyOf(ends, count * 2);
        }
        starts[count] = start;
        ends[count] = end;
        count++;
    }

    int size() {
        return count;
    }

    String word(int i) {
        if (i >= count) {
            throw new IllegalArgumentException("missing field " + (i + 1));
        }
        return body.substring(starts[i], ends[i]);
    }

    /** True when a bare word equal to {@code flag} is present. */
    boolean has(String flag) {
        for (int i = 0; i < count; i++) {
            if (ends[i] - starts[i] == flag.length() && body.startsWith(flag, starts[i])) {
                return true;
            }
        }
        return false;
    }

    /** The value of {@code key=}, or null when absent. */
    String opt(String key) {
        int k = key.length();
        for (int i = 0; i < count; i++) {
            int s = starts[i];
            if (ends[i] - s > k && body.charAt(s + k) == '=' && body.startsWith(key, s)) {
                return body.substring(s + k + 1, ends[i]);
            }
        }
        return null;
    }

    /** The value of {@code key=}. @throws IllegalArgumentException when absent */
    String get(String key) {
        String v = opt(key);
        if (v == null) {
            throw new IllegalArgumentException("missing field " + key + "=");
        }
        return v;
    }
}
